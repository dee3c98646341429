"""Does a shell command run in production? Guards read from control flow, never from text.

A destructive command is *guarded* when the script itself keeps it away from
production or from an unattended run. What counts (see docs/guards.md):

* an enclosing condition (``if``/``elif``/``else``/``while``/``&&``/``||``/``case``)
  that is false in production: it compares an environment variable (``$ENV``,
  ``$RAILS_ENV``...) with a value that is not a production name, or a host (the host
  name ``$(hostname -f)``/``$HOSTNAME``, or a ``*HOST`` variable such as ``$PGHOST``)
  with a value whose name says non-production (``db2-staging*``, ``*.test.internal``);
* an earlier ``exit`` (or ``return`` in the same function) that runs whenever the
  environment is production: every condition above it is true in production;
* an interactive confirmation: ``read`` into a variable that a condition over the
  command (or over an earlier ``exit``) then tests, or a ``gum confirm`` /
  ``whiptail --yesno`` condition;
* a dry-run default: ``DRY_RUN=${DRY_RUN:-true}`` and a condition over the command
  that is false under that default.

A test that proves nothing about production (``[ -n "$ENV" ]``, ``[ -z "$ENV" ]``, a
comparison with an empty string or with another variable) is unknown, not a guard.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from guardrails import deferred_re
from guardrails.documents import Condition, ShellCommand, ShellDocument, Word
from guardrails.model import Span
from guardrails.records import Frozen
from guardrails.rule import Option

DEFAULT_ENV_VARIABLES = [
    "ENV",
    "ENVIRONMENT",
    "APP_ENV",
    "APP_ENVIRONMENT",
    "RAILS_ENV",
    "RACK_ENV",
    "NODE_ENV",
    "FLASK_ENV",
    "DJANGO_ENV",
    "MIX_ENV",
    "STAGE",
    "DEPLOY_ENV",
    "DEPLOY_ENVIRONMENT",
    "TARGET_ENV",
    "TARGET_ENVIRONMENT",
    "TF_WORKSPACE",
    "TERRAFORM_WORKSPACE",  # ${terraform.workspace} in a Terraform provisioner (guardrails.embedded)
    "CI_ENVIRONMENT_NAME",
    "ENVIRONMENT_NAME",
    "ASPNETCORE_ENVIRONMENT",
    "SPRING_PROFILES_ACTIVE",
]
DEFAULT_PRODUCTION_NAMES = ["prod", "production", "prd", "live"]
DEFAULT_DRY_RUN_VARIABLES = ["DRY_RUN", "DRYRUN", "NOOP", "NO_OP"]
NON_PRODUCTION_TOKENS = frozenset(
    {"dev", "development", "test", "testing", "staging", "stage", "stg", "qa", "uat", "sandbox", "local", "ci"}
    | {"preview", "review", "demo", "e2e", "integration", "nonprod", "canary-test"}
)
_TRUE = {"true", "1", "yes", "y", "on"}
_CONFIRM_TOOLS = {("gum", "confirm"), ("whiptail", "--yesno"), ("dialog", "--yesno"), ("zenity", "--question")}
_PARAM = deferred_re.compile(
    r"^\$(?:\{#?(?P<braced>[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*])(?P<op>:?[-=?+]|,,?|\^\^?)?(?P<arg>.*)\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*|[0-9@*]))$",
    re.DOTALL,
)
_TEST_NAMES = {"[", "[[", "test"}
_COMPARE = {"=", "==", "!=", "=~"}

GUARD_OPTIONS: dict[str, Option] = {
    "environment_variables": Option(
        DEFAULT_ENV_VARIABLES,
        "variables that name the environment; names ending in _ENV, containing ENVIRONMENT or ending in _ and "
        "one of these count too",
    ),
    "production_names": Option(DEFAULT_PRODUCTION_NAMES, "values of those variables that mean production"),
    "dry_run_variables": Option(DEFAULT_DRY_RUN_VARIABLES, "variables whose true default makes a script a dry run"),
}


class GuardSettings(Frozen):
    env_variables: frozenset[str]
    production_names: frozenset[str]
    dry_run_variables: frozenset[str]

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> GuardSettings:
        """Asked by every shell rule for every script: made once per distinct option values."""

        def pick(key: str, default: list[str]) -> tuple[str, ...]:
            return tuple(str(v) for v in options.get(key, default))

        return _settings(
            pick("environment_variables", DEFAULT_ENV_VARIABLES),
            pick("production_names", DEFAULT_PRODUCTION_NAMES),
            pick("dry_run_variables", DEFAULT_DRY_RUN_VARIABLES),
        )

    def is_env_variable(self, name: str) -> bool:
        upper = name.upper()
        if upper in self.env_variables or upper.endswith("_ENV") or "ENVIRONMENT" in upper:
            return True
        return "_" in upper and upper.rsplit("_", 1)[1] in self.env_variables  # DEPLOY_STAGE, var_stage


@lru_cache(maxsize=16)
def _settings(env_variables: tuple[str, ...], production: tuple[str, ...], dry_run: tuple[str, ...]) -> GuardSettings:
    return GuardSettings(
        frozenset(v.upper() for v in env_variables),
        frozenset(v.lower() for v in production),
        frozenset(v.upper() for v in dry_run),
    )


DEFAULT_SETTINGS = GuardSettings.from_options({})


# --------------------------------------------------------------------------- parameters


class Parameter(Frozen):
    """``${NAME:-default}`` read apart: ``op`` is ``:-``, ``-``, ``:=``, ``:?``, ``,,``... or ''."""

    name: str
    op: str
    arg: str


def parameter(expansion: str) -> Parameter | None:
    """A parameter expansion (``$X``, ``${X}``, ``${X:-d}``); None for ``$( … )`` and the rest."""
    m = _PARAM.match(expansion)
    if m is None:
        return None
    if m.group("plain"):
        return Parameter(m.group("plain"), "", "")
    return Parameter(m.group("braced"), m.group("op") or "", m.group("arg") or "")


def whole_parameter(word: Word) -> Parameter | None:
    """The parameter when the word is exactly one expansion (``"$ENV"``, ``${ENV,,}``)."""
    if len(word.expansions) != 1 or word.value != word.expansions[0]:
        return None
    return parameter(word.expansions[0])


def commands_within(doc: ShellDocument, span: Span) -> list[ShellCommand]:
    """Commands nested in a word (``$(hostname -f)``): their spans lie inside it."""
    start, end = (span.line, span.column), (span.end_line, span.end_column)
    return [
        c for c in doc.commands if start <= (c.span.line, c.span.column) and (c.span.end_line, c.span.end_column) <= end
    ]


def _is_hostname_command(cmd: ShellCommand) -> bool:
    return cmd.command == "hostname" or (cmd.command == "uname" and "-n" in cmd.argv)


def scope_of(cmd: ShellCommand, other: ShellCommand | Any) -> bool:
    """``other`` runs before ``cmd`` in the same flow: top level, or the same function."""
    return other.index <= cmd.index and (other.function is None or other.function == cmd.function)


# --------------------------------------------------------------------------- subjects and worlds


class Subject(Frozen):
    """What a test operand stands for: ``env`` (an environment variable), ``host`` or ``var``."""

    kind: str
    name: str


class World:
    """A hypothetical run: says whether a subject equals a value in it (None: cannot tell)."""

    def equals(self, subject: Subject, pattern: str, mode: str) -> bool | None:
        return None

    def empty(self, subject: Subject) -> bool | None:
        return None


def _matches(value: str, pattern: str, mode: str) -> bool:
    if mode == "regex":
        try:
            return re.search(pattern, value) is not None
        except re.error:
            return False
    if mode == "glob":
        return fnmatch.fnmatchcase(value, pattern)
    return value == pattern


class ProductionWorld(World):
    """The script runs in production: environment variables hold a production name."""

    def __init__(self, settings: GuardSettings) -> None:
        self.settings = settings

    def equals(self, subject: Subject, pattern: str, mode: str) -> bool | None:
        pattern = pattern.lower()
        if subject.kind == "env":
            if not pattern:
                return None
            return any(_matches(name, pattern, mode) for name in self.settings.production_names)
        if subject.kind == "host":
            return self._host(pattern, mode)
        return None

    def _host(self, pattern: str, mode: str) -> bool | None:
        """Host names carry no environment by law; read the tokens people put in them."""
        if mode != "exact" and pattern.strip("*?.^$") == "":
            return True
        tokens = [t for t in re.split(r"[^a-z0-9]+", pattern) if t]
        if any(_token_is(t, self.settings.production_names) for t in tokens):
            return True
        if any(_token_is(t, NON_PRODUCTION_TOKENS) for t in tokens):
            return False
        return None


def _token_is(token: str, names: Iterable[str]) -> bool:
    """``prod``, ``prod1``, ``stg02``: a name followed by digits still names the environment."""
    return token.rstrip("0123456789") in names


class ValueWorld(World):
    """Some variables hold known values (a dry-run default)."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def equals(self, subject: Subject, pattern: str, mode: str) -> bool | None:
        if subject.name not in self.values:
            return None
        return _matches(self.values[subject.name].lower(), pattern.lower(), mode)

    def empty(self, subject: Subject) -> bool | None:
        return self.values[subject.name] == "" if subject.name in self.values else None


class Guards:
    """Guard analysis over one shell document."""

    def __init__(self, doc: ShellDocument, settings: GuardSettings = DEFAULT_SETTINGS) -> None:
        self.doc = doc
        self.settings = settings
        self.production = ProductionWorld(settings)
        self._host_vars = {
            a.name
            for a in doc.assignments
            if a.value is not None and any(_is_hostname_command(c) for c in commands_within(doc, a.value.span))
        }

    # -- operands ------------------------------------------------------------------

    def subject(self, word: Word) -> Subject | None:
        if len(word.expansions) != 1 or word.value != word.expansions[0]:
            return None
        expansion = word.expansions[0]
        if expansion.startswith(("$(", "`")):
            if any(_is_hostname_command(c) for c in commands_within(self.doc, word.span)):
                return Subject("host", expansion)
            return None
        param = parameter(expansion)
        if param is None:
            return None
        if param.name.upper().endswith(("HOST", "HOSTNAME")) or param.name in self._host_vars:
            return Subject("host", param.name)
        if self.settings.is_env_variable(param.name):
            return Subject("env", param.name)
        return Subject("var", param.name)

    # -- tests -----------------------------------------------------------------------

    def evaluate_test(self, cmd: ShellCommand, world: World) -> bool | None:
        """The outcome of a test command in ``world``; None when it cannot be told."""
        if cmd.name is not None and not cmd.name.static and not cmd.args:
            param = whole_parameter(cmd.name)
            if param is not None and isinstance(world, ValueWorld) and param.name in world.values:
                return world.values[param.name].lower() in _TRUE
            return None
        if cmd.command not in _TEST_NAMES:
            return None
        words = list(cmd.args)
        if cmd.command == "test" and words and words[-1].value == "]":
            words = words[:-1]
        extended = cmd.command == "[["
        groups: list[list[Word]] = [[]]
        connectors: list[str] = []
        for word in words:
            if word.static and word.value in ("&&", "||", "-a", "-o") and word.text == word.value:
                connectors.append("and" if word.value in ("&&", "-a") else "or")
                groups.append([])
            else:
                groups[-1].append(word)
        results = [self._clause(g, world, extended) for g in groups]
        if connectors and len(set(connectors)) > 1:
            return None
        if connectors and connectors[0] == "or":
            if any(r is True for r in results):
                return True
            return False if all(r is False for r in results) else None
        if any(r is False for r in results):
            return False
        return True if all(r is True for r in results) else None

    def _clause(self, words: list[Word], world: World, extended: bool) -> bool | None:
        negate = False
        while words and words[0].static and words[0].value == "!":
            negate = not negate
            words = words[1:]
        result = self._simple(words, world, extended)
        return (not result) if (negate and result is not None) else result

    def _simple(self, words: list[Word], world: World, extended: bool) -> bool | None:
        if len(words) == 2 and words[0].static and words[0].value in ("-z", "-n"):
            subject = self.subject(words[1])
            empty = world.empty(subject) if subject is not None else None
            if empty is None:
                return None
            return empty if words[0].value == "-z" else not empty
        if len(words) != 3 or not words[1].static or words[1].value not in _COMPARE:
            return None
        left, op, right = words[0], words[1].value, words[2]
        subject, literal = self.subject(left), right
        if subject is None:
            subject, literal = self.subject(right), left
            if op == "=~":
                return None
        if subject is None or not literal.static:
            return None
        mode = "regex" if op == "=~" else ("glob" if extended and literal.text == literal.value else "exact")
        equal = world.equals(subject, literal.value, mode)
        if equal is None:
            return None
        return (not equal) if op == "!=" else equal

    def _tests(self, tests: list[ShellCommand], text: str, world: World) -> bool | None:
        if not tests:
            return None
        results = [self.evaluate_test(t, world) for t in tests]
        if len(results) == 1:
            result = results[0]
        elif "||" in text:
            result = results[0] if len(set(results)) == 1 else None
        elif any(r is False for r in results):
            result = False
        else:
            result = True if all(r is True for r in results) else None
        if result is not None and text.lstrip().startswith("!"):
            result = not result
        return result

    def holds(self, cond: Condition, world: World) -> bool | None:
        """Whether the command under ``cond`` runs in ``world`` (None: cannot tell)."""
        result: bool | None
        if cond.kind in ("if", "elif", "while", "and"):
            result = self._tests(cond.tests, cond.text, world)
        elif cond.kind in ("or", "until"):
            outcome = self._tests(cond.tests, cond.text, world)
            result = None if outcome is None else not outcome
        elif cond.kind == "else":
            outcomes = [self.evaluate_test(t, world) for t in cond.tests]
            if any(o is True for o in outcomes):
                result = False
            else:
                result = True if outcomes and all(o is False for o in outcomes) else None
        elif cond.kind == "case" and cond.subject is not None:
            subject = self.subject(cond.subject)
            if subject is None:
                return None
            outcomes = [world.equals(subject, p, "glob") for p in cond.patterns]
            if any(o is True for o in outcomes):
                result = True
            else:
                result = False if outcomes and all(o is False for o in outcomes) else None
        else:
            return None
        if result is not None and cond.negated:
            result = not result
        return result

    # -- guards ----------------------------------------------------------------------

    def reason(self, cmd: ShellCommand) -> str | None:
        """Why ``cmd`` is guarded, or None when nothing in the script keeps it from production."""
        for cond in cmd.conditions:
            if cond.kind == "unread":
                return f"it sits under `{describe(cond)}`, which could not be parsed and may keep it from production"
            if self.holds(cond, self.production) is False:
                return f"`{describe(cond)}` keeps it from running in production"
        stop = self._production_exit(cmd)
        if stop is not None:
            return f"the script exits earlier in production (`{describe(stop)}`)"
        confirm = self._confirmation(cmd)
        if confirm is not None:
            return confirm
        return self._dry_run(cmd)

    def _production_exit(self, cmd: ShellCommand) -> Condition | None:
        for other in self.doc.commands:
            if other.index >= cmd.index or not other.conditions:
                continue
            leaves = other.command == "exit" or (other.command == "return" and other.function == cmd.function)
            if not leaves or not scope_of(cmd, other):
                continue
            if all(self.holds(c, self.production) is True for c in other.conditions):
                return other.conditions[-1]
        return None

    def _confirmation(self, cmd: ShellCommand) -> str | None:
        for cond in cmd.conditions:
            for test in cond.tests:
                argv = test.argv
                if any(test.command == tool and flag in argv[:2] for tool, flag in _CONFIRM_TOOLS):
                    return f"it runs only after `{test.text}` confirms"
        for read in self.doc.commands:
            if read.command != "read" or read.index >= cmd.index or not scope_of(cmd, read):
                continue
            variable = _read_variable(read)
            if any(self._references(c, variable) for c in cmd.conditions):
                return f"it runs only after the answer read into ${variable} is checked"
            for other in self.doc.commands:
                if (
                    read.index < other.index < cmd.index
                    and other.command == "exit"
                    and scope_of(cmd, other)
                    and any(self._references(c, variable) for c in other.conditions)
                ):
                    return f"the script exits unless the answer read into ${variable} is confirmed"
        return None

    def _references(self, cond: Condition, variable: str) -> bool:
        words: list[Word] = [w for t in cond.tests for w in t.args]
        if cond.subject is not None:
            words.append(cond.subject)
        for word in words:
            for expansion in word.expansions:
                param = parameter(expansion)
                if param is not None and param.name == variable:
                    return True
        return False

    def _dry_run(self, cmd: ShellCommand) -> str | None:
        defaults = dry_run_defaults(self.doc, cmd, self.settings)
        if not defaults:
            return None
        world = ValueWorld(defaults)
        for cond in cmd.conditions:
            if self.holds(cond, world) is False:
                name, value = next(iter(defaults.items()))
                return f"it is skipped under the dry-run default {name}={value}"
        return None


def describe(cond: Condition) -> str:
    """A condition as a reader would name it, on one line."""
    if cond.kind == "case" and cond.subject is not None:
        text = f"case {cond.subject.text} in {'|'.join(cond.patterns)})"
    elif cond.kind == "else":
        text = "else of " + " / ".join(t.text for t in cond.tests)
    elif cond.kind == "or":
        text = f"{cond.text} ||"
    elif cond.kind == "and":
        text = f"{cond.text} &&"
    else:
        text = f"{cond.kind} {cond.text}"
    text = " ".join(text.split())
    return text if len(text) <= 70 else text[:67] + "..."


_READ_OPTIONS_WITH_VALUE = {"-p", "-t", "-n", "-N", "-d", "-u", "-a", "-i"}


def _read_variable(cmd: ShellCommand) -> str:
    """The variable ``read`` fills: its last operand, ``REPLY`` when none."""
    names: list[str] = []
    skip = False
    for word in cmd.args:
        if skip:
            skip = False
            continue
        if word.value in _READ_OPTIONS_WITH_VALUE:
            skip = True
            continue
        if word.value.startswith("-"):
            continue
        names.append(word.value)
    return names[-1] if names else "REPLY"


def dry_run_defaults(doc: ShellDocument, cmd: ShellCommand, settings: GuardSettings) -> dict[str, str]:
    """Dry-run variables whose default, set before ``cmd``, is true (``DRY_RUN=${DRY_RUN:-true}``)."""
    found: dict[str, str] = {}
    candidates: list[tuple[str, Word]] = [
        (a.name, a.value) for a in doc.assignments if a.value is not None and not a.conditions and scope_of(cmd, a)
    ]
    for other in doc.commands:
        if other.command == ":" and not other.conditions and scope_of(cmd, other) and other.index < cmd.index:
            for word in other.args:
                param = whole_parameter(word)
                if param is not None and param.op in (":=", "="):
                    candidates.append((param.name, Word(param.arg, param.arg, True, word.span)))
    for name, value in candidates:
        if name.upper() not in settings.dry_run_variables:
            continue
        default = value.value if value.static else None
        param = whole_parameter(value)
        if param is not None and param.op in (":-", "-", ":=", "="):
            default = param.arg
        if default is not None:
            if default.lower() in _TRUE:
                found[name] = default
            else:
                found.pop(name, None)
    return found
