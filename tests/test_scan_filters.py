"""The cheap filters before the costly work on shell and SQL files (issue 17): the words come
from the rules' own declarations, and no command or statement a rule reports is filtered out."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from guardrails.detect import detect
from guardrails.documents import ShellDocument, SqlDocument, SqlStatement
from guardrails.engine import Engine, Settings
from guardrails.facts import shells
from guardrails.facts.destructive_shell import (
    COMMAND_WORDS,
    DETECTORS,
    Commands,
    Scope,
    ShellDestructiveRule,
    commands_of,
    located_commands,
)
from guardrails.facts.destructive_sql import OPERATIONS, SqlFileRule
from guardrails.model import Kind, ParseError
from guardrails.parsers import shell as shell_parser
from guardrails.parsers import sql
from guardrails.pipeline import load_text, parse_text
from guardrails.project import Project
from guardrails.registry import all_rules
from guardrails.rule import Bad, Rule, RuleContext
from guardrails.testing import expectations, run_example
from tests.test_python_prefilter import _shell_documents

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SHELL_RULES = [rule for rule in all_rules() if issubclass(rule, ShellDestructiveRule)]
SQL_RULES = [rule for rule in all_rules() if Kind.SQL in rule.kinds and rule.id.startswith("DO")]


# --------------------------------------------------------------------------- shell


def test_every_shell_rule_reads_a_declared_detector() -> None:
    assert SHELL_RULES
    assert all(rule.pattern in DETECTORS and DETECTORS[rule.pattern].words for rule in SHELL_RULES)


def test_no_command_a_detector_reports_is_left_out_of_the_index() -> None:
    """Each detector's ``find`` (without the words check) run on every command of every script
    of the fixtures and examples: what it reports holds one of its declared words, so the
    index hands it over."""
    scope = Scope(None, {})
    reported = 0
    for path, doc in _shell_documents():
        commands = Commands(doc)
        for pattern, detector in DETECTORS.items():
            handed = {id(located) for located in commands.naming(detector.words)}
            for located in commands.every:
                if next(iter(detector.find(located, scope)), None) is not None:
                    reported += 1
                    assert id(located) in handed, (path, pattern, located.cmd.text)
    assert reported > 50


@pytest.mark.parametrize("rule", SHELL_RULES, ids=lambda rule: rule.id)
def test_shell_bad_examples_reach_their_detector(rule: type[ShellDestructiveRule]) -> None:
    detector = DETECTORS[rule.pattern]
    scope = Scope(None, {})
    for example in rule.bad:
        text = example.files[example.primary]
        kind = detect(example.primary, text.encode()[:4096])
        assert isinstance(kind, Kind)
        document = load_text(example.primary, text, kind).document
        assert document is not None
        shells = [doc for doc in document.iter_tree() if doc.kind is Kind.SHELL]
        if not shells:
            assert any(d.kind is Kind.ANSIBLE for d in document.iter_tree()), example.primary  # a module task
            continue
        handed = [located for doc in shells for located in Commands(doc).naming(detector.words)]  # type: ignore[arg-type]
        assert any(next(iter(detector(located, scope)), None) for located in handed), example.primary


def test_index_follows_wrappers_to_the_inner_command() -> None:
    text = (
        "#!/bin/sh\necho start\nsudo -u postgres dropdb app\nenv A=1 xargs echo\n"
        "ssh db1 'redis-cli FLUSHALL'\nkubectl exec -it pod -- psql -c 'DROP DATABASE app'\n"
        'bash -c "rm -rf /var/lib/mysql"\ndocker exec db mongosh --eval "db.dropDatabase()"\n'
    )
    doc = parse_text("ops/reset.sh", text, Kind.SHELL)
    commands = Commands(doc)  # type: ignore[arg-type]

    def named(word: str) -> list[tuple[str, str]]:
        return [(c.cmd.command, c.via) for c in commands.naming(frozenset({word}))]

    assert named("dropdb") == [("sudo", ""), ("dropdb", "sudo")]  # a word of the sudo command, and its inner one
    assert named("redis-cli") == [("redis-cli", "ssh db1")]
    assert named("psql") == [("kubectl", ""), ("psql", "kubectl exec")]
    assert named("rm") == [("rm", "bash -c")]
    assert named("mongosh") == [("docker", ""), ("mongosh", "docker exec db")]
    assert commands.naming(frozenset({"echo"})) == []  # not a detector word: not indexed
    every = list(located_commands(doc))  # type: ignore[arg-type]
    indexed = [c for c in every if c.words & COMMAND_WORDS]
    assert len(indexed) == len(commands.naming(COMMAND_WORDS))


def test_a_script_is_unwrapped_once_for_every_rule(tmp_path: Path) -> None:
    doc = parse_text("ops/reset.sh", "#!/bin/sh\ndropdb app\n", Kind.SHELL)
    project = Project(tmp_path, tmp_path, 1 << 20)
    first = commands_of(doc, project)  # type: ignore[arg-type]
    assert commands_of(doc, project) is first  # type: ignore[arg-type]
    other = parse_text("ops/reset.sh", "#!/bin/sh\ndropdb app\n", Kind.SHELL)
    assert commands_of(other, project) is not first  # type: ignore[arg-type]  # same path, another script


# --------------------------------------------------------------------------- SQL


def test_every_sql_rule_declares_the_operations_it_reports() -> None:
    assert SQL_RULES
    for rule in SQL_RULES:
        assert issubclass(rule, SqlFileRule) and rule.operations
        assert rule.words == {OPERATIONS[operation] for operation in rule.operations}


def _statements(path: str, text: str) -> list[SqlStatement]:
    doc = parse_text(path, text, Kind.SQL)
    assert isinstance(doc, SqlDocument)
    return doc.statements


@pytest.mark.parametrize("rule", SQL_RULES, ids=lambda rule: rule.id)
def test_sql_bad_examples_pass_the_filter(rule: type[SqlFileRule]) -> None:
    for example in rule.bad:
        statements = _statements(example.primary, example.files[example.primary])
        for line in example.lines:
            assert any(s.span.line == line and s.mentions(rule.words) for s in statements), (example.primary, line)


def test_sql_fixtures_with_expected_findings_pass_the_filter() -> None:
    by_id = {rule.id: rule for rule in SQL_RULES}
    expected = [(rule_id, path, line) for rule_id, path, line in expectations(FIXTURES) if rule_id in by_id]
    assert expected
    for rule_id, path, line in expected:
        statements = _statements(path, Path(path).read_text(encoding="utf-8"))
        words = by_id[rule_id].words
        assert any(s.span.line <= line <= s.span.end_line and s.mentions(words) for s in statements), (rule_id, path)


TRICKY_SQL = [
    "CREATE FUNCTION f() RETURNS int AS $$ BEGIN DELETE FROM t; RETURN 1; END $$ LANGUAGE plpgsql;\nDROP DATABASE x;\n",
    "CREATE PROCEDURE p() BEGIN DELETE FROM t; DROP TABLE x; END;\nDROP DATABASE y;",
    "BEGIN;\nDELETE FROM t;\nCOMMIT;\n",
    "BEGIN TRANSACTION;\nDELETE FROM t;\nEND;\nTRUNCATE x;",
    "SELECT (1;\nDROP DATABASE a;\nSELECT 1);\nDROP DATABASE b;",  # an open parenthesis keeps the ; in
    'SELECT "a;b" FROM t; DROP DATABASE c; SELECT `x;(` ; DELETE FROM z',
    "SELECT [a;b] FROM t; DROP SCHEMA s CASCADE;",
    "SELECT 1 # comment; DROP DATABASE q\n; DELETE FROM w;",
    "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN\n IF NEW.a THEN DELETE FROM u; END IF;\nEND;\n"
    "DROP DATABASE z;",
    "DECLARE x int; DELETE FROM t;",
    "SELECT 1 GO DELETE FROM t;",
    "delete from t; drop database x ; truncate y",
    "-- MySQL dump\n/*!40101 SET NAMES utf8 */;\nDROP TABLE IF EXISTS `users`;\nCREATE TABLE `users` (\n  `id` int,"
    " `delete` int,\n  PRIMARY KEY (`id`)\n);\nLOCK TABLES `users` WRITE;\nINSERT INTO `users` VALUES (1,'a;b'),"
    "(2,'it\\'s (');\nUNLOCK TABLES;\nDELIMITER ;;\nCREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW BEGIN "
    "DELETE FROM x; END ;;\nDELIMITER ;\nDELETE FROM `users`;\nDROP DATABASE IF EXISTS `shop`;\n",
    "SET ANSI_NULLS ON\nGO\nCREATE PROCEDURE dbo.p AS\nBEGIN\n  DELETE FROM [dbo].[t;x];\nEND\nGO\n"
    "DROP DATABASE [old];\n"
    'COPY t FROM stdin;\n1\ta;b\n\\.\nDELETE FROM y;\nSELECT a.drop, "Truncate", x#delete FROM t;\n',
]


def _sqlparse_statements(text: str) -> list[SqlStatement]:
    """What the parser gave before it split statements itself: sqlparse splits every piece."""
    from sqlparse import lexer
    from sqlparse.engine import FilterStack

    src = text.replace("\r\n", "\n").removeprefix("\ufeff")
    lines = sql._Lines(src)
    scan = sql._Scan(src, lines)
    masked = scan.masked()
    found: list[SqlStatement | None] = []
    for start, end, split in scan.pieces:
        piece = masked[start:end]
        if not piece.strip():
            continue
        if not split:
            found.append(sql._statement(src, masked, start, end, lexer.tokenize(piece), lines))
            continue
        offset = start
        for stmt in FilterStack().run(piece):
            length = len(str(stmt))
            tokens = ((t.ttype, t.value) for t in stmt.tokens)
            found.append(sql._statement(src, masked, offset, offset + length, tokens, lines))
            offset += length
    return [s for s in found if s is not None]


def _sql_texts() -> list[tuple[str, str]]:
    texts = [(p.as_posix(), p.read_text(encoding="utf-8")) for p in FIXTURES.rglob("*.sql")]
    for rule in all_rules():
        for example in (*rule.bad, *rule.good):
            texts += [(path, text) for path, text in example.files.items() if path.endswith(".sql")]
    return texts + [(f"tricky{i}.sql", text) for i, text in enumerate(TRICKY_SQL)]


@pytest.mark.parametrize(("path", "text"), _sql_texts(), ids=lambda value: str(value)[:40])
def test_statements_are_split_and_read_as_sqlparse_does(path: str, text: str) -> None:
    try:
        reference = _sqlparse_statements(text)
    except sql.ParseError:
        with pytest.raises(sql.ParseError):
            _statements(path, text)
        return
    found = _statements(path, text)
    assert found == reference
    words = frozenset(OPERATIONS.values()) | {"CREATE", "SCHEMA", "WHERE"}
    for statement in found:
        for word in words & set(statement.keywords):
            assert statement.mentions(frozenset({word})), (statement.text, word)


def test_a_dump_lexes_only_the_statements_a_rule_could_report() -> None:
    rows = "".join(f"INSERT INTO users VALUES ({i}, 'drop{i}', 'delete from x;');\n" for i in range(200))
    text = "CREATE TABLE users (id int, deleted_at int);\n" + rows + "DELETE FROM users;\n"
    doc = parse_text("migrations/0007_seed.up.sql", text, Kind.SQL)
    assert isinstance(doc, SqlDocument)
    rule = next(rule for rule in SQL_RULES if rule.id == "DO031")
    assert [s.text for s in doc.statements if s.mentions(rule.words)] == ["DELETE FROM users;"]
    findings = list(rule().check(doc, _context()))
    assert [f.span.line for f in findings] == [202]
    assert sum(s.lexed is not None for s in doc.statements) == 1


def test_mysqldump_drop_table_preambles_are_not_reported() -> None:
    """``DROP TABLE IF EXISTS`` before each table of a dump is no finding; the database drop
    and the table wipe after it are, as before the filter."""
    rules = {rule.id: rule for rule in SQL_RULES}
    example = Bad("migrations/0002_restore.sql", TRICKY_SQL[12], 15)
    assert [f.span.line for f in run_example(rules["DO030"], example)] == [15]
    assert [f.span.line for f in run_example(rules["DO031"], example)] == [14]


def _context() -> RuleContext:
    return RuleContext({}, None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- shell: walked on first use

SHELL_READERS = [rule for rule in all_rules() if Kind.SHELL in rule.kinds and not rule.id.startswith("GR")]


def _open_gates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ``names_any`` a rule calls answers yes: the rules read every script in full."""
    for module in list(sys.modules.values()):
        if getattr(module, "names_any", None) is shells.names_any:
            monkeypatch.setattr(module, "names_any", lambda text, programs: True)


def _findings(rules: list[type[Rule]], root: Path, target: Path) -> list[tuple[str, str, int, str]]:
    result = Engine(Settings(rules=tuple(rules), jobs=1), cwd=root).scan([target])
    return sorted((f.rule_id, f.path, f.span.line, f.message) for f in result.findings)


def test_the_shell_gates_change_no_finding_of_the_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixtures scanned by every rule that reads shell commands, with the cheap test on
    the script's text and without it: the same findings, those the fixtures expect among them."""
    root = FIXTURES.parent
    gated = _findings(SHELL_READERS, root, FIXTURES)
    _open_gates(monkeypatch)
    assert _findings(SHELL_READERS, root, FIXTURES) == gated
    ids = {rule.id for rule in SHELL_READERS}
    expected = {(rule_id, path) for rule_id, path, _ in expectations(FIXTURES) if rule_id in ids}
    assert len(expected) > 40
    assert {(rule_id, Path(path).resolve()) for rule_id, path in expected} <= {
        (rule_id, Path(path).resolve()) for rule_id, path, _, _ in gated
    }


@pytest.mark.parametrize("rule", SHELL_READERS, ids=lambda rule: rule.id)
def test_the_shell_gates_change_no_finding_of_the_examples(rule: type[Rule], monkeypatch: pytest.MonkeyPatch) -> None:
    gated = [[(f.path, f.span.line, f.message) for f in run_example(rule, example)] for example in rule.bad]
    assert all(gated)
    _open_gates(monkeypatch)
    assert [[(f.path, f.span.line, f.message) for f in run_example(rule, example)] for example in rule.bad] == gated


def test_a_script_naming_no_program_a_rule_reads_is_never_walked(tmp_path: Path) -> None:
    text = "#!/bin/bash\nset -euo pipefail\n" + "".join(
        f'echo "step {i}" && cp /src/{i} /dst/{i} || true\n' for i in range(50)
    )
    doc = parse_text("build.sh", text, Kind.SHELL)
    assert isinstance(doc, ShellDocument) and doc.walk is not None
    ctx = RuleContext({}, Project(tmp_path, tmp_path, 1 << 20))
    for rule in SHELL_READERS:
        assert list(rule().check(doc, ctx)) == []
    assert doc.walk is not None
    assert len(doc.commands) == 151 and doc.walk is None  # asked for: walked, once (``set`` is a command)


def test_a_script_walked_on_first_use_is_the_script_walked_at_once() -> None:
    for path, doc in _shell_documents():
        if doc.parent is not None or doc.walk is None:
            continue
        eager = shell_parser._Walker(shell_parser.Source(doc.text))
        eager.statement(shell_parser._tree(eager.source).root_node, [], None)
        assert [(c.text, c.span) for c in doc.commands] == [(c.text, c.span) for c in eager.commands], path
        assert [a.name for a in doc.assignments] == [a.name for a in eager.assignments], path


def test_a_script_too_deep_to_walk_later_is_still_refused_at_once() -> None:
    deep = "echo " + "$(echo " * 400 + "x" + ")" * 400 + "\n"
    with pytest.raises(ParseError, match="nested too deeply"):
        shell_parser.parse("deep.sh", deep, Kind.SHELL)
    fine = "echo " + "$(echo " * 60 + "x" + ")" * 60 + "\n"
    assert not shell_parser.parse("fine.sh", fine, Kind.SHELL).walk  # deeper than _LAZY_DEPTH: walked at once


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("/usr/bin/psql -c 'DROP DATABASE app'", True),
        ("p'sq'l -c x", True),  # the shell joins quoted pieces
        ("ps\\\nql -c x", True),  # and continued lines
        ("docker run --rm alpine", False),  # ``rm`` is part of ``--rm``
        ("mysql-client --version", False),
        ("PSQL=1 make", True),  # looser than the shell, never stricter: a variable's name counts
    ],
)
def test_names_any_reads_words_as_the_shell_does(text: str, named: bool) -> None:
    assert shells.names_any(text, frozenset({"psql", "rm", "mysql"})) is named
    assert shells.names_any(text, frozenset({"a program"}))  # not one word: never ruled out
