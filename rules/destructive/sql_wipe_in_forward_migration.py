"""TRUNCATE or DELETE without WHERE in a forward migration."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import SqlDocument
from guardrails.facts import destructive_sql
from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017
from guardrails.facts.destructive_sql import SqlFileRule
from guardrails.model import Category, Document, Finding, Kind, Severity
from guardrails.rule import Bad, Good, RuleContext


class SqlWipeInForwardMigration(SqlFileRule):
    id = "DO031"
    name = "sql-table-wipe-in-forward-migration"
    title = "Forward migration empties a table (TRUNCATE, or DELETE without WHERE)"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.HIGH
    kinds = frozenset({Kind.SQL})
    operations = frozenset({"TRUNCATE", "DELETE"})
    incidents = (DIGITALOCEAN_2017,)
    rationale = (
        "A forward migration runs on production at the next deploy. TRUNCATE, and DELETE FROM without a WHERE "
        "(or LIMIT), remove every row of the table there too; sql_safe_updates is off by default. Down "
        "migrations (`*.down.sql`, Flyway `U__`, rollback/revert/undo in the path, `-- +goose Down` and "
        "`-- +migrate Down` sections) are left out: they reverse their own up. DROP TABLE is out of scope (it "
        "is how schemas change), so a test schema's `DROP TABLE IF EXISTS` is fine."
    )
    remediation = (
        "Delete only what the migration means to remove (`DELETE FROM t WHERE …`), move data clean-ups to a "
        "reviewed one-off job, or copy the rows to an archive table first."
    )
    bad = (Bad("migrations/0009_reset_events.up.sql", "TRUNCATE TABLE events;\nDELETE FROM sessions;\n", 1, 2),)
    good = (
        Good("migrations/0009_reset_events.down.sql", "TRUNCATE TABLE events;\n"),
        Good("migrations/0010_prune.up.sql", "DELETE FROM sessions WHERE expires_at < now();\n"),
        Good(
            "db/migrations/20240102_seed.sql",
            "-- +migrate Up\nINSERT INTO roles VALUES (1);\n-- +migrate Down\nDELETE FROM roles;\n",
        ),
        Good("scripts/cleanup.sql", "TRUNCATE TABLE scratch;\n", note="not a migration"),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if not isinstance(doc, SqlDocument) or not destructive_sql.is_migration(doc.path, doc.text):
            return
        if destructive_sql.is_down_file(doc.path):
            return
        down = destructive_sql.down_lines(doc.text)
        for hit in self.hits(doc):
            stmt = hit.statement
            if stmt.span.line in down:
                continue
            message = f"forward migration runs `{hit.summary}`: every row goes on each environment it reaches"
            yield self.finding(doc, stmt.span, message, anchor=hit.summary.lower(), ctx=ctx)
