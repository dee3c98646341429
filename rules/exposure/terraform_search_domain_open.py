"""An Elasticsearch/OpenSearch domain lets anyone call it."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import Attribute, Block, TerraformDocument, TreeDocument
from guardrails.facts import stacks, terraform
from guardrails.facts.datastores import NEWSBLUR
from guardrails.facts.tf_policy import from_json, open_to_anyone, policy
from guardrails.model import Category, Document, Finding, Kind, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext

_DOMAINS = ("aws_elasticsearch_domain", "aws_opensearch_domain")
_POLICIES = ("aws_elasticsearch_domain_policy", "aws_opensearch_domain_policy")


def _public(domain: Block) -> bool:
    """No ``vpc_options`` and no fine-grained access control switched on (literally): with it, every
    request must authenticate as an internal user or an IAM principal, whatever the policy says."""
    if domain.child("vpc_options") is not None:
        return False
    security = domain.child("advanced_security_options")
    enabled = security.get("enabled") if security is not None else None
    return enabled is None or enabled.expr.literal() is not True


class TerraformSearchDomainOpenPolicy(Rule):
    id = "ED010"
    name = "terraform-search-domain-open-policy"
    title = "Elasticsearch/OpenSearch domain policy allows anyone, outside a VPC"
    category = Category.EXPOSED_DATASTORE
    severity = Severity.CRITICAL
    kinds = frozenset({Kind.TERRAFORM, Kind.TERRAFORM_PLAN, Kind.CLOUDFORMATION, Kind.PULUMI})
    incidents = (NEWSBLUR,)
    rationale = (
        "A domain with a public endpoint (no `vpc_options`) whose access policy (JSON, `jsonencode` or a "
        '`data "aws_iam_policy_document"`) allows Principal `*` without a condition that narrows the callers '
        "(an `aws:SourceIp` allowlist short of 0.0.0.0/0, `aws:PrincipalOrgID`, an account or VPC endpoint; "
        "`aws:SecureTransport` does not) accepts unsigned requests from the whole internet: anyone can "
        "read, write and delete the indices. Open Elasticsearch clusters are among the most wiped and ransomed "
        "datastores, as open MongoDB was for NewsBlur. CloudFormation's `AWS::OpenSearchService::Domain` and "
        "`AWS::Elasticsearch::Domain` (`AccessPolicies` without `VPCOptions`) are read the same way; a principal "
        "or condition from an intrinsic function that cannot be evaluated is not `*`. A domain with fine-grained "
        "access control on (`advanced_security_options { enabled = true }`, `AdvancedSecurityOptions: "
        "{Enabled: true}`) makes every request authenticate, so its open policy is not reported. Pulumi YAML "
        "programs' `aws:opensearch:Domain` and `aws:elasticsearch:Domain` (`accessPolicies`, a JSON string or "
        "`fn::toJSON`, without `vpcOptions`) too (docs/pulumi.md)."
    )
    remediation = (
        "Put the domain in a VPC (`vpc_options`), name the IAM principals that may call it, or add a "
        "Condition (`IpAddress`/`aws:SourceIp`); enable fine-grained access control."
    )
    bad = (
        Bad(
            "search.tf",
            'resource "aws_opensearch_domain" "logs" {\n  domain_name = "logs"\n  access_policies = jsonencode({\n'
            '    Version = "2012-10-17"\n    Statement = [{\n      Effect    = "Allow"\n      Principal = "*"\n'
            '      Action    = "es:*"\n      Resource  = "*"\n    }]\n  })\n}\n',
            3,
        ),
        Bad(
            "search.tf",
            'resource "aws_elasticsearch_domain" "logs" {\n  domain_name = "logs"\n}\n\n'
            'data "aws_iam_policy_document" "open" {\n  statement {\n    actions = ["es:*"]\n    principals {\n'
            '      type        = "AWS"\n      identifiers = ["*"]\n    }\n    condition {\n'
            '      test     = "Bool"\n      variable = "aws:SecureTransport"\n      values   = ["true"]\n    }\n'
            '  }\n}\n\nresource "aws_elasticsearch_domain_policy" "logs" {\n'
            "  domain_name     = aws_elasticsearch_domain.logs.domain_name\n"
            "  access_policies = data.aws_iam_policy_document.open.json\n}\n",
            10,
        ),
        Bad(
            "search.yaml",
            "Resources:\n  Logs:\n    Type: AWS::OpenSearchService::Domain\n    Properties:\n"
            "      AccessPolicies:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n"
            "            Principal: {AWS: '*'}\n            Action: 'es:*'\n"
            "            Resource: !Sub 'arn:aws:es:${AWS::Region}:${AWS::AccountId}:domain/logs/*'\n",
            5,
            note="CloudFormation",
        ),
    )
    good = (
        Good(
            "search.tf",
            'resource "aws_opensearch_domain" "logs" {\n  domain_name = "logs"\n  vpc_options {\n'
            '    subnet_ids = ["subnet-1"]\n  }\n  access_policies = jsonencode({\n    Version = "2012-10-17"\n'
            '    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "es:*", Resource = "*" }]\n'
            "  })\n}\n",
            note="inside a VPC",
        ),
        Good(
            "search.tf",
            'resource "aws_opensearch_domain" "logs" {\n  domain_name = "logs"\n  access_policies = <<POLICY\n'
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},\n'
            ' "Action": "es:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}]}\n'
            "POLICY\n}\n",
            note="an IP condition",
        ),
        Good(
            "search.tf",
            'resource "aws_opensearch_domain" "logs" {\n  domain_name = "logs"\n  advanced_security_options {\n'
            "    enabled                        = true\n    internal_user_database_enabled = true\n  }\n"
            '  access_policies = jsonencode({\n    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, '
            'Action = "es:*", Resource = "*" }]\n  })\n}\n',
            note="fine-grained access control: the open policy is the one AWS documents for it",
        ),
        Good(
            "search.yaml",
            "Resources:\n  Logs:\n    Type: AWS::OpenSearchService::Domain\n    Properties:\n"
            "      AccessPolicies:\n        Statement:\n          - Effect: Allow\n"
            "            Principal: {AWS: !GetAtt Reader.Arn}\n            Action: 'es:ESHttpGet'\n",
            note="CloudFormation: one named role",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if isinstance(doc, TreeDocument):
            source = stacks.reader(doc)
            for domain, node, policy in stacks.public_search_policies(doc, ctx.project):
                found = from_json(policy)
                if found is not None and any(open_to_anyone(s) for s in found.statements):
                    yield self.finding(
                        doc,
                        node.span,
                        f"{domain.logical_id} {source.ACCESS_POLICIES} allow Principal * without a condition that "
                        f"narrows the callers, on a public endpoint (no {source.VPC_OPTIONS}): anyone on the "
                        "internet can read and delete the indices",
                        anchor=f"{domain.logical_id}.{source.ACCESS_POLICIES}",
                        ctx=ctx,
                    )
        elif isinstance(doc, TerraformDocument):
            yield from self._terraform(doc, ctx)

    def _terraform(self, doc: TerraformDocument, ctx: RuleContext) -> Iterator[Finding]:
        module = terraform.module_for(doc, ctx.project)
        for block in doc.resources(*_DOMAINS):
            attr = block.get("access_policies")
            if attr is not None and _public(block):
                yield from self._policy(doc, block, attr, module, ctx)
        for block in doc.resources(*_POLICIES):
            attr = block.get("access_policies")
            if attr is None:
                continue
            domain = self._domain(doc, block, ctx)
            if domain is not None and _public(domain):
                yield from self._policy(doc, block, attr, module, ctx)

    def _policy(
        self, doc: TerraformDocument, block: Block, attr: Attribute, module: terraform.Module, ctx: RuleContext
    ) -> Iterator[Finding]:
        found = policy(attr.expr, module)
        opened = [s for s in found.statements if open_to_anyone(s)] if found is not None else []
        if not opened or found is None:
            return
        # A data source in this file shows the wildcard principal itself; elsewhere, the attribute.
        here = found.path == doc.path and opened[0].span is not None
        related = [{"path": found.path, "line": opened[0].span.line}] if opened[0].span and not here else []
        yield self.finding(
            doc,
            opened[0].span if here and opened[0].span is not None else attr.span,
            f"{block.address} access_policies allow Principal * without a condition that narrows the callers, on "
            "a public endpoint (no vpc_options): anyone on the internet can read and delete the indices",
            anchor=f"{block.address}.access_policies",
            ctx=ctx,
            related=related,
        )

    @staticmethod
    def _domain(doc: TerraformDocument, policy: Block, ctx: RuleContext) -> Block | None:
        """The domain block a ``*_domain_policy`` names through ``domain_name = aws_x.y.domain_name``."""
        name = policy.get("domain_name")
        if name is None or name.expr.kind != "reference":
            return None
        address = ".".join(str(name.expr.value).split(".")[:2])
        for sibling in ctx.project.siblings(doc, (".tf",)):
            if isinstance(sibling, TerraformDocument):
                for block in sibling.resources(*_DOMAINS):
                    if block.address == address:
                        return block
        return None
