"""Destructive shell commands: detectors over parsed commands, shared by the shell rules
and by the Python rule that reads ``subprocess``/``os.system`` calls.

Commands wrapped in ``sudo``, ``env``, ``docker exec``, ``kubectl exec --``, ``sh -c``,
``su -c`` or ``ssh host "…"`` are unwrapped: argv wrappers keep their words, string
wrappers are parsed again with the shell parser and every finding points at the
wrapping word. Guards (guardrails.facts.shell_guards) are checked on every level.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from guardrails import deferred_re
from guardrails.documents import ShellCommand, ShellDocument, SqlDocument, Word
from guardrails.facts import destructive_sql, throwaway
from guardrails.facts.embedded_shell import never_empty
from guardrails.facts.shell_guards import GUARD_OPTIONS, Guards, GuardSettings, parameter, scope_of
from guardrails.facts.shells import SHELL_INTERPRETERS, names_any
from guardrails.model import Document, Kind, ParseError, Severity, Span
from guardrails.records import Frozen, Record
from guardrails.rule import Option, Rule, RuleContext

if TYPE_CHECKING:
    from guardrails.model import Finding
    from guardrails.project import Project

_PASSTHROUGH = {"nohup", "time", "exec", "command", "builtin", "gosu", "su-exec", "chpst"}
_SUDO_VALUE = {"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "--user", "--group", "--host"}
_SSH_VALUE = set("bcDEeFIiJLlmOoPpQRSWw")
_DOCKER_EXEC_VALUE = {"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--detach-keys", "--index"}
_MAX_DEPTH = 3


# --------------------------------------------------------------------------- located commands


class Located(Record):
    """A command to check, with the documents and wrappers whose guards apply to it.

    ``at`` is set when the command came out of a string (``sh -c "…"``, ``ssh host "…"``):
    its own positions are inside that string, so findings point at the string's word.
    """

    __slots__ = ("at", "cmd", "doc", "outer", "via", "words")

    def __init__(
        self,
        cmd: ShellCommand,
        doc: ShellDocument,
        outer: list[tuple[ShellDocument, ShellCommand]] | None = None,
        at: Span | None = None,
        via: str = "",
    ) -> None:
        self.cmd = cmd
        self.doc = doc
        self.outer: list[tuple[ShellDocument, ShellCommand]] = [] if outer is None else outer
        self.at = at
        self.via = via
        # The base names of the command's words (``/usr/bin/psql`` -> ``psql``), its name included.
        self.words = frozenset(w.value.rsplit("/", 1)[-1] for w in (cmd.name, *cmd.args) if w is not None)

    def span(self, word: Word | None = None) -> Span:
        if self.at is not None:
            return self.at
        if word is not None:
            return word.span
        return self.cmd.name.span if self.cmd.name is not None else self.cmd.span

    def describe(self, what: str) -> str:
        return f"{what} (via {self.via})" if self.via else what


def located_commands(doc: ShellDocument) -> Iterator[Located]:
    for cmd in doc.commands:
        yield from _expand(Located(cmd, doc), 0)


def _expand(item: Located, depth: int) -> Iterator[Located]:
    yield item
    if depth >= _MAX_DEPTH:
        return
    for inner in _unwrap(item):
        yield from _expand(inner, depth + 1)


def _synthetic(cmd: ShellCommand, words: list[Word]) -> ShellCommand:
    return ShellCommand(
        name=words[0],
        args=words[1:],
        span=cmd.span,
        text=cmd.text,
        conditions=cmd.conditions,
        redirects=cmd.redirects,
        pipe_from=cmd.pipe_from,
        assignments=cmd.assignments,
        function=cmd.function,
        index=cmd.index,
    )


def _unwrap(item: Located) -> Iterator[Located]:
    cmd = item.cmd
    name = cmd.command
    words = cmd.args
    argv = [w.value for w in words]
    rest: list[Word] | None = None
    script: Word | None = None
    via = name
    if name in _PASSTHROUGH:
        rest = words[1:] if name in ("gosu", "su-exec", "chpst") else words
    elif name in ("sudo", "doas"):
        rest = _after_options(words, _SUDO_VALUE)
    elif name == "env":
        i = 0
        while i < len(words) and (argv[i].startswith("-") or "=" in argv[i]):
            i += 2 if argv[i] in ("-u", "--unset", "-C", "--chdir") else 1
        rest = words[i:]
    elif name in ("nice", "ionice", "timeout"):
        i = 0
        while i < len(words) and argv[i].startswith("-"):
            i += 2 if argv[i] in ("-n", "-c", "-s", "-k", "--signal", "--kill-after") else 1
        if name == "timeout":
            i += 1
        rest = words[i:]
    elif name in ("docker", "podman", "docker-compose", "nerdctl"):
        sub = [w for w in argv if not w.startswith("-")]
        if "exec" in sub[:3]:
            start = argv.index("exec") + 1
            after = _after_options(words[start:], _DOCKER_EXEC_VALUE)
            rest = after[1:] if after else None
            via = f"{name} exec {after[0].value}" if after else via
    elif name in ("kubectl", "oc") and "exec" in argv[:3] and "--" in argv:
        rest = words[argv.index("--") + 1 :]
        via = f"{name} exec"
    elif name in SHELL_INTERPRETERS:
        script = _shell_script(words)
        via = f"{name} -c"
    elif name in ("su", "runuser"):
        script = _option_value(words, ("-c",), ("--command",))
        if script is None and name == "runuser" and "--" in argv:
            rest = words[argv.index("--") + 1 :]
        via = f"{name} -c"
    elif name == "ssh":
        remote = _after_options(words, {f"-{c}" for c in _SSH_VALUE})
        if len(remote) >= 2:
            via = f"ssh {remote[0].value}"
            if len(remote) == 2:
                script = remote[1]
            else:
                text = " ".join(w.value for w in remote[1:])
                span = Span(
                    remote[1].span.line, remote[1].span.column, remote[-1].span.end_line, remote[-1].span.end_column
                )
                script = Word(text, text, False, span)
    if rest:
        via_text = f"{item.via} / {via}" if item.via else via
        yield Located(_synthetic(cmd, rest), item.doc, item.outer, item.at, via_text)
    if script is not None:
        yield from _parse_script(item, script, via)


def _parse_script(item: Located, script: Word, via: str) -> Iterator[Located]:
    from guardrails.parsers import parse

    try:
        inner = parse(item.doc.host.path, script.value, Kind.SHELL)
    except ParseError:
        return
    if not isinstance(inner, ShellDocument):
        return
    at = item.at or script.span
    via_text = f"{item.via} / {via}" if item.via else via
    outer = [*item.outer, (item.doc, item.cmd)]
    for cmd in inner.commands:
        yield Located(cmd, inner, outer, at, via_text)


def _after_options(words: list[Word], with_value: set[str]) -> list[Word]:
    i = 0
    while i < len(words):
        value = words[i].value
        if value == "--":
            return words[i + 1 :]
        if not value.startswith("-") or value == "-":
            return words[i:]
        i += 2 if value in with_value else 1
    return []


def _shell_script(words: list[Word]) -> Word | None:
    seen_c = False
    i = 0
    while i < len(words):
        value = words[i].value
        if value.startswith("-") and not value.startswith("--") and len(value) > 1:
            seen_c = seen_c or "c" in value[1:]
            i += 2 if value in ("-o", "+o") else 1
            continue
        if value.startswith("--"):
            i += 1
            continue
        return words[i] if seen_c else None
    return None


def _option_value(words: list[Word], shorts: tuple[str, ...], longs: tuple[str, ...]) -> Word | None:
    values = option_values(words, shorts, longs)
    return values[0] if values else None


def option_values(words: list[Word], shorts: tuple[str, ...], longs: tuple[str, ...]) -> list[Word]:
    """Values of an option in any spelling: ``-c X``, ``-cX``, ``-Atc X``, ``--command=X``, ``--command X``."""
    found: list[Word] = []
    for i, word in enumerate(words):
        value = word.value
        following = words[i + 1] if i + 1 < len(words) else None
        if value in longs or value in shorts:
            if following is not None:
                found.append(following)
            continue
        long = next((o for o in longs if value.startswith(o + "=")), None)
        if long is not None:
            text = value[len(long) + 1 :]
            found.append(Word(word.text, text, word.static, word.span, word.expansions))
            continue
        if value.startswith("-") and not value.startswith("--") and len(value) > 2:
            for short in shorts:
                letter = short[1]
                position = value.find(letter, 1)
                if position < 0:
                    continue
                if position == len(value) - 1:
                    if following is not None:
                        found.append(following)
                else:
                    text = value[position + 1 :]
                    found.append(Word(word.text, text, word.static, word.span, word.expansions))
                break
    return found


def has_flag(argv: list[str], short: str, long: str = "") -> bool:
    """``-f``, a short cluster with it (``-rf``), or the long form."""
    for arg in argv:
        if arg == "--":
            return False
        if long and (arg == long or arg.startswith(long + "=")):
            return True
        if arg.startswith("-") and not arg.startswith("--") and short in arg[1:]:
            return True
    return False


def positionals(words: list[Word], with_value: set[str] = frozenset()) -> list[Word]:  # type: ignore[assignment]
    found: list[Word] = []
    skip = False
    options_done = False
    for word in words:
        if skip:
            skip = False
            continue
        if not options_done and word.value == "--":
            options_done = True
            continue
        if not options_done and word.value.startswith("-") and word.value != "-":
            skip = word.value in with_value
            continue
        found.append(word)
    return found


# --------------------------------------------------------------------------- scope given to detectors


class Scope(Record):
    """What a detector may read besides the command: the project and the rule options."""

    __slots__ = ("options", "project")

    def __init__(self, project: Project | None, options: dict[str, Any]) -> None:
        self.project = project
        self.options = options

    def read_text(self, doc: Document, relative: str) -> tuple[str, Document | None] | None:
        """A file named in a script, relative to the script's directory, if it is in the repository."""
        if self.project is None or not relative or relative.startswith("/"):
            return None
        from pathlib import Path

        target = Path(doc.host.path).parent / relative
        other = self.project.document(target)
        if other is None:
            return None
        return other.text, other


class Hit(Record):
    """One destructive operation found in a command."""

    __slots__ = ("anchor", "severity", "what", "word")

    def __init__(
        self,
        what: str,
        anchor: str,
        word: Word | None = None,
        severity: Severity | None = None,
    ) -> None:
        self.what = what
        self.anchor = anchor
        self.word = word
        self.severity = severity


class Detector(Frozen):
    """One destructive pattern's check of a command, and the words it needs: ``find`` reports a
    command only when its name or one of its arguments is one of ``words`` (by base name).

    The words are checked before ``find`` runs, so the shell rules' own examples and fixtures
    hold the declaration true; text holding none of them cannot be reported, which lets the
    Python rule leave a ``subprocess`` call unparsed (``may_name_command``)."""

    find: Callable[[Located, Scope], Iterator[Hit]]
    words: frozenset[str]

    def __call__(self, located: Located, scope: Scope) -> Iterator[Hit]:
        if self.words.isdisjoint(located.words):
            return iter(())
        return self.find(located, scope)


# --------------------------------------------------------------------------- SQL clients

_SQL_CLIENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # client: (inline shorts, inline longs, file shorts, file longs)
    "psql": (("-c",), ("--command",), ("-f",), ("--file",)),
    "mysql": (("-e",), ("--execute",), (), ()),
    "mariadb": (("-e",), ("--execute",), (), ()),
    "sqlcmd": (("-Q", "-q"), (), ("-i",), ()),
    "cockroach": (("-e",), ("--execute",), ("-f",), ("--file",)),
    "clickhouse-client": (("-q",), ("--query",), (), ()),
}
_MYSQL_LIKE = {"mysql", "mariadb"}


def stdin_texts(located: Located, scope: Scope) -> Iterator[tuple[str, Word | None, str]]:
    """What a command reads on standard input: heredocs, here-strings, ``< file``, and
    what ``echo``/``printf``/``cat`` pipe into it. Yields (text, word to point at, source)."""
    cmd = located.cmd
    for redirect in cmd.redirects:
        if redirect.operator in ("<<", "<<-", "<<<") and redirect.heredoc_body is not None:
            yield redirect.heredoc_body, None, "heredoc"
        elif redirect.operator == "<" and redirect.target:
            read = scope.read_text(located.doc, redirect.target)
            if read is not None:
                yield read[0], None, redirect.target
    for upstream in cmd.pipe_from[-1:]:
        if upstream.command in ("echo", "printf"):
            words = [w.value for w in upstream.args if not (w.value.startswith("-") and upstream.command == "echo")]
            text = words[0] if upstream.command == "printf" and words else " ".join(words)
            yield text.replace("\\n", "\n"), None, upstream.command
        elif upstream.command == "cat":
            for word in positionals(upstream.args):
                read = scope.read_text(located.doc, word.value) if word.static else None
                if read is not None:
                    yield read[0], None, word.value


def sql_inputs(located: Located, scope: Scope) -> Iterator[tuple[str, Word | None, str]]:
    """Every SQL text a client command runs, with where it came from."""
    client = located.cmd.command
    if client == "cockroach" and (not located.cmd.args or located.cmd.args[0].value != "sql"):
        return
    inline_s, inline_l, file_s, file_l = _SQL_CLIENTS[client]
    for word in option_values(located.cmd.args, inline_s, inline_l):
        yield word.value, word, f"{client} {inline_l[0] if inline_l else inline_s[0]}"
    for word in option_values(located.cmd.args, file_s, file_l):
        read = scope.read_text(located.doc, word.value) if word.static else None
        if read is not None:
            text, other = read
            if isinstance(other, SqlDocument):
                text = "\n".join(s.text + ";" for s in other.statements)
            yield text, word, f"{client} -f {word.value}"
    for text, word, source in stdin_texts(located, scope):
        yield text, word, f"{source} piped into {client}"


# --------------------------------------------------------------------------- names the script made

_CREATEDB_VALUE = {"-h", "-p", "-U", "-O", "-T", "-E", "-D", "-l", "-S", "--host", "--port", "--username"}
_CREATEDB_VALUE |= {"--owner", "--template", "--encoding", "--tablespace", "--locale", "--maintenance-db"}
_CREATEDB_VALUE |= {"--lc-collate", "--lc-ctype", "--strategy", "--icu-locale", "--icu-rules", "--locale-provider"}
_HELM_INSTALL_VALUE = {"-f", "--values", "--set", "--set-string", "--set-file", "--set-json", "--version", "--repo"}
_HELM_INSTALL_VALUE |= {"-o", "--output", "--post-renderer", "--username", "--password", "--wait-for"}


def creations(doc: ShellDocument) -> Iterator[tuple[str, ShellCommand, Word]]:
    """(kind, command, name) for each database, namespace, Helm release or Terraform configuration
    the script creates: ``createdb``, ``mysqladmin create``, ``CREATE DATABASE`` sent by a SQL
    client, ``kubectl create namespace``, ``helm install`` / ``helm upgrade --install``,
    ``terraform -chdir=DIR apply`` (named by its ``-chdir=`` word)."""
    for located in located_commands(doc):
        if located.at is not None:
            continue
        cmd = located.cmd
        name, argv = cmd.command, cmd.argv
        if name == "createdb":
            words = positionals(cmd.args, _CREATEDB_VALUE)
            if words:
                yield "database", cmd, words[0]
        elif name in ("mysqladmin", "mariadb-admin"):
            words = positionals(cmd.args, {"-h", "-u", "-P", "-S", "--host", "--user", "--port", "--socket"})
            for i, word in enumerate(words[:-1]):
                if word.value.lower() == "create":
                    yield "database", cmd, words[i + 1]
        elif name in _SQL_CLIENTS:
            inline_s, inline_l, _, _ = _SQL_CLIENTS[name]
            for word in option_values(cmd.args, inline_s, inline_l):
                held, restore = _placeheld(word)
                for created in destructive_sql.creates(held):
                    yield "database", cmd, _name_word(located, word, _restored(created, restore))
            for redirect in cmd.redirects:
                for created in destructive_sql.creates(redirect.heredoc_body or ""):
                    yield "database", cmd, _name_word(located, None, created)
        elif name in ("kubectl", "oc"):
            words = positionals(cmd.args, _KUBECTL_VALUE)
            values = [w.value for w in words]
            if values[:2] in (["create", "namespace"], ["create", "ns"]) and len(words) > 2:
                yield "namespace", cmd, words[2]
        elif name == "helm":
            words = positionals(cmd.args, _HELM_VALUE | _HELM_INSTALL_VALUE)
            installs = words[:1] and (
                words[0].value == "install" or (words[0].value == "upgrade" and ("--install" in argv or "-i" in argv))
            )
            if installs and len(words) > 1 and "--generate-name" not in argv:
                yield "release", cmd, words[1]
        elif name in _TERRAFORM and _terraform_subcommand(argv) == "apply" and not _terraform_destroys(argv):
            chdir = next((w for w in cmd.args if w.value.startswith("-chdir=")), None)
            if chdir is not None:
                yield "terraform", cmd, chdir


def is_throwaway(located: Located, kind: str, word: Word) -> bool:
    """A name destroyed by ``located`` that nobody else holds: named as throwaway (``app_test``),
    unique to the run or the PR, or a ``kind`` of thing the same script created earlier."""
    if destructive_sql.disposable_name(word.value):
        return True
    doc, cmd = located.doc, located.cmd
    if throwaway.per_run(doc, cmd, word):
        return True
    made = throwaway.created_names(doc, cmd, ((c, w) for k, c, w in creations(doc) if k == kind))
    return word.value in made


_PLACEHOLDER = "grshellpart{}x"


def _placeheld(word: Word) -> tuple[str, dict[str, str]]:
    """The word's text with each expansion replaced by a plain identifier, so that a SQL parser
    reads ``DROP DATABASE pr_${PR}`` as one name; and the way back."""
    text = word.value
    restore: dict[str, str] = {}
    for i, expansion in enumerate(sorted(set(word.expansions), key=len, reverse=True)):
        placeholder = _PLACEHOLDER.format(i)
        text = text.replace(expansion, placeholder)
        restore[placeholder] = expansion
    return text, restore


def _restored(name: str, restore: dict[str, str]) -> str:
    for placeholder, expansion in restore.items():
        name = name.replace(placeholder, expansion).replace(placeholder.upper(), expansion)
    return name


def _name_word(located: Located, word: Word | None, name: str) -> Word:
    """A name read out of SQL as a shell word: the expansions it holds, at the word it came from."""
    expansions = [e for e in word.expansions if e in name] if word is not None else []
    span = word.span if word is not None else located.span()
    return Word(name, name, not expansions, span, expansions)


def detect_sql_drop(located: Located, scope: Scope) -> Iterator[Hit]:
    client = located.cmd.command
    if client not in _SQL_CLIENTS:
        return
    for text, word, source in sql_inputs(located, scope):
        held, restore = _placeheld(word) if word is not None and word.expansions else (text, dict[str, str]())

        def made(name: str, word: Word | None = word, restore: dict[str, str] = restore) -> bool:
            return is_throwaway(located, "database", _name_word(located, word, _restored(name, restore)))

        for hit in destructive_sql.drops(held, schema_needs_cascade=client not in _MYSQL_LIKE, made_here=made):
            names = tuple(_restored(n, restore) for n in hit.names)
            hit = destructive_sql.SqlHit(hit.operation, names, hit.cascade, hit.statement)
            yield Hit(f"`{hit.summary}` sent by {source}", f"{client}:{hit.summary.lower()}", word)


_MYSQL_ADMIN = ("mysqladmin", "mariadb-admin")


def detect_dropdb(located: Located, scope: Scope) -> Iterator[Hit]:
    cmd = located.cmd
    argv = cmd.argv
    if cmd.command == "dropdb":
        if has_flag(argv, "i", "--interactive"):
            return
        value_opts = {"-h", "-p", "-U", "--host", "--port", "--username", "--maintenance-db"}
        words = positionals(cmd.args, value_opts)
        if words and all(is_throwaway(located, "database", w) for w in words):
            return
        target = words[-1].value if words else "$PGDATABASE"
        yield Hit(f"`dropdb {target}` without --interactive", f"dropdb:{target}")
    elif cmd.command in _MYSQL_ADMIN and (has_flag(argv, "f", "--force")):
        words = positionals(cmd.args, {"-h", "-u", "-P", "-S", "--host", "--user", "--port", "--socket"})
        values = [w.value.lower() for w in words]
        if "drop" in values:
            index = values.index("drop")
            name = words[index + 1].value if index + 1 < len(words) else "?"
            if index + 1 < len(words) and is_throwaway(located, "database", words[index + 1]):
                return
            yield Hit(f"`{cmd.command} --force drop {name}` (no confirmation)", f"mysqladmin:{name}")


_JS_TOKEN = deferred_re.compile(
    r"""//[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`|(?P<id>[A-Za-z_$][\w$]*)|(?P<other>[\s\S])""",
    re.DOTALL,
)


def js_calls(text: str) -> list[str]:
    """Method names called in a mongo shell script, with comments and strings skipped."""
    tokens = [(m.group("id"), m.group("other")) for m in _JS_TOKEN.finditer(text)]
    code = [(ident, other) for ident, other in tokens if ident or (other and not other.isspace())]
    called: list[str] = []
    for i, (ident, _) in enumerate(code[:-1]):
        if ident and code[i + 1][1] == "(":
            called.append(ident)
    return called


_MONGO_SHELLS = ("mongo", "mongosh")


def detect_mongo_drop(located: Located, scope: Scope) -> Iterator[Hit]:
    cmd = located.cmd
    if cmd.command not in _MONGO_SHELLS:
        return
    sources = [(w.value, w, f"{cmd.command} --eval") for w in option_values(cmd.args, (), ("--eval",))]
    sources += [(t, w, f"{s} piped into {cmd.command}") for t, w, s in stdin_texts(located, scope)]
    for text, word, source in sources:
        if "dropDatabase" in js_calls(text):
            yield Hit(f"`dropDatabase()` run by {source}", f"{cmd.command}:dropDatabase", word)


_REDIS_CLIENTS = ("redis-cli", "valkey-cli", "keydb-cli")
_REDIS_VALUE = {"-h", "-p", "-a", "-n", "-u", "-s", "-r", "-i", "--user", "--pass", "--tls-cert", "--cacert", "--sni"}


def detect_redis_flush(located: Located, scope: Scope) -> Iterator[Hit]:
    cmd = located.cmd
    if cmd.command not in _REDIS_CLIENTS:
        return
    words = positionals(cmd.args, _REDIS_VALUE)
    if words and words[0].value.upper() in ("FLUSHALL", "FLUSHDB"):
        yield Hit(f"`{cmd.command} {words[0].value}`", f"redis:{words[0].value.lower()}", words[0])
        return
    for text, _, source in stdin_texts(located, scope):
        for line in text.splitlines():
            parts = line.split()
            if parts and parts[0].upper() in ("FLUSHALL", "FLUSHDB"):
                yield Hit(f"`{parts[0]}` sent by {source}", f"redis:{parts[0].lower()}")


# --------------------------------------------------------------------------- rm -rf

DEFAULT_DATA_DIRECTORIES = [
    "/var/lib/postgresql",
    "/var/lib/pgsql",
    "/var/opt/gitlab/postgresql",
    "/var/lib/mysql",
    "/var/lib/mariadb",
    "/var/lib/mongodb",
    "/var/lib/mongo",
    "/data/db",
    "/var/lib/redis",
    "/var/lib/elasticsearch",
    "/var/lib/opensearch",
    "/var/lib/cassandra",
    "/var/lib/clickhouse",
    "/var/lib/influxdb",
    "/var/lib/neo4j",
    "/var/lib/couchdb",
    "/var/lib/etcd",
    "/bitnami/postgresql",
    "/bitnami/mysql",
    "/bitnami/mariadb",
    "/bitnami/mongodb",
]
DEFAULT_DATA_VARIABLES = ["PGDATA"]
DATA_OPTIONS: dict[str, Option] = {
    "data_directories": Option(DEFAULT_DATA_DIRECTORIES, "database data directories (a path below one counts)"),
    "data_variables": Option(DEFAULT_DATA_VARIABLES, "variables that hold a database data directory"),
}
_FILE_SUFFIX = deferred_re.compile(r"\.[A-Za-z][A-Za-z0-9]*$")


def rm_targets(cmd: ShellCommand) -> list[Word] | None:
    """The operands of a recursive ``rm`` (any spelling of -r), None for any other command."""
    if cmd.command != "rm":
        return None
    argv = cmd.argv
    if not (has_flag(argv, "r", "--recursive") or has_flag(argv, "R")):
        return None
    return positionals(cmd.args)


def latest_static_value(doc: ShellDocument, cmd: ShellCommand, name: str) -> str | None:
    """The value last given to ``name`` before ``cmd`` when it is a plain string."""
    value: str | None = None
    for assignment in doc.assignments:
        if assignment.name == name and scope_of(cmd, assignment) and assignment.value is not None:
            value = assignment.value.value if assignment.value.static else None
    return value


def data_directory(word: Word, located: Located, scope: Scope) -> str | None:
    """The data directory an ``rm`` operand deletes, or None. A parameter is read from the
    script's assignments, or, standing for a Jinja expression of an Ansible task, from the
    task's variables (``facts/ansible_vars.py``)."""
    options = scope.options
    directories = [d.rstrip("/") for d in options.get("data_directories", DEFAULT_DATA_DIRECTORIES)]
    variables = set(options.get("data_variables", DEFAULT_DATA_VARIABLES))
    path = word.value
    if word.expansions and path.startswith(word.expansions[0]):
        param = parameter(word.expansions[0])
        if param is None:
            return None
        rest = path[len(word.expansions[0]) :]
        if param.name in variables:
            return None if _FILE_SUFFIX.search(rest.rstrip("/*")) else f"${param.name}{rest}"
        value = latest_static_value(located.doc, located.cmd, param.name)
        if value is None and located.doc.interpolations and scope.project is not None:
            from guardrails.facts.ansible_vars import placeholder_value

            rendered = placeholder_value(located.doc, param.name, scope.project)
            value = rendered.text if rendered is not None else None
        if value is None:
            return None
        path = value + rest
    elif word.expansions:
        return None
    return path if in_data_directory(path, directories) else None


def in_data_directory(path: str, directories: list[str]) -> bool:
    """``path`` is a data directory or a directory below one (a file name there is not)."""
    clean = str(PurePosixPath(path.rstrip("*").rstrip("/") or "/"))
    if _FILE_SUFFIX.search(PurePosixPath(clean).name):
        return False
    return any(clean == directory or clean.startswith(directory + "/") for directory in directories)


def build_time(doc: Document) -> bool:
    """Shell of a Dockerfile RUN: it runs while an image is built, on no real data."""
    return doc.parent is not None and doc.parent.kind is Kind.DOCKERFILE and doc.context.startswith("RUN")


#: Files whose absence says a directory holds no initialised database, as the official images'
#: entrypoints decide it before initialising one: PostgreSQL's ``PG_VERSION`` (written by initdb;
#: docker-library/postgres docker-entrypoint.sh tests ``-s "$PGDATA/PG_VERSION"``) and MySQL's
#: system schema directory (docker-library/mysql and mariadb test ``-d "$DATADIR/mysql"``).
INITIALISED_MARKERS = frozenset({"PG_VERSION", "mysql"})
_TEST_COMMANDS = frozenset({"[", "[[", "test"})
# ``${X}`` and ``${X:?message}``: the same path as ``$X`` once the script goes on.
_BRACED = deferred_re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?\?[^}]*)?\}")


def detect_rm_data_dir(located: Located, scope: Scope) -> Iterator[Hit]:
    targets = rm_targets(located.cmd)
    if not targets or build_time(located.doc):
        return
    for word in targets:
        path = data_directory(word, located, scope)
        if path is not None and not _holds_no_database(located, word):
            resolved = f" ({word.value} = {path})" if path != word.value else ""
            yield Hit(f"`rm -rf {word.value}`{resolved} deletes a database data directory", f"rm:{path}", word)


def _holds_no_database(located: Located, word: Word) -> bool:
    """The ``rm`` runs only when the directory it empties holds no initialised database: an
    ``if``/``&&`` test, joined by ``&&`` alone, that its marker file is absent
    (``! [ -f "$DATADIR/PG_VERSION" ]``, ``[ ! -d /var/lib/mysql/mysql ]``), or the ``else``
    of a test that it is present."""
    directory = _plain_path(word.value).removesuffix("/*").rstrip("/")
    lines = located.doc.text.split("\n")
    for condition in located.cmd.conditions:
        failed = condition.kind == "else"  # every test before it failed: one alone says it
        if condition.kind not in ("if", "elif", "and", "else") or "||" in condition.text:
            continue
        if failed and (len(condition.tests) != 1 or not _alone_on_line(lines, condition.tests[0])):
            continue  # `if a && b; … else`: a failed list does not say which test failed
        for test in condition.tests:
            argv = test.argv
            negated = argv[:1] == ["!"] or _negated_before(lines, test)
            operands = argv[1:] if argv[:1] == ["!"] else argv
            if test.command not in _TEST_COMMANDS or negated == failed or len(operands) < 2:
                continue
            if operands[0] not in ("-e", "-f", "-s", "-d"):
                continue
            parent, _, marker = _plain_path(operands[1]).rpartition("/")
            if marker in INITIALISED_MARKERS and parent and parent == directory:
                return True
    return False


def _alone_on_line(lines: list[str], test: ShellCommand) -> bool:
    """No ``&&`` or ``||`` joins ``test`` to another command on its line."""
    line = test.span.line
    return 1 <= line <= len(lines) and "&&" not in lines[line - 1] and "||" not in lines[line - 1]


def _plain_path(text: str) -> str:
    """A path as the shell would spell it plainly: quotes gone, ``${X}``/``${X:?}`` as ``$X``."""
    return _BRACED.sub(r"$\1", text.replace('"', "").replace("'", ""))


def _negated_before(lines: list[str], test: ShellCommand) -> bool:
    """``! [ … ]``: the pipeline negation, which the test command itself does not carry."""
    line = test.span.line
    if not 1 <= line <= len(lines):
        return False
    return lines[line - 1][: test.span.column - 1].rstrip().endswith("!")


DEFAULT_ALWAYS_SET = ["HOME", "PWD", "GITHUB_WORKSPACE", "RUNNER_TEMP", "CI_PROJECT_DIR"]


def detect_rm_empty_variable(located: Located, scope: Scope) -> Iterator[Hit]:
    targets = rm_targets(located.cmd)
    doc = located.doc
    if not targets or build_time(doc):
        return
    if doc.parent is not None and doc.parent.kind is Kind.MAKEFILE:
        return
    always = set(scope.options.get("always_set_variables", DEFAULT_ALWAYS_SET))
    for word in targets:
        if not word.expansions or not word.value.startswith(word.expansions[0]):
            continue
        param = parameter(word.expansions[0])
        rest = word.value[len(word.expansions[0]) :]
        if param is None or not rest.startswith("/") or param.name in always:
            continue
        template = doc.interpolations.get(param.name)
        if template is None and "u" in doc.options:
            continue  # set -u stops the script; a template's value is put in before the shell runs
        if template is not None and never_empty(template):
            continue
        if param.op in (":?", "?") or (param.op in (":-", "-", ":=", "=") and param.arg):
            continue
        if data_directory(word, located, scope) is not None:
            continue
        if _checked_non_empty(doc, located.cmd, param.name):
            continue
        yield Hit(
            f"`rm -rf {word.value}`: if ${param.name} is empty or unset this deletes `{rest}` from the root",
            f"rm:{word.value}",
            word,
        )


def _checked_non_empty(doc: ShellDocument, cmd: ShellCommand, name: str) -> bool:
    """The script makes sure ``name`` is set: a literal assignment, a ``${name:?}``, or a test on it."""
    value = latest_static_value(doc, cmd, name)
    if value:
        return True
    if any(a.loop and a.name == name and scope_of(cmd, a) for a in doc.assignments):
        return True  # a for-loop variable: the body never runs with an empty list
    for cond in cmd.conditions:
        if _mentions(cond.tests, name):
            return True
    for other in doc.commands:
        if other.index >= cmd.index or not scope_of(cmd, other):
            continue
        for word in other.args:
            for expansion in word.expansions:
                param = parameter(expansion)
                if param is not None and param.name == name and param.op in (":?", "?"):
                    return True
        if other.command in ("exit", "return") and any(_mentions(c.tests, name) for c in other.conditions):
            return True
    return False


def _mentions(tests: list[ShellCommand], name: str) -> bool:
    for test in tests:
        for word in test.args:
            for expansion in word.expansions:
                param = parameter(expansion)
                if param is not None and param.name == name:
                    return True
    return False


# --------------------------------------------------------------------------- cloud and cluster tools


_TERRAFORM = ("terraform", "tofu", "terragrunt")


def _terraform_subcommand(argv: list[str]) -> str:
    return next((a for a in argv if not a.startswith("-")), "")


def _terraform_destroys(argv: list[str]) -> bool:
    sub = _terraform_subcommand(argv)
    return sub == "destroy" or (sub == "apply" and any(a in ("-destroy", "--destroy") for a in argv))


def _tears_down_own_apply(located: Located) -> bool:
    """The script applied the same ``-chdir`` configuration earlier in its flow (bring up, test,
    tear down): the destroy removes what that apply made, like ``dropdb`` after ``createdb``. Not
    when a ``terraform workspace`` or ``init`` in between may have switched the state it reads."""
    cmd = located.cmd
    chdir = next((w for w in cmd.args if w.value.startswith("-chdir=")), None)
    if chdir is None:
        return False
    applies = [(c, w) for k, c, w in creations(located.doc) if k == "terraform"]
    if chdir.value not in throwaway.created_names(located.doc, cmd, applies):
        return False
    first = min(c.index for c, w in applies if w.value == chdir.value and c.index < cmd.index and scope_of(cmd, c))
    return not any(
        c.command in _TERRAFORM
        and _terraform_subcommand(c.argv) in ("workspace", "init")
        and first < c.index < cmd.index
        and scope_of(cmd, c)
        for c in located.doc.commands
    )


def detect_terraform_destroy(located: Located, scope: Scope) -> Iterator[Hit]:
    cmd = located.cmd
    if cmd.command not in _TERRAFORM:
        return
    argv = cmd.argv
    sub = _terraform_subcommand(argv)
    auto = any(a in ("-auto-approve", "--auto-approve", "-auto-approve=true") for a in argv)
    destroy = _terraform_destroys(argv)
    if auto and destroy and not _tears_down_own_apply(located):
        form = "destroy" if sub == "destroy" else "apply -destroy"
        yield Hit(
            f"`{cmd.command} {form} -auto-approve` deletes every resource without a review", f"{cmd.command}:destroy"
        )


STATEFUL_KUBE_KINDS = {
    "namespace": "namespace",
    "namespaces": "namespace",
    "ns": "namespace",
    "pvc": "persistentvolumeclaim",
    "persistentvolumeclaim": "persistentvolumeclaim",
    "persistentvolumeclaims": "persistentvolumeclaim",
    "pv": "persistentvolume",
    "persistentvolume": "persistentvolume",
    "persistentvolumes": "persistentvolume",
    "statefulset": "statefulset",
    "statefulsets": "statefulset",
    "sts": "statefulset",
}
_KUBECTL = ("kubectl", "oc")
_KUBECTL_VALUE = {"-n", "--namespace", "-l", "--selector", "--context", "--cluster", "--kubeconfig", "-o", "--output"}
_KUBECTL_VALUE |= {"--grace-period", "--timeout", "--field-selector", "-f", "--filename", "--cascade", "--user", "-s"}


def detect_kubectl_delete(located: Located, scope: Scope) -> Iterator[Hit]:
    cmd = located.cmd
    if cmd.command not in _KUBECTL or "delete" not in cmd.argv:
        return
    argv = cmd.argv
    if any(a.startswith("--dry-run") and a not in ("--dry-run=none",) for a in argv):
        return
    words = positionals(cmd.args, _KUBECTL_VALUE)
    values = [w.value for w in words]
    if "delete" not in values:
        return
    operands = words[values.index("delete") + 1 :]
    if not operands:
        return
    first = operands[0].value.lower()
    kinds: list[tuple[str, list[Word]]] = []
    if "/" in first:
        for operand in operands:
            kind, _, name = operand.value.partition("/")
            kind = kind.lower()
            if kind.split(".")[0] in STATEFUL_KUBE_KINDS:
                named = Word(name, name, operand.static, operand.span, operand.expansions)
                kinds.append((STATEFUL_KUBE_KINDS[kind.split(".")[0]], [named]))
    else:
        for kind in first.split(","):
            if kind.split(".")[0] in STATEFUL_KUBE_KINDS:
                kinds.append((STATEFUL_KUBE_KINDS[kind.split(".")[0]], operands[1:]))
    doomed = [(k, n) for k, n in kinds if not (n and all(is_throwaway(located, k, x) for x in n))]
    if doomed:
        shown = ", ".join(
            f"{k} {' '.join(w.value for w in n) or ('--all' if '--all' in argv else '(by selector)')}"
            for k, n in doomed
        )
        yield Hit(f"`{cmd.command} delete` of {shown} deletes stored data with it", f"kubectl:{shown}")


_DATABASE_WORDS = (
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "valkey",
    "elasticsearch",
    "opensearch",
    "cassandra",
    "cockroach",
    "clickhouse",
    "timescale",
    "influxdb",
    "neo4j",
    "couchdb",
    "etcd",
    "minio",
    "kafka",
)
_HELM_VALUE = {"-n", "--namespace", "--kube-context", "--kubeconfig", "--timeout", "--cascade", "--description"}


def detect_helm_uninstall(located: Located, scope: Scope) -> Iterator[Hit]:
    cmd = located.cmd
    if cmd.command != "helm" or any(a == "--dry-run" or a.startswith("--dry-run=") for a in cmd.argv):
        return
    words = positionals(cmd.args, _HELM_VALUE)
    if not words or words[0].value not in ("uninstall", "delete", "del", "un"):
        return
    for word in words[1:]:
        release = word.value.lower()
        if any(db in release for db in _DATABASE_WORDS) and not is_throwaway(located, "release", word):
            yield Hit(f"`helm {words[0].value} {word.value}` removes a database release", f"helm:{word.value}", word)


def detect_rds_delete(located: Located, scope: Scope) -> Iterator[Hit]:
    cmd = located.cmd
    argv = cmd.argv
    if cmd.command != "aws" or len(argv) < 2:
        return
    words = positionals(cmd.args, {"--region", "--profile", "--output", "--endpoint-url", "--query"})
    values = [w.value for w in words]
    if len(values) < 2 or values[0] not in ("rds", "docdb", "neptune"):
        return
    if values[1] not in ("delete-db-instance", "delete-db-cluster"):
        return
    if "--skip-final-snapshot" not in argv:
        return
    target = _option_value(cmd.args, (), ("--db-instance-identifier", "--db-cluster-identifier"))
    name = target.value if target is not None else "?"
    yield Hit(f"`aws {values[0]} {values[1]} {name} --skip-final-snapshot`", f"aws:{values[1]}:{name}")


def detect_gcloud_sql_delete(located: Located, scope: Scope) -> Iterator[Hit]:
    cmd = located.cmd
    if cmd.command != "gcloud":
        return
    argv = cmd.argv
    words = [a for a in argv if not a.startswith("-")]
    while words and words[0] in ("alpha", "beta"):
        words = words[1:]
    if words[:3] != ["sql", "instances", "delete"]:
        return
    if not ("--quiet" in argv or "-q" in argv) or "--enable-final-backup" in argv:
        return
    name = words[3] if len(words) > 3 else "?"
    yield Hit(f"`gcloud sql instances delete {name} --quiet` (no prompt, no final backup)", f"gcloud:sql:{name}")


def detect_django_flush(located: Located, scope: Scope) -> Iterator[Hit]:
    cmd = located.cmd
    argv = cmd.argv
    if cmd.command == "django-admin":
        rest = argv
    elif cmd.command.startswith("python") or cmd.command == "manage.py":
        rest = argv[1:] if cmd.command.startswith("python") else argv
        if not (cmd.command == "manage.py" or (argv and argv[0].rsplit("/", 1)[-1] == "manage.py")):
            return
    else:
        return
    positional = [a for a in rest if not a.startswith("-")]
    if positional[:1] == ["flush"] and any(a in ("--noinput", "--no-input") for a in rest):
        yield Hit("`manage.py flush --noinput` removes all data without asking", "django:flush")


_RAILS_DESTRUCTIVE = {"db:drop", "db:drop:all", "db:purge", "db:purge:all", "db:reset", "db:schema:load"}
_RAILS_TOOLS = ("rails", "rake")
_RAILS_CHECK = "DISABLE_DATABASE_ENVIRONMENT_CHECK"


def detect_rails_drop(located: Located, scope: Scope) -> Iterator[Hit]:
    cmd = located.cmd
    argv = cmd.argv
    words = argv
    if cmd.command == "bundle" and argv[:1] == ["exec"]:
        words = argv[1:]
        tool = words[0].rsplit("/", 1)[-1] if words else ""
        words = words[1:]
    else:
        tool = cmd.command
    if tool not in _RAILS_TOOLS:
        return
    tasks = [w for w in words if w in _RAILS_DESTRUCTIVE]
    if not tasks:
        return
    disabled = cmd.assignments.get(_RAILS_CHECK) or next(
        (w.split("=", 1)[1] for w in words if w.startswith(_RAILS_CHECK + "=")), None
    )
    if disabled is None:
        disabled = latest_static_value(located.doc, cmd, _RAILS_CHECK)
    if disabled and disabled.lower() not in ("0", "false", ""):
        yield Hit(
            f"`{tool} {tasks[0]}` with {_RAILS_CHECK}={disabled} skips Rails' protected-environment check",
            f"rails:{tasks[0]}",
        )


# --------------------------------------------------------------------------- the rule base


DETECTORS: dict[str, Detector] = {
    "sql-drop": Detector(detect_sql_drop, frozenset(_SQL_CLIENTS)),
    "dropdb": Detector(detect_dropdb, frozenset({"dropdb", *_MYSQL_ADMIN})),
    "mongo-drop": Detector(detect_mongo_drop, frozenset(_MONGO_SHELLS)),
    "redis-flush": Detector(detect_redis_flush, frozenset(_REDIS_CLIENTS)),
    "rm-data-dir": Detector(detect_rm_data_dir, frozenset({"rm"})),
    "rm-empty-variable": Detector(detect_rm_empty_variable, frozenset({"rm"})),
    "terraform-destroy": Detector(detect_terraform_destroy, frozenset(_TERRAFORM)),
    "kubectl-delete": Detector(detect_kubectl_delete, frozenset(_KUBECTL)),
    "helm-uninstall": Detector(detect_helm_uninstall, frozenset({"helm"})),
    "rds-delete": Detector(detect_rds_delete, frozenset({"aws"})),
    "gcloud-sql-delete": Detector(detect_gcloud_sql_delete, frozenset({"gcloud"})),
    "django-flush": Detector(detect_django_flush, frozenset({"django-admin", "manage.py"})),
    "rails-drop": Detector(detect_rails_drop, frozenset(_RAILS_TOOLS)),
}
COMMAND_WORDS = frozenset().union(*(detector.words for detector in DETECTORS.values()))


def may_name_command(text: str) -> bool:
    """Whether text could hold, once the shell has read it, a word some detector needs
    (``Detector.words``): text that cannot is never reported, however it is run."""
    return names_any(text, COMMAND_WORDS)


class Commands(Record):
    """A script's located commands (``located_commands``), indexed by the detector words
    (``COMMAND_WORDS``) each holds: every destructive rule reads the same script, and
    unwrapping each command again for each rule cost thirteen times one unwrapping."""

    __slots__ = ("by_word", "every")

    def __init__(self, doc: ShellDocument) -> None:
        self.every = list(located_commands(doc))
        self.by_word: dict[str, list[int]] = {}
        for i, located in enumerate(self.every):
            for word in located.words & COMMAND_WORDS:
                self.by_word.setdefault(word, []).append(i)

    def naming(self, words: frozenset[str]) -> list[Located]:
        """The commands holding one of ``words``, in the script's order: the only ones a
        ``Detector`` declaring them can report."""
        found = sorted({i for word in words for i in self.by_word.get(word, ())})
        return [self.every[i] for i in found]


def commands_of(doc: ShellDocument, project: Project) -> Commands:
    """The located commands of ``doc``, unwrapped once for every rule that reads them. An
    embedded script shares its host's path, so the document itself is the key (kept in
    the entry, so that its id is not reused while the entry lives)."""
    key = ("shell-commands", id(doc))
    cached = project.cache.get(key)
    if cached is None or cached[0] is not doc:
        cached = project.cache[key] = (doc, Commands(doc))
    commands: Commands = cached[1]
    return commands


def guard_reason(located: Located, settings: GuardSettings, project: Project | None = None) -> str | None:
    """Why a located command is guarded: by its own script, a wrapping command's, or the
    Ansible task that runs the script (its ``when:``, guardrails.facts.ansible)."""
    reason = Guards(located.doc, settings).reason(located.cmd)
    if reason is not None:
        return reason
    for doc, cmd in reversed(located.outer):
        reason = Guards(doc, settings).reason(cmd)
        if reason is not None:
            return reason
    script = located.outer[0][0] if located.outer else located.doc
    if script.host_task is not None:
        from guardrails.facts import ansible

        task = ansible.task_of(script.host, script.host_task)
        if task is not None:
            return ansible.guard(script.host, task, settings, project)
    return None


class ShellDestructiveRule(Rule):
    """One destructive shell pattern (``pattern`` names its detector), unless guarded.

    Guarded commands are not reported (docs/guards.md): the script already keeps them
    away from production or asks a human first.
    """

    abstract = True
    pattern: str = ""
    missing = "nothing in the script keeps it from production (no environment check, confirmation or dry run)"
    options = dict(GUARD_OPTIONS)

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if doc.kind is Kind.ANSIBLE:
            from guardrails.facts import destructive_ansible

            settings, scope = GuardSettings.from_options(ctx.options), Scope(ctx.project, ctx.options)
            yield from destructive_ansible.check(self, doc, self.pattern, settings, scope, ctx)
            return
        if not isinstance(doc, ShellDocument) or not may_name_command(doc.text):
            return  # names no command any detector reads: the script is not even walked
        settings, scope = GuardSettings.from_options(ctx.options), Scope(ctx.project, ctx.options)
        detector = DETECTORS[self.pattern]
        for located in commands_of(doc, ctx.project).naming(detector.words):
            for hit in detector(located, scope):
                if guard_reason(located, settings, ctx.project) is not None:
                    continue
                message = doc.original(located.describe(hit.what) + "; " + self.missing)
                span = located.span(hit.word)
                yield self.finding(doc, span, message, anchor=hit.anchor, ctx=ctx, severity=hit.severity)
