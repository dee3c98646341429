"""A file of a supported kind that guardrails did not read is a finding, never a silent pass."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import FailedDocument
from guardrails.model import Category, Document, Finding, Incident, Kind, Severity, Span
from guardrails.rule import Bad, Good, Rule, RuleContext


class UnscannedFile(Rule):
    id = "GR006"
    name = "unscanned-file"
    title = "File of a supported kind was not read (too large, unreadable, binary, or Python of a newer grammar)"
    category = Category.UNPARSEABLE_INPUT
    severity = Severity.HIGH
    kinds = frozenset(Kind)
    reads_failures = True
    incidents = (
        Incident(
            "Checkov exits 0 when files fail to parse: flawed templates slip past CI unnoticed",
            "2023-06-22",
            "https://github.com/bridgecrewio/checkov/issues/5248",
        ),
    )
    rationale = (
        "A Terraform plan over the size limit, a manifest the CI user cannot read, a script with a NUL byte: "
        "each is a file the gate was asked to check and did not. So is Python that the interpreter running "
        "guardrails refuses but libcst reads (a newer grammar, such as 3.12's `type` statement) and that names a "
        "word a Python rule reports on: the Python rules read CPython's own syntax tree, so nothing checks it; "
        "one that names none would report nothing and is only listed as skipped. Listing it as skipped while exiting 0 "
        "reports it as safe, and the largest plan is often the one that replaces the production database."
    )
    remediation = (
        "Raise the limit (`--max-file-size BYTES`; Terraform plan JSON already gets 256 MiB), fix the file's "
        "permissions, or remove the stray bytes; run guardrails on the Python version the code is written for; "
        "exclude the file in the configuration (`exclude:`) if it is not meant to be checked."
    )
    bad = (Bad("main.tf", 'resource "aws_db_instance" "db" {\n  engine = "postgres"\x00\n}\n', 1),)
    good = (
        Good("main.tf", 'resource "aws_db_instance" "db" {\n  engine = "postgres"\n}\n'),
        Good("scripts/points.py", "Point = tuple[float, float]\n"),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if not isinstance(doc, FailedDocument) or doc.unscanned is None:
            return
        if doc.kind is Kind.PYTHON and doc.text and not _python_rules_may_report(doc.text):
            return  # names nothing a Python rule reads: reading it would report nothing
        yield self.finding(
            doc,
            Span.point(1),
            f"this {doc.kind.value} file was not read ({doc.unscanned}); it was not checked",
            anchor=f"unscanned:{doc.kind.value}",
            ctx=ctx,
        )


def _python_rules_may_report(text: str) -> bool:
    """Whether a Python rule's cheap test (the words its reports need) passes ``text``."""
    from guardrails.registry import all_rules

    python_rules = (rule for rule in all_rules() if Kind.PYTHON in rule.kinds and hasattr(rule, "may_report"))
    return any(rule.may_report(text) for rule in python_rules)
