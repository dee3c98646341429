"""DROP DATABASE / DROP SCHEMA … CASCADE in a migration."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import SqlDocument
from guardrails.facts import destructive_sql
from guardrails.facts.destructive_incidents import DIGITALOCEAN_2017
from guardrails.facts.destructive_sql import SqlFileRule
from guardrails.model import Category, Document, Finding, Kind, Severity
from guardrails.rule import Bad, Good, RuleContext


class SqlDropDatabaseMigration(SqlFileRule):
    id = "DO030"
    name = "sql-drop-database-in-migration"
    title = "Migration drops a database or a whole schema"
    category = Category.DESTRUCTIVE_OPERATION
    severity = Severity.CRITICAL
    kinds = frozenset({Kind.SQL})
    operations = frozenset({"DROP DATABASE", "DROP SCHEMA"})
    incidents = (DIGITALOCEAN_2017,)
    rationale = (
        "A migration runs on every environment, production included, and no migration tool asks before "
        "running one. DROP DATABASE, or DROP SCHEMA … CASCADE (which drops every table in it), in a "
        "migration deletes production data on the next deploy. A migration is a .sql file under a "
        "migrations-like directory (migrations, migrate, flyway, liquibase, changelog), named like Flyway "
        "(`V3__x.sql`) or golang-migrate (`0003_x.up.sql`), or with goose / sql-migrate section markers. "
        "DROP SCHEMA … CASCADE in a down migration or a `-- +goose Down` section reverses what the up "
        "created and is left out; DROP DATABASE is reported even there. Throwaway names (`app_test`) are left out."
    )
    remediation = (
        "Take database and schema deletion out of migrations: do it by hand, with a backup checked, or in a "
        "down migration that only reverses its own up. Rename or archive the schema instead of dropping it."
    )
    bad = (
        Bad("db/migrations/V7__reset.sql", "-- clean slate\nDROP SCHEMA app CASCADE;\nCREATE SCHEMA app;\n", 2),
        Bad("migrations/0004_split.up.sql", "DROP DATABASE IF EXISTS legacy;\n", 1),
    )
    good = (
        Good("migrations/0004_app.down.sql", "DROP SCHEMA app CASCADE;\n", note="a down migration"),
        Good(
            "db/migrations/20240101_app.sql",
            "-- +goose Up\nCREATE SCHEMA app;\n-- +goose Down\nDROP SCHEMA app CASCADE;\n",
            note="goose Down section",
        ),
        Good("db/migrations/V8__note.sql", "-- DROP DATABASE legacy; (done by hand)\nSELECT 1;\n"),
        Good("tests/schema.sql", "DROP TABLE IF EXISTS users;\nCREATE TABLE users (id int);\n"),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if not isinstance(doc, SqlDocument) or not destructive_sql.is_migration(doc.path, doc.text):
            return
        down_file = destructive_sql.is_down_file(doc.path)
        down = destructive_sql.down_lines(doc.text)
        for hit in self.hits(doc):
            stmt = hit.statement
            if hit.operation == "DROP SCHEMA" and (not hit.cascade or down_file or stmt.span.line in down):
                continue
            if hit.names and all(destructive_sql.disposable_name(n) for n in hit.names):
                continue
            message = f"migration runs `{hit.summary}`: every environment it is deployed to loses that data"
            yield self.finding(doc, stmt.span, message, anchor=hit.summary.lower(), ctx=ctx)
