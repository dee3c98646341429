"""Production and non-production configuration read the same secret-manager entry."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.facts import secrets
from guardrails.facts.environments import SYNONYMS_OPTION, Environments
from guardrails.model import Category, Document, Finding, Incident, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext

DIGITALOCEAN = Incident(
    "DigitalOcean: an automated test process configured with production credentials deleted the primary database",
    "2017-04-05",
    "https://www.digitalocean.com/company/blog/update-on-the-april-5th-2017-outage/",
)


class SharedSecretReference(Rule):
    id = "SS002"
    name = "shared-secret-manager-path"
    title = "Production and non-production configuration reference the same secret-manager entry"
    category = Category.SHARED_ENVIRONMENT_SECRET
    severity = Severity.MEDIUM
    kinds = secrets.SECRET_KINDS
    project_wide = True
    summarizes = True
    incidents = (DIGITALOCEAN,)
    rationale = (
        "Moving a password into Vault or a cloud secret manager hides the value, not the sharing: when the "
        "development or staging configuration reads the same Vault path, AWS Secrets Manager ARN or GCP "
        "secret as production, non-production workloads and their operators hold production credentials, "
        "and one Vault serves both. This is the DigitalOcean pattern (a test process running with "
        "production credentials) with an extra layer of indirection."
    )
    remediation = (
        "Give each environment its own secret-manager entry (for example `secret/prod/db` and `secret/dev/db`, "
        "or separate accounts and projects), and restrict the production entry's policy to production "
        "identities so that non-production configuration cannot read it even by mistake."
    )
    options = {"synonyms": SYNONYMS_OPTION}
    bad = (
        Bad(
            "values-prod.yaml",
            "database:\n  password: vault:secret/data/shop/db#password\n",
            2,
            note="one Vault path for both environments (the KV v2 `data/` segment is the same secret)",
            extra={"values-dev.yaml": "database:\n  password: ref+vault://secret/shop/db#/password\n"},
        ),
        Bad(
            "envs/production/main.tf",
            'data "aws_secretsmanager_secret_version" "db" {\n'
            '  secret_id = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/db-a1B2c3"\n}\n',
            2,
            extra={
                "envs/staging/task.yaml": "containerDefinitions:\n  - name: app\n    secrets:\n"
                "      - name: DB_PASSWORD\n"
                "        valueFrom: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/db-a1B2c3:password::'\n"
            },
        ),
    )
    good = (
        Good(
            "values-prod.yaml",
            "database:\n  password: vault:secret/data/prod/shop/db#password\n",
            note="per-environment Vault paths",
            extra={"values-dev.yaml": "database:\n  password: vault:secret/data/dev/shop/db#password\n"},
        ),
        Good(
            ".github/workflows/deploy.yml",
            "on: push\njobs:\n  staging:\n    environment: staging\n    runs-on: ubuntu-latest\n"
            "    env:\n      DB_PASSWORD: ${{ secrets.DB_PASSWORD }}\n    steps:\n      - run: ./deploy.sh\n"
            "  production:\n    environment: production\n    runs-on: ubuntu-latest\n"
            "    env:\n      DB_PASSWORD: ${{ secrets.DB_PASSWORD }}\n    steps:\n      - run: ./deploy.sh\n",
            note="GitHub environment secrets: the same name resolves to a different secret per environment",
        ),
    )

    def summarize(self, doc: Document, ctx: RuleContext) -> secrets.Extracted:
        return secrets.summary(doc, ctx.project, Environments.of(ctx.options["synonyms"]))

    def check_summaries(self, summaries: list[secrets.Extracted], ctx: RuleContext) -> Iterator[Finding]:
        envs = Environments.of(ctx.options["synonyms"])
        found = secrets.inventory(ctx.project, envs, summaries)
        for shared in secrets.shared_across(found.references, lambda r: r.reference, found.scanned):  # type: ignore[arg-type,attr-defined]
            others = secrets.describe_others(shared.elsewhere)
            for item in shared.production:
                message = (
                    f"production {item.key} reads secret-manager entry {item.reference} (normalised), which "
                    f"{others} also reads: one secret and one access path serve both environments"
                )
                yield self.finding_at(
                    item.place,
                    message,
                    anchor=f"shared-reference:{item.key}",
                    ctx=ctx,
                    related=secrets.related(shared.elsewhere),
                )
