"""A file of a supported kind that cannot be parsed is a finding, never a silent pass."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import FailedDocument
from guardrails.model import Category, Document, Finding, Incident, Kind, Severity, Span
from guardrails.rule import Bad, Good, Rule, RuleContext


class UnparseableInput(Rule):
    id = "GR001"
    name = "unparseable-input"
    title = "File of a supported kind could not be parsed"
    category = Category.UNPARSEABLE_INPUT
    severity = Severity.HIGH
    kinds = frozenset(Kind)
    reads_failures = True
    sensitive = True  # the unparseable line may hold a credential: reports never quote it
    incidents = (
        Incident(
            "Checkov exits 0 when files fail to parse: flawed templates slip past CI unnoticed",
            "2023-06-22",
            "https://github.com/bridgecrewio/checkov/issues/5248",
        ),
    )
    rationale = (
        "A gate that skips what it cannot read reports a broken file as safe. The file may hold exactly the "
        "change the gate exists to stop. Unknown answer: stop cleanly. Shell embedded in another file "
        "(a CI step, a Dockerfile RUN) that cannot be parsed is reported at medium severity. Valid shell that "
        'the shell grammar misreads (`for x do`, `[ "$a" \'<\' "$b" ]`) is checked around the misread line, '
        "and a compound command followed by a reserved word with no `;` (`if (pg_isready) then`, `fi done`) "
        "or a substring offset that starts with a parameter (`${@:$n}`) is read as bash reads it; a script is "
        "reported when it lacks a token (an unclosed `if`, loop or "
        "quote), when most of it cannot be read, or when it is binary."
    )
    remediation = (
        "Fix the syntax error at the reported position (the file would also fail in its own tool), or, for "
        "templated files, scan the rendered output (`helm template … | guardrails scan - --stdin-filename x.yaml`)."
    )
    bad = (
        Bad("docker-compose.yml", "services:\n  db:\n    image: mongo\n     ports: [27017]\n", 4),
        Bad("main.tf", 'resource "aws_db_instance" "db" {\n  engine = \n}\n', 2),
        Bad("Dockerfile", "FROM alpine\nRUNN echo hi\n", 2),
    )
    good = (
        Good("docker-compose.yml", "services:\n  web:\n    image: nginx\n"),
        Good("main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if not isinstance(doc, FailedDocument) or doc.error is None:
            return
        error = doc.error
        embedded = doc.parent is not None
        what = f"embedded shell ({doc.context})" if embedded else f"{doc.kind.value} file"
        span = Span.point(error.line, error.column)
        yield self.finding(
            doc,
            span,
            f"cannot parse this {what}: {error.message}; it was not checked",
            anchor=f"parse:{doc.kind.value}",
            ctx=ctx,
            severity=Severity.MEDIUM if embedded else None,
        )
