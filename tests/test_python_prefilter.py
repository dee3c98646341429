"""The cheap test before a Python file's names are resolved: it must never turn away a file a Python rule reports, and a
file it turns away must still be reported when it is not valid Python."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from guardrails.detect import detect
from guardrails.documents import FailedDocument, PythonDocument, ShellDocument
from guardrails.facts import destructive_python
from guardrails.facts.destructive_pyrule import PythonDestructiveRule
from guardrails.facts.destructive_shell import COMMAND_WORDS, located_commands, may_name_command
from guardrails.model import Kind
from guardrails.pipeline import load_text, parse_text
from guardrails.registry import all_rules
from guardrails.rule import Bad
from guardrails.testing import expectations, run_example

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PYTHON_RULES = [rule for rule in all_rules() if Kind.PYTHON in rule.kinds and rule.id.startswith("DO")]


def test_every_python_destructive_rule_declares_its_triggers() -> None:
    assert PYTHON_RULES
    assert all(issubclass(rule, PythonDestructiveRule) and rule.triggers for rule in PYTHON_RULES)


def _document(path: str, text: str) -> PythonDocument:
    doc = parse_text(path, text, Kind.PYTHON)
    assert isinstance(doc, PythonDocument)
    return doc


@pytest.mark.parametrize("rule", PYTHON_RULES, ids=lambda rule: rule.id)
def test_bad_examples_pass_the_filter(rule: type[PythonDestructiveRule]) -> None:
    for example in rule.bad:
        doc = _document(example.primary, example.files[example.primary])
        assert rule.may_report_document(doc), example.primary


def test_python_fixtures_with_expected_findings_pass_the_filter() -> None:
    by_id = {rule.id: rule for rule in PYTHON_RULES}
    expected = [(rule_id, path) for rule_id, path, _ in expectations(FIXTURES) if rule_id in by_id]
    assert expected
    for rule_id, path in expected:
        doc = _document(path, Path(path).read_text(encoding="utf-8"))
        assert by_id[rule_id].may_report_document(doc), (rule_id, path)


@pytest.mark.parametrize(
    "text",
    [
        "cur.execute('DROP DATABASE app')\n",
        "cur.execute('DR' 'OP DATABASE app')\n",  # adjacent literals are one string
        "cur.execute('\\x44ROP DATABASE app')\n",  # escapes are decoded
        "Q = b'truncate table t'\ncur.execute(Q)\n",
        "cur.execute(f'drop schema {name} cascade')\n",
    ],
)
def test_sql_words_are_read_as_python_reads_strings(text: str) -> None:
    rule = next(rule for rule in PYTHON_RULES if rule.id == "DO021")
    assert rule.may_report_document(_document("reset.py", text))


def test_execute_with_no_destructive_sql_word_is_not_scanned() -> None:
    rule = next(rule for rule in PYTHON_RULES if rule.id == "DO021")
    doc = _document("app/db.py", "def save(cur, row):\n    cur.execute('INSERT INTO t VALUES (%s)', row)\n")
    assert rule.may_report(doc.text) and not rule.may_report_document(doc)
    unread = PythonDocument(path="new.py", kind=Kind.PYTHON, text="cur.execute(q)\n")  # no CPython tree
    assert rule.may_report_document(unread)  # nothing can be ruled out


def _rule(rule_id: str) -> type[PythonDestructiveRule]:
    return next(rule for rule in PYTHON_RULES if rule.id == rule_id)


RAILS_UNCHECKED = "'DISABLE_DATABASE_ENVIRONMENT_CHECK=1'"


@pytest.mark.parametrize(
    "text",
    [
        "import os\n\nos.system(\"p'sq'l -c 'DROP DATABASE app'\")\n",  # the shell joins quoted pieces
        "import os\n\nos.system(\"$'psql' -c 'DROP DATABASE app'\")\n",
        "import os\n\nos.system('p\\\\sql -c \"DROP DATABASE app\"')\n",  # a backslash the shell removes
        "import os\n\nos.system(f'\\rm -rf /var/lib/mysql')\n",  # libcst keeps f-string text undecoded
        "import os\n\nos.system('' f'\\rm -rf /var/lib/mysql')\n",
        "import subprocess\n\nsubprocess.run(['/usr/bin/dropdb', 'app'])\n",
        "import subprocess\nCMD = 'dropdb'\nsubprocess.run([CMD, 'app'])\n",  # a module constant
        "from subprocess import run as go\n\ngo(args=['dropdb', 'app'])\n",  # the first argument is a keyword
        f"import subprocess\n\nsubprocess.run(['bundle', 'exec', 'rails', 'db:drop', {RAILS_UNCHECKED}])\n",
        "import subprocess\n\nsubprocess.run(['ssh', 'db1', 'sudo -u postgres dropdb app'])\n",
    ],
)
def test_shell_commands_are_read_as_the_shell_reads_them(text: str) -> None:
    rule = _rule("DO026")
    assert rule.may_report_document(_document("ops/reset.py", text))
    assert run_example(rule, Bad("ops/reset.py", text, 3)), "the case must be one the rule reports"


def test_a_shell_call_that_runs_no_detected_command_is_not_scanned() -> None:
    rule = _rule("DO026")
    text = "import subprocess\n\nHELP = 'rm -rf /var/lib/mysql'\nsubprocess.run(['git', 'rev-parse', 'HEAD'])\n"
    doc = _document("tools/version.py", text)
    assert rule.may_report(doc.text) and not rule.may_report_document(doc)


def _shell_documents() -> Iterator[tuple[str, ShellDocument]]:
    """Every shell script of the fixtures and of every rule's examples, embedded ones included."""
    texts = [
        (p.as_posix(), p.read_text(encoding="utf-8", errors="replace")) for p in FIXTURES.rglob("*") if p.is_file()
    ]
    for rule in all_rules():
        texts += [(path, text) for example in (*rule.bad, *rule.good) for path, text in example.files.items()]
    for path, text in texts:
        kind = detect(path, text.encode()[:4096])
        if not isinstance(kind, Kind) or kind is Kind.PYTHON:
            continue
        document = load_text(path, text, kind).document
        for doc in document.iter_tree() if document is not None else ():
            if isinstance(doc, ShellDocument):
                yield path, doc


def test_shell_text_the_detectors_read_passes_the_python_filter() -> None:
    """``may_name_command`` reads text as the shell parser does: every script of the fixtures
    and examples with a command a detector looks at (``Detector.words``) passes it."""
    seen = 0
    for path, doc in _shell_documents():
        if any(located.words & COMMAND_WORDS for located in located_commands(doc)):
            seen += 1
            assert may_name_command(doc.text.lower()), path
    assert seen > 50


def test_rmtree_filter_reads_the_rule_options() -> None:
    rule = _rule("DO027")
    doc = _document("ops/wipe.py", "import shutil\n\nshutil.rmtree('/srv/pg/main')\n")
    assert not rule.may_report_document(doc)
    assert rule.may_report_document(doc, {"data_directories": ["/srv/pg"]})
    assert not rule.may_report_document(_document("ops/clean.py", "import shutil\n\nshutil.rmtree('build')\n"))


def test_method_rules_report_only_the_methods_they_name() -> None:
    rule = _rule("DO020")
    assert rule.by_method
    doc = _document("db.py", "import sqlalchemy\nfrom x import drop_all\n\ndrop_all()\n")
    assert rule.may_report(doc.text) and not rule.may_report_document(doc)


@pytest.mark.parametrize(
    ("text", "passes"),
    [
        ("from shutil import rmtree as rm\n\nrm('/var/lib/mysql')\n", True),  # an import renames it
        ("import shutil as sh\n\nsh.rmtree('/var/lib/mysql')\n", True),
        ("import shutil\n\ndef rmtree(p): ...\n\nlog('/var/lib/mysql', shutil.rmtree)\n", False),  # not the callee
    ],
)
def test_callees_are_read_as_their_qualified_names_resolve(text: str, passes: bool) -> None:
    rule = _rule("DO027")
    assert rule.may_report_document(_document("ops/wipe.py", text)) is passes
    if passes:
        assert run_example(rule, Bad("ops/wipe.py", text, 3))


def test_shell_call_triggers_name_a_part_of_every_shell_call() -> None:
    calls = destructive_python._SUBPROCESS | destructive_python._OS_SHELL
    assert all(set(name.split(".")) & destructive_python.SHELL_CALL_TRIGGERS for name in calls)


def test_triggers_are_whole_words() -> None:
    rule = next(rule for rule in PYTHON_RULES if rule.id == "DO027")
    assert rule.may_report("from shutil import rmtree as rm\n")
    assert not rule.may_report("def my_rmtree_helper(): pass\n")


def test_a_file_naming_no_trigger_is_never_scanned() -> None:
    doc = parse_text("app/util.py", "def add(a, b):\n    return a + b\n", Kind.PYTHON)
    assert isinstance(doc, PythonDocument) and doc.tree is not None
    for rule in PYTHON_RULES:
        assert not rule.may_report(doc.text)


@pytest.mark.parametrize("text", ["def f(:\n    pass\n", "x = (\n", "print 'py2'\n"])
def test_invalid_python_without_triggers_is_still_unparseable_input(text: str) -> None:
    doc = parse_text("app/broken.py", text, Kind.PYTHON)
    assert isinstance(doc, FailedDocument) and doc.error is not None
    assert str(doc.error).startswith("invalid Python")


NEWER_GRAMMAR = "import os\n\ntype Path = str\nos.system('rm -rf /var/lib/mysql')\n"  # 3.12's ``type``


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the interpreter reads 3.12's grammar")
def test_python_only_libcst_reads_is_unscanned_never_passed() -> None:
    """libcst's tree of such text was analysed before the rules read CPython's: now nothing
    reads it, so it is listed as skipped and reported (GR006), never passed as checked."""
    loaded = load_text("ops/wipe.py", NEWER_GRAMMAR, Kind.PYTHON)
    assert isinstance(loaded.document, FailedDocument) and loaded.document.unscanned is not None
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert loaded.document.unscanned.startswith(f"python-grammar: Python {version} cannot read it")
    assert loaded.skipped is not None and loaded.skipped.reason == "python-grammar"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the interpreter reads 3.12's grammar")
def test_newer_python_is_reported_unscanned_only_when_a_rule_could_report_it(tmp_path: Path) -> None:
    """Reading such a file that names no word a Python rule reports on would report nothing:
    it is listed as skipped, not reported (a 3.12 code base is not one GR006 per file)."""
    from guardrails.engine import Engine, Settings
    from guardrails.registry import all_rules

    (tmp_path / ".git").mkdir()
    (tmp_path / "wipe.py").write_text(NEWER_GRAMMAR)
    (tmp_path / "points.py").write_text("type Point = tuple[float, float]\n")
    result = Engine(Settings(rules=tuple(all_rules()), jobs=1), cwd=tmp_path).scan([Path(".")])
    assert [(f.rule_id, f.path) for f in result.findings] == [("GR006", "wipe.py")]
    assert sorted(s.path for s in result.skipped if s.reason == "python-grammar") == ["points.py", "wipe.py"]


def test_a_scan_of_python_cpython_reads_never_imports_libcst(tmp_path: Path) -> None:
    script = tmp_path / "wipe.py"
    script.write_text("import shutil\n\nshutil.rmtree('/var/lib/mysql')\n", encoding="utf-8")
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['guardrails', 'scan', '--no-cache', {str(script)!r}]\n"
        "try:\n    runpy.run_module('guardrails', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print('LIBCST', 'libcst' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert "DO027" in proc.stdout and "LIBCST False" in proc.stdout, proc.stdout + proc.stderr
