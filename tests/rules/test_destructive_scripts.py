"""Destructive-operation rules on scripts (DO001-DO049): fixtures, incident replicas, guards."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.documents import ShellDocument
from guardrails.engine import Engine, Settings
from guardrails.facts.destructive_python import PythonScan
from guardrails.facts.destructive_shell import DETECTORS, Scope, located_commands
from guardrails.facts.destructive_sql import disposable_name, is_down_file, is_migration
from guardrails.facts.shell_guards import Guards, GuardSettings
from guardrails.model import Kind, Severity
from guardrails.parsers import parse
from guardrails.registry import all_rules
from guardrails.rule import Rule
from guardrails.testing import score_fixtures

REPO = Path(__file__).resolve().parents[2]
INCIDENTS = ("gitlab-2017", "digitalocean-2017")


def script_rules() -> tuple[type[Rule], ...]:
    return tuple(r for r in all_rules() if r.id.startswith("DO") and int(r.id[2:]) < 50)


def test_fixtures_precision_and_recall_are_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every annotated line of fixtures/destructive and the replicas is reported, and nothing else."""
    monkeypatch.chdir(REPO)
    roots = [Path("fixtures/destructive")] + [
        Path("fixtures/incidents") / f"{n}{s}" for n in INCIDENTS for s in ("", "-fixed")
    ]
    covered: set[str] = set()
    for root in roots:
        scores = score_fixtures(root, script_rules())
        wrong = {
            k: (v.false_positives, v.false_negatives)
            for k, v in scores.items()
            if v.false_positives or v.false_negatives
        }
        assert not wrong, root
        assert all(s.precision == 1.0 and s.recall == 1.0 for s in scores.values())
        covered |= {k for k, v in scores.items() if v.true_positives}
    assert covered == {r.id for r in script_rules()}, "every rule needs a bad fixture"


@pytest.mark.parametrize("incident", INCIDENTS)
def test_incident_replica_is_flagged_and_its_fix_is_clean(incident: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    bad = Engine(Settings(rules=script_rules())).scan([Path("fixtures/incidents") / incident])
    assert bad.findings and all(f.severity >= Severity.HIGH for f in bad.findings)
    assert any(f.severity is Severity.CRITICAL for f in bad.findings)
    fixed = Engine(Settings(rules=all_rules())).scan([Path("fixtures/incidents") / f"{incident}-fixed"])
    assert [f.rule_id for f in fixed.findings if f.category.value == "destructive-operation"] == []


def _guard(script: str, command: str = "dropdb", options: dict | None = None) -> str | None:
    doc = parse("x.sh", script, Kind.SHELL)
    assert isinstance(doc, ShellDocument)
    cmd = next(c for c in doc.commands if c.command == command)
    return Guards(doc, GuardSettings.from_options(options or {})).reason(cmd)


@pytest.mark.parametrize(
    "script",
    [
        'if [ "$ENV" != production ]; then dropdb app; fi\n',
        "if [[ $RAILS_ENV == staging ]]; then dropdb app; fi\n",
        '[ "$APP_ENV" = production ] || dropdb app\n',
        'if [ "$ENV" = production ]; then echo no; else dropdb app; fi\n',
        '[ "$ENV" = production ] && exit 1\ndropdb app\n',
        'if [ "${STAGE}" = "prd" ]; then\n  exit 1\nfi\ndropdb app\n',
        'case "$(hostname -f)" in\n  db2-staging*) dropdb app ;;\nesac\n',
        'H=$(hostname -s)\n[ "$H" = db-stg-2 ] && dropdb app\n',
        'case "$PGHOST" in\n  *.test.internal) ;;\n  *) exit 1 ;;\nesac\ndropdb app\n',
        'read -r -p "sure? " answer\nif [ "$answer" = yes ]; then dropdb app; fi\n',
        'read -r ok\n[ "$ok" = y ] || exit 1\ndropdb app\n',
        'if gum confirm "Drop?"; then dropdb app; fi\n',
        'DRY_RUN=${DRY_RUN:-true}\nif [ "$DRY_RUN" != true ]; then dropdb app; fi\n',
        ': "${DRY_RUN:=1}"\nif [ "$DRY_RUN" = 1 ]; then echo would; else dropdb app; fi\n',
        "if [[ ! $ENV =~ ^prod ]]; then dropdb app; fi\n",
    ],
)
def test_guards_that_count(script: str) -> None:
    assert _guard(script) is not None


@pytest.mark.parametrize(
    "script",
    [
        "dropdb app\n",
        'if [ -n "$ENV" ]; then dropdb app; fi\n',
        'if [ -z "$ENV" ]; then dropdb app; fi\n',
        'if [ "$ENV" = "" ]; then dropdb app; fi\n',
        'if [ "$ENV" != staging ]; then dropdb app; fi\n',
        'if ! [ "$ENV" = staging ]; then dropdb app; fi\n',
        '[ "$ENV" != production ] || dropdb app\n',
        'if [ "$ENV" = "$TARGET" ]; then dropdb app; fi\n',
        'case "$(hostname -f)" in\n  *) dropdb app ;;\nesac\n',
        'case "$(hostname -f)" in\n  db1.cluster.example.com) dropdb app ;;\nesac\n',
        'if [ "$ENV" = production ]; then\n  if [ -z "$FORCE" ]; then exit 1; fi\nfi\ndropdb app\n',
        "f() { exit 1; }\ndropdb app\n",
        'DRY_RUN=${DRY_RUN:-false}\nif [ "$DRY_RUN" != true ]; then dropdb app; fi\n',
        "read -r answer\ndropdb app\n",
        'dropdb app\n[ "$ENV" = production ] && exit 1\n',
    ],
)
def test_checks_that_are_not_guards(script: str) -> None:
    assert _guard(script) is None


def test_guard_options_are_configurable() -> None:
    script = 'if [ "$TIER" != gold ]; then dropdb app; fi\n'
    assert _guard(script) is None
    assert _guard(script, options={"environment_variables": ["TIER"], "production_names": ["gold"]}) is not None


def test_wrapped_commands_point_at_the_wrapping_word(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"run.sh": "#!/bin/sh\nset -e\nssh db1 \\\n  \"sudo -u postgres psql -c 'DROP DATABASE app'\"\n"})
    rules = tuple(r for r in all_rules() if r.id == "DO001")
    findings = Engine(Settings(rules=rules), cwd=root).scan([Path(".")]).findings
    assert [(f.span.line, f.span.column) for f in findings] == [(4, 3)]
    assert "via ssh db1 / sudo" in findings[0].message and "DROP DATABASE app" in findings[0].message


def test_sql_file_piped_into_psql_is_read_relative_to_the_script(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo(
        {
            "ops/reset.sh": "#!/bin/sh\npsql < sql/drop.sql\ncat sql/keep.sql | psql\n",
            "ops/sql/drop.sql": "DROP DATABASE orders;\n",
            "ops/sql/keep.sql": "-- DROP DATABASE orders;\nSELECT 1;\n",
        }
    )
    rules = tuple(r for r in all_rules() if r.id == "DO001")
    findings = Engine(Settings(rules=rules), cwd=root).scan([Path("ops/reset.sh")]).findings
    assert [(f.path, f.span.line) for f in findings] == [("ops/reset.sh", 2)]
    assert findings[0].severity is Severity.CRITICAL


def test_messages_name_the_command_and_resolved_variable(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo({"wipe.sh": '#!/bin/sh\nD=/var/lib/mysql\nrm -rf "$D"\n'})
    rules = tuple(r for r in all_rules() if r.id == "DO005")
    (finding,) = Engine(Settings(rules=rules), cwd=root).scan([Path(".")]).findings
    assert "$D = /var/lib/mysql" in finding.message and finding.anchor == "rm:/var/lib/mysql"


@pytest.mark.parametrize(
    ("path", "down"),
    [
        ("migrations/0004_x.down.sql", True),
        ("db/migrations/U4__x.sql", True),
        ("db/rollback/4_x.sql", True),
        ("migrations/0004_revert_names.sql", True),
        ("migrations/0004_x.up.sql", False),
        ("db/migrations/V4__download_stats.sql", False),
    ],
)
def test_down_migration_boundary(path: str, down: bool) -> None:
    assert is_down_file(path) is down


def test_migration_and_disposable_name_boundaries() -> None:
    assert is_migration("db/migrate/20240101_x.sql", "")
    assert is_migration("V2__init.sql", "")
    assert is_migration("schema/roles.sql", "-- +goose Up\nSELECT 1;\n")
    assert not is_migration("scripts/cleanup.sql", "TRUNCATE t;")
    assert disposable_name("app_test") and disposable_name("ci-4821") and disposable_name("review-pr-12")
    assert not disposable_name("contest") and not disposable_name("orders")


def _hits(script: str) -> list[str]:
    """What the shell detectors report in ``script``, guards aside."""
    doc = parse("x.sh", script, Kind.SHELL)
    assert isinstance(doc, ShellDocument)
    scope = Scope(None, {})
    return [
        hit.what for located in located_commands(doc) for detect in DETECTORS.values() for hit in detect(located, scope)
    ]


@pytest.mark.parametrize(
    "script",
    [
        'dropdb "pr_${PR_NUMBER}"\n',
        'DB="app_$RANDOM"\ndropdb "$DB"\n',
        'NAME=$(uuidgen)\nDB="copy_$NAME"\ndropdb "$DB"\n',
        'D=$(openssl rand -hex 4)\npsql -c "DROP DATABASE d$D"\n',
        'N="pr-$CI_MERGE_REQUEST_IID"\nkubectl delete namespace "$N"\n',
        'createdb "$DB"\npsql -d "$DB" -f seed.sql\ndropdb "$DB"\n',
        'psql -c "CREATE DATABASE \\"$DB\\" TEMPLATE orders"\npsql -c "DROP DATABASE \\"$DB\\""\n',
        'mysqladmin create "$DB"\nmysqladmin --force drop "$DB"\n',
        'kubectl create ns "$NS"\nkubectl delete ns "$NS"\n',
        'helm upgrade --install "redis-$X" bitnami/redis\nhelm uninstall "redis-$X"\n',
    ],
)
def test_names_the_script_made_are_throwaway(script: str) -> None:
    assert _hits(script) == []


@pytest.mark.parametrize(
    "script",
    [
        'dropdb "$DB"\n',
        'dropdb "$DB"\ncreatedb "$DB"\n',
        'createdb "$DB"\nDB=orders\ndropdb "$DB"\n',
        "createdb orders_copy\ndropdb orders\n",
        'kubectl create ns "$NS"\ndropdb "$NS"\n',
        'f() { createdb "$DB"; }\ndropdb "$DB"\n',
        'DB=${DB_NAME:-app_$RANDOM}\ndropdb "$DB"\n',
        'createdb "$(name)"\ndropdb "$(name)"\n',
        'dropdb "$PR_NUMBER_DB"\n',
    ],
)
def test_names_the_script_did_not_make_are_reported(script: str) -> None:
    assert len(_hits(script)) == 1


def _python_guard(body: str) -> str | None:
    """The guard of the one ``drop_all`` call in a module with the usual imports."""
    header = (
        "import argparse\nimport os\nimport sys\n\nimport click\nimport typer\n\nparser = argparse.ArgumentParser()\n"
    )
    doc = parse("reset.py", header + body, Kind.PYTHON)
    scan = PythonScan(doc, GuardSettings.from_options({}))  # type: ignore[arg-type]
    call = next(c for c in scan.calls() if scan.method(c) == "drop_all")
    return scan.guard_reason(call.node)


@pytest.mark.parametrize(
    "body",
    [
        "parser.add_argument('--force', action='store_true')\nargs = parser.parse_args()\n"
        "if args.force:\n    Base.metadata.drop_all(e)\n",
        "parser.add_argument('--no-dry-run', action='store_true')\nargs = parser.parse_args()\n"
        "if args.no_dry_run:\n    Base.metadata.drop_all(e)\n",
        "parser.add_argument('--apply', dest='dry_run', action='store_false')\nargs = parser.parse_args()\n"
        "dry_run = args.dry_run\nif not dry_run:\n    Base.metadata.drop_all(e)\n",
        "parser.add_argument('--yes', action=argparse.BooleanOptionalAction)\nargs = parser.parse_args()\n"
        "if args.yes:\n    Base.metadata.drop_all(e)\n",
        "parser.add_argument('--force', action='store_true')\nargs = parser.parse_args()\n"
        "if not args.force:\n    sys.exit('dry run')\nBase.metadata.drop_all(e)\n",
        "@click.command()\n@click.option('--dry-run/--no-dry-run', default=True)\ndef main(dry_run):\n"
        "    if not dry_run:\n        Base.metadata.drop_all(e)\n",
        "@click.command()\n@click.option('-y', '--yes', is_flag=True)\ndef main(yes):\n"
        "    if not yes:\n        return\n    Base.metadata.drop_all(e)\n",
        "def main(force: bool = typer.Option(False, '--force')):\n    if force:\n        Base.metadata.drop_all(e)\n",
        "def abort(ctx, param, value):\n    if not value:\n        ctx.abort()\n\n@click.command()\n"
        "@click.option('--yes', is_flag=True, callback=abort, expose_value=False, prompt='Sure?')\n"
        "def main():\n    Base.metadata.drop_all(e)\n",
    ],
)
def test_python_opt_in_flags_are_guards(body: str) -> None:
    assert _python_guard(body) is not None


@pytest.mark.parametrize(
    "body",
    [
        "parser.add_argument('--force', action='store_true', default=True)\nargs = parser.parse_args()\n"
        "if args.force:\n    Base.metadata.drop_all(e)\n",
        "parser.add_argument('--dry-run', action='store_true')\nargs = parser.parse_args()\n"
        "if not args.dry_run:\n    Base.metadata.drop_all(e)\n",
        "parser.add_argument('--force', action='store_true')\nargs = parser.parse_args()\n"
        "if args.force or os.environ.get('CI'):\n    Base.metadata.drop_all(e)\n",
        "parser.add_argument('--production', action='store_true')\nargs = parser.parse_args()\n"
        "if args.production:\n    Base.metadata.drop_all(e)\n",
        "@click.command()\n@click.option('--force', is_flag=True, default=True)\ndef main(force):\n"
        "    if force:\n        Base.metadata.drop_all(e)\n",
        "parser.add_argument('--force', action='store_true')\nargs = parser.parse_args()\n"
        "if args.force:\n    print('forced')\nBase.metadata.drop_all(e)\n",
        "def main(force=False):\n    if force:\n        Base.metadata.drop_all(e)\n",
    ],
)
def test_python_flags_that_are_not_opt_ins(body: str) -> None:
    assert _python_guard(body) is None
