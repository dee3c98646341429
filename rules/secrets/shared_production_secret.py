"""A production secret value is also configured for a non-production environment."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails import DOCS
from guardrails.facts import secrets
from guardrails.facts.environments import SYNONYMS_OPTION, Environments
from guardrails.fingerprint import digest, secret_fingerprint
from guardrails.model import Category, Document, Finding, Incident, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext

DIGITALOCEAN = Incident(
    "DigitalOcean: an automated test process configured with production credentials deleted the primary database",
    "2017-04-05",
    "https://www.digitalocean.com/company/blog/update-on-the-april-5th-2017-outage/",
)
HBO_MAX = Incident(
    "HBO Max: an integration-test email went to real subscribers",
    "2021-06-17",
    "https://www.deseret.com/entertainment/2021/6/18/22540063/hbo-max-integration-test-email",
)


class SharedProductionSecret(Rule):
    id = "SS001"
    name = "shared-production-secret"
    title = "Production secret value reused by a non-production environment"
    category = Category.SHARED_ENVIRONMENT_SECRET
    severity = Severity.HIGH
    kinds = secrets.SECRET_KINDS
    project_wide = True
    summarizes = True
    sensitive = True
    incidents = (DIGITALOCEAN, HBO_MAX)
    rationale = (
        "When development, test or staging configuration holds the production password, key or token, a "
        "test harness, a staging script or a laptop can act on production: DigitalOcean lost its primary "
        "database to an automated test process 'misconfigured using production credentials'. Secret "
        "scanners report each copy as an unrelated hard-coded secret and never compare environments. "
        "Values are compared by a keyed hash (HMAC-SHA256, random key per run); the value itself is never "
        f"shown, only a short keyed fingerprint ({DOCS}/secrets.md) that is the same for every copy."
    )
    remediation = (
        "Give every environment its own credential: rotate the production secret (it has been exposed to "
        "every place the non-production copy reaches), create a separate one for the other environment, and "
        "keep production secrets in a separate secret-manager path or account that non-production CI and "
        "people cannot read."
    )
    options = {"synonyms": SYNONYMS_OPTION}
    bad = (
        Bad(
            "envs/prod/terraform.tfvars",
            'db_username = "app"\ndb_password = "Xq7-pLm2-Rz9w"\n',
            2,
            note="the production tfvars password is the development one",
            extra={"envs/dev/terraform.tfvars": 'db_username = "app"\ndb_password = "Xq7-pLm2-Rz9w"\n'},
        ),
        Bad(
            "k8s/overlays/production/secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\ndata:\n  STRIPE_KEY: c2tfbGl2ZV80ZUMzOWhxTGFtMmI=\n",
            6,
            note="a base64 Secret in production equals a plain staging value under another key name",
            extra={"config/staging/app.yaml": "payments:\n  stripe_api_key: sk_live_4eC39hqLam2b\n"},
        ),
        Bad(
            "values-prod.yaml",
            "database:\n  url: postgres://app:Hn4t-Ws81-Kq@db.prod.internal:5432/app\n",
            2,
            note="the password inside a production URL is the staging one",
            extra={"values-staging.yaml": "database:\n  password: Hn4t-Ws81-Kq\n"},
        ),
    )
    good = (
        Good(
            "envs/prod/terraform.tfvars",
            'db_password = "Xq7-pLm2-Rz9w"\n',
            note="different values per environment",
            extra={"envs/dev/terraform.tfvars": 'db_password = "dev-only-Ab12"\n'},
        ),
        Good(
            "values-prod.yaml",
            "database:\n  password: ${DB_PASSWORD}\n",
            note="references resolved at deploy time are not values",
            extra={"values-dev.yaml": "database:\n  password: ${DB_PASSWORD}\n"},
        ),
        Good(
            "values-dev.yaml",
            "database:\n  password: Lq2-shared-Zt7\n",
            note="development and staging may share; production has its own",
            extra={
                "values-staging.yaml": "database:\n  password: Lq2-shared-Zt7\n",
                "values-prod.yaml": "database:\n  password: Pr0d-0nly-Vw3\n",
            },
        ),
        Good(
            "values-prod.yaml",
            "database:\n  password: Pr0d-0nly-Vw3\n",
            note="an example file documenting the production layout is not an environment",
            extra={"values-prod.example.yaml": "database:\n  password: Pr0d-0nly-Vw3\n"},
        ),
    )

    def summarize(self, doc: Document, ctx: RuleContext) -> secrets.Extracted:
        return secrets.summary(doc, ctx.project, Environments.of(ctx.options["synonyms"]))

    def check_summaries(self, summaries: list[secrets.Extracted], ctx: RuleContext) -> Iterator[Finding]:
        envs = Environments.of(ctx.options["synonyms"])
        found = secrets.inventory(ctx.project, envs, summaries)

        def fingerprint(item: secrets.SecretValue) -> str:
            return digest(item.value)

        for shared in secrets.shared_across(found.secrets, fingerprint, found.scanned):  # type: ignore[arg-type]
            short = secret_fingerprint(shared.production[0].value)
            others = secrets.describe_others(shared.elsewhere)
            for item in shared.production:
                message = (
                    f"production secret {item.key} has the same value (fingerprint {short}) as {others}: "
                    "whatever holds the non-production configuration can act on production"
                )
                yield self.finding_at(
                    item.place,
                    message,
                    anchor=f"shared-secret:{item.key}",
                    ctx=ctx,
                    related=secrets.related(shared.elsewhere),
                )
