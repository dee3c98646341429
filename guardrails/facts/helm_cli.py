"""``helm install``, ``helm upgrade`` and ``helm template`` command lines read as Helm reads
them: the chart, the ``-f``/``--values`` files in order, and the ``--set`` family parsed
into values trees, in the order Helm merges them.

Sources: helm/helm v3 ``pkg/cli/values/options.go`` (``MergeValues``: value files in order,
then every ``--set-json``, every ``--set``, every ``--set-string``, every ``--set-file``,
every ``--set-literal``, each family in command-line order, whatever the interleaving) and
``pkg/strvals/parser.go`` (``a.b=c,d=e``, ``a[0]=x``, ``a={x,y}``, a backslash escapes the
next character, ``true``/``false``/``null``/integers are typed unless ``--set-string``).
``--values`` is a string-slice flag: ``-f a.yaml,b.yaml`` names two files.

A value holding a shell expansion (``$REDIS_PASSWORD``, ``$(cat f)``, a CI expression),
a ``--set-file`` value, and a ``null`` are unknown, never guessed. The parser knows
nothing of charts; ``guardrails.facts.helm`` layers what it finds.
"""

from __future__ import annotations

import json

from guardrails.documents import ShellCommand, ShellDocument, Word
from guardrails.embedded import written_github_expressions
from guardrails.model import Node, Span
from guardrails.records import Frozen, Record

# A scalar whose value the scan cannot know (an expansion, a file's content).
UNKNOWN_TAG = "!guardrails/unknown"

_DEPLOYING = frozenset({"install", "upgrade", "template"})

# Flags of install/upgrade/template that take no value (Helm v3 ``cmd/helm``); any other
# flag takes the next word unless written ``--flag=value``.
_BOOLEAN = frozenset(
    {
        "-i",
        "--install",
        "--atomic",
        "--rollback-on-failure",
        "--wait",
        "--wait-for-jobs",
        "--create-namespace",
        "--dry-run",
        "--debug",
        "--force",
        "--reuse-values",
        "--reset-values",
        "--reset-then-reuse-values",
        "--devel",
        "--dependency-update",
        "--disable-openapi-validation",
        "--skip-crds",
        "--skip-tests",
        "--skip-schema-validation",
        "--verify",
        "-g",
        "--generate-name",
        "--insecure-skip-tls-verify",
        "--plain-http",
        "--pass-credentials",
        "--render-subchart-notes",
        "--replace",
        "--no-hooks",
        "--include-crds",
        "--is-upgrade",
        "--validate",
        "--release-name",
        "--enable-dns",
        "--cleanup-on-fail",
        "--take-ownership",
        "--hide-notes",
        "--hide-secret",
        "--help",
        "-h",
    }
)
# The families of values flags, in the order Helm merges them over the value files.
_SET_FLAGS = ("--set-json", "--set", "--set-string", "--set-file", "--set-literal")


class ValueFile(Frozen):
    """One ``-f`` entry: the path as written and the word that names it."""

    path: str
    word: Word


class SetLayer(Frozen):
    """The values one ``--set``-family word gives, as a mapping whose scalars carry the
    word's span."""

    root: Node
    word: Word


class HelmCommand(Record):
    """A ``helm install``/``upgrade``/``template``: ``chart`` as written, ``release`` ('' when
    generated), the chart's ``--version`` and ``--repo``, value files and ``--set`` layers
    in Helm's merge order."""

    __slots__ = (
        "chart",
        "command",
        "dry_run",
        "files",
        "release",
        "repo",
        "reuse_values",
        "sets",
        "subcommand",
        "version",
    )

    def __init__(self, command: ShellCommand, subcommand: str, chart: Word, release: str) -> None:
        self.command = command
        self.subcommand = subcommand
        self.chart = chart
        self.release = release
        self.version = ""
        self.repo = ""
        self.files: list[ValueFile] = []
        self.sets: list[SetLayer] = []
        self.reuse_values = False
        self.dry_run = False


def helm_command(cmd: ShellCommand, doc: ShellDocument) -> HelmCommand | None:
    """The command read as ``helm install|upgrade|template``, else None (another subcommand,
    a chart that is not one word, or a command line Helm would reject)."""
    if cmd.command != "helm":
        return None
    words = cmd.args
    i = 0
    while i < len(words) and words[i].value.startswith("-"):  # global flags (--kube-context x)
        i += 1 if "=" in words[i].value or words[i].value in _BOOLEAN else 2
    if i >= len(words) or words[i].value not in _DEPLOYING:
        return None
    subcommand = words[i].value
    positionals: list[Word] = []
    flags: list[tuple[str, Word]] = []
    i += 1
    while i < len(words):
        word = words[i]
        text = word.value
        i += 1
        if text == "--":
            positionals.extend(words[i:])
            break
        if not text.startswith("-") or text == "-":
            positionals.append(word)
            continue
        name, eq, attached = text.partition("=")
        if not eq and not text.startswith("--") and len(text) > 2:  # -fvalues.yaml
            name, attached, eq = text[:2], text[2:], "="
        if name in _BOOLEAN:
            flags.append((name, _part(word, attached) if eq else word))
            continue
        if eq:
            flags.append((name, _part(word, attached)))
        elif i < len(words):
            flags.append((name, words[i]))
            i += 1
    if not 1 <= len(positionals) <= 2 or not positionals[-1].static:
        return None
    release = positionals[0].value if len(positionals) == 2 and positionals[0].static else ""
    found = HelmCommand(cmd, subcommand, positionals[-1], release)
    for family in _SET_FLAGS:
        for name, value in flags:
            if name == family:
                root = _set_layer(family, value, doc)
                if root is None:
                    return None  # Helm rejects the line: nothing is installed
                found.sets.append(SetLayer(root, value))
    for name, value in flags:
        if name in ("-f", "--values"):
            found.files.extend(ValueFile(path, value) for path in value.value.split(",") if path)
        elif name == "--version":
            found.version = value.value if value.static else ""
        elif name == "--repo":
            found.repo = value.value if value.static else ""
        elif name in ("--reuse-values", "--reset-then-reuse-values"):
            found.reuse_values = True
        elif name == "--dry-run":
            found.dry_run = value.value not in ("false", "none")
    return found


def _part(word: Word, value: str) -> Word:
    """The ``value`` of a ``--flag=value`` word, with the word's place."""
    return Word(word.text, value, word.static, word.span, word.expansions)


# --------------------------------------------------------------------------- --set values

_Path = tuple[str | int, ...]


# strvals' limits (``MaxIndex``, ``MaxNestedNameLevel``): Helm rejects a line beyond them.
_MAX_INDEX = 65536
_MAX_NESTING = 30


class _InvalidSetError(ValueError):
    """A ``--set`` argument Helm would reject."""


def _set_layer(family: str, word: Word, doc: ShellDocument) -> Node | None:
    """The values tree one ``--set``-family argument gives (None when Helm rejects it)."""
    masked = ["_" * len(written) for written in written_github_expressions(doc, word.span)]  # as the parse masked them
    return set_values(word.value, family, word.span, [*word.expansions, *masked])


def set_values(text: str, family: str, span: Span, unknown: list[str]) -> Node | None:
    """The values tree of one ``--set``-family argument ``text`` (None when Helm rejects it),
    every node at ``span``; a key or value holding one of the ``unknown`` texts is unknown."""
    try:
        pairs = _parse(text, family)
    except _InvalidSetError:
        return None
    tree: dict[str | int, object] = {}
    for path, value in pairs:
        if any(any(u in str(p) for u in unknown) for p in path):
            continue  # the key itself is unknown
        if family == "--set-json" and isinstance(value, str) and not any(u in value for u in unknown):
            try:
                value = json.loads(value)
            except ValueError:
                return None
        elif any(u in str(value) for u in unknown) or family == "--set-file" or value is None:
            value = _UNKNOWN
        elif isinstance(value, str) and family not in ("--set-string", "--set-literal"):
            value = _typed(value)
        _assign(tree, path, value)
    return _node(tree, span)


class _Unknown:
    """The value of a key whose value the scan cannot know."""


_UNKNOWN = _Unknown()


def _parse(text: str, family: str) -> list[tuple[_Path, object]]:
    """``a.b=c,d[0]=e,f={x,y}`` as (path, value) pairs, strvals' grammar: keys split on ``.``
    and ``[n]``, values end at an unescaped ``,`` (``--set-literal``: the rest of the text),
    ``{x,y}`` is a list; a backslash escapes the next character."""
    pairs: list[tuple[_Path, object]] = []
    i = 0
    n = len(text)
    while i < n:
        path: list[str | int] = []
        current: list[str] = []
        while True:
            if i >= n:
                raise _InvalidSetError("key has no value")
            char = text[i]
            if char == "\\" and i + 1 < n:
                current.append(text[i + 1])
                i += 2
            elif char == ".":
                path.append("".join(current))
                current = []
                i += 1
                if len(path) > _MAX_NESTING:
                    raise _InvalidSetError("too deeply nested")
            elif char == "[":
                if current:
                    path.append("".join(current))
                    current = []
                close = text.find("]", i)
                if close == -1 or not text[i + 1 : close].isdigit():
                    raise _InvalidSetError("bad list index")
                if int(text[i + 1 : close]) > _MAX_INDEX:
                    raise _InvalidSetError("index too large")
                path.append(int(text[i + 1 : close]))
                i = close + 1
                if i < n and text[i] == ".":
                    i += 1
            elif char == "=":
                if current or not path:
                    path.append("".join(current))
                i += 1
                break
            elif char == ",":
                raise _InvalidSetError("key has no value")
            else:
                current.append(char)
                i += 1
        if family == "--set-literal":
            pairs.append((tuple(path), text[i:]))
            break
        if i < n and text[i] == "{" and family != "--set-json":
            close = text.find("}", i)
            if close == -1:
                raise _InvalidSetError("unterminated list")
            inner = text[i + 1 : close]
            pairs.append((tuple(path), _items(inner) if inner else []))
            i = close + 1
            if i < n and text[i] == ",":
                i += 1
            continue
        value, i = _value(text, i)
        pairs.append((tuple(path), value))
        i += 1  # the comma
    return pairs


def _value(text: str, start: int) -> tuple[str, int]:
    """The unescaped text from ``start`` to the next unescaped ``,``, and the index of that
    comma (the text's length when there is none)."""
    current: list[str] = []
    i = start
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current.append(text[i + 1])
            i += 2
            continue
        if text[i] == ",":
            return "".join(current), i
        current.append(text[i])
        i += 1
    return "".join(current), i


def _items(text: str) -> list[str]:
    """The items of a ``{x,y}`` list, split at unescaped commas."""
    items: list[str] = []
    i = 0
    while True:
        item, i = _value(text, i)
        items.append(item)
        if i >= len(text):
            return items
        i += 1  # the comma


def _typed(value: str) -> object:
    """strvals' ``typedVal``: booleans, null and integers without a leading zero."""
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return _UNKNOWN  # null deletes the key from the chart's values: not modelled
    if value == "0" or (value[:1] not in ("0", "") and value.lstrip("-").isdigit()):
        return int(value)
    return value


def _assign(tree: dict[str | int, object], path: _Path, value: object) -> None:
    node: dict[str | int, object] = tree
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[path[-1]] = value


def _node(value: object, span: Span) -> Node:
    """A values tree as positioned nodes, every node at the ``--set`` word; a dict whose
    keys are all list indexes is a sequence."""
    if isinstance(value, dict):
        if value and all(isinstance(k, int) for k in value):
            size = max(value) + 1  # type: ignore[type-var]
            return Node("seq", [_node(value.get(k, ""), span) for k in range(size)], span)
        return Node("map", [(Node("scalar", str(k), span), _node(v, span)) for k, v in value.items()], span)
    if isinstance(value, list):
        return Node("seq", [_node(v, span) for v in value], span)
    if isinstance(value, _Unknown):
        return Node("scalar", "", span, raw="", tag=UNKNOWN_TAG)
    raw = None if isinstance(value, str) else ("null" if value is None else str(value).lower())
    return Node("scalar", value, span, raw=raw)
