"""Command line: ``guardrails scan | baseline | rules | explain``.

The standard library's argparse reads it: importing click took a quarter of a one-file
pre-commit scan (26 ms of 105). Heavy modules (engine, parsers, reporters) are imported inside
the commands for the same reason.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from guardrails import __version__
from guardrails.records import Record

_SEVERITIES = ["critical", "high", "medium", "low", "info"]
_FORMATS = ("text", "concise", "json", "sarif", "junit", "github", "gitlab", "markdown", "html")

_ABOUT = "guardrails: stop the outage and breach patterns that keep repeating, before they ship."
_EXIT_CODES = (
    "Exit codes: 0 no finding at or above --fail-on, 1 findings or an internal error (GR000), 2 usage or\n"
    "configuration error, a path that does not exist, paths with no file at all, or a report that cannot\n"
    "be written; 130 interrupted."
)


class UsageError(Exception):
    """A command line that cannot run as given: exit 2 with the usage, never a green gate."""


class ConfigurationError(UsageError):
    """Invalid configuration, baseline, git ref or report file: exit 2, like a usage error."""


# --------------------------------------------------------------------------- argument types


def _file(value: str) -> Path:
    """A file to read or write: a directory is refused while parsing, not when it is opened."""
    if Path(value).is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is a directory")
    return Path(value)


def _directory(value: str) -> Path:
    """``--cache-dir``: may not exist yet, but may not be a file."""
    if Path(value).exists() and not Path(value).is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is a file")
    return Path(value)


def _existing_directory(value: str) -> Path:
    if not Path(value).is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is not a directory")
    return Path(value)


def _count(value: str) -> int:
    """``--jobs``: 0 (one per core) or more."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value} is below 0")
    return number


# --------------------------------------------------------------------------- parsers


def _about(command: Callable[..., Any]) -> str:
    """A command's help is its docstring, as with click."""
    return "\n".join(line.strip() for line in (command.__doc__ or "").strip().splitlines())


class _Help(argparse.RawDescriptionHelpFormatter):
    """argparse builds a formatter per option and sizes it with shutil, whose import (zlib, bz2
    and lzma with it) cost more than parsing the command line: the width comes from os."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_terminal_width() - 2)


@functools.cache
def _terminal_width() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else the terminal's, else 80."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def _parser(name: str, usage: str, command: Callable[..., Any]) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog=f"guardrails {name}",
        usage=f"guardrails {name} {usage}",
        description=_about(command),
        formatter_class=_Help,
        allow_abbrev=False,
    )


def _scan_options(name: str, command: Callable[..., Any]) -> argparse.ArgumentParser:
    """Options shared by ``scan`` and ``baseline``: what to scan and with which rules."""
    parser = _parser(name, "[OPTIONS] [PATHS]...", command)
    add = parser.add_argument
    add("paths", nargs="*", type=Path, metavar="PATHS", help="Files and directories (default: the current one).")
    add(
        "--config",
        dest="config_file",
        type=_file,
        metavar="FILE",
        help="One configuration file for every file (default: for each file, the nearest .guardrails.yaml "
        "or pyproject.toml [tool.guardrails] from its directory up to the repository root).",
    )
    add(
        "--select",
        action="append",
        metavar="RULES",
        help="Only these rules or categories (id, name or category; comma-separated or repeated).",
    )
    add(
        "--ignore",
        action="append",
        metavar="RULES",
        help="Skip these rules or categories (comma-separated or repeated).",
    )
    add(
        "--no-inline-suppressions",
        action="store_true",
        help="Ignore every `guardrails: ignore[...]` comment and annotation (for a central gate).",
    )
    add(
        "--changed-since",
        metavar="REF",
        help="Scan only the files this branch changed since it left REF (git diff REF...HEAD), plus staged, "
        "unstaged and untracked files; cross-file rules still read unchanged neighbours.",
    )
    add("--stdin-filename", metavar="NAME", help="Name (and so kind) of the content read from '-'.")
    add(
        "--max-file-size",
        type=int,
        default=10 * 1024 * 1024,
        metavar="BYTES",
        help="Files larger than this many bytes are skipped and listed. [default: 10485760]",
    )
    add("--no-gitignore", action="store_true", help="Scan files that .gitignore excludes.")
    add(
        "-j",
        "--jobs",
        type=_count,
        default=0,
        metavar="N",
        help="Worker processes for large scans; 1 checks in this process. [default: 0, one per core]",
    )
    add(
        "--root",
        type=_existing_directory,
        metavar="DIR",
        help="Report paths relative to DIR. [default: the repository root (nearest .git) of the paths, "
        "else the current directory]",
    )
    add("--no-cache", action="store_true", help="Neither read nor write the per-file results cache.")
    add(
        "--cache-dir",
        type=_directory,
        metavar="DIR",
        help="Cache directory. [default: .guardrails_cache at the project root]",
    )
    add(
        "-q",
        "--quiet",
        action="store_true",
        help="No progress line. (A scan that takes over a second shows files done/total on standard error, "
        "only when it is a terminal and CI is not set.)",
    )
    return parser


def _scan_parser() -> argparse.ArgumentParser:
    parser = _scan_options("scan", _scan)
    add = parser.add_argument
    add(
        "-f",
        "--output-format",
        "--format",
        dest="formats",
        action="append",
        metavar=f"[{'|'.join(_FORMATS)}][:FILE]",
        help="Output format (default text), optionally written to FILE. Repeat for several reports from one run, "
        "e.g. `-f sarif:guardrails.sarif -f text`; `concise` is one line per finding; `html:FILE` is a "
        "self-contained audit page.",
    )
    add("--statistics", action="store_true", help="Show the number of findings per rule instead of the findings.")
    add(
        "--severity",
        dest="show_severity",
        choices=_SEVERITIES,
        help="Show only findings of at least this severity (the gate still applies --fail-on to all).",
    )
    add("--exit-zero", action="store_true", help="Exit 0 even when findings fail the gate (usage errors still exit 2).")
    add(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="Colour the text output; auto: on a terminal unless NO_COLOR is set, or when FORCE_COLOR is. "
        "[default: auto]",
    )
    add(
        "-o",
        "--output",
        type=_file,
        metavar="FILE",
        help="Write the report to FILE (`-f json -o report.json`); with several formats, it goes to the first "
        "--format that names no file.",
    )
    add(
        "--fail-on",
        choices=_SEVERITIES,
        help="Exit 1 when an unsuppressed finding has at least this severity [default: low, or fail-on in the "
        "configuration].",
    )
    add(
        "--baseline",
        dest="baseline_file",
        type=_file,
        metavar="FILE",
        help="Report only findings not in this baseline (written by `guardrails baseline`).",
    )
    add(
        "--fix",
        dest="apply_fixes",
        action="store_true",
        help="Apply the safe fixes findings offer, then report what is left.",
    )
    add(
        "--unsafe-fixes",
        action="store_true",
        help="With --fix or --diff: also apply fixes that change how the system behaves (a TTL raised, a port "
        "bound to loopback).",
    )
    add(
        "--diff",
        dest="show_diff",
        action="store_true",
        help="Print the fixes as a unified diff and write nothing; exit 1 when there is one.",
    )
    return parser


def _baseline_parser() -> argparse.ArgumentParser:
    parser = _scan_options("baseline", _baseline)
    parser.add_argument(
        "-o",
        "--output",
        type=_file,
        metavar="FILE",
        help="Write the baseline to FILE (default: standard output).",
    )
    return parser


def _rules_parser() -> argparse.ArgumentParser:
    parser = _parser("rules", "[OPTIONS]", _rules)
    parser.add_argument("-f", "--format", dest="fmt", choices=["text", "json"], default="text", help="[default: text]")
    return parser


def _explain_parser() -> argparse.ArgumentParser:
    parser = _parser("explain", "RULE", _explain)
    parser.add_argument("rule", metavar="RULE")
    return parser


# --------------------------------------------------------------------------- scanning


class _Run(Record):
    # ``fail_on``: path of each finding -> the fail-on of the configuration that rules its file.
    __slots__ = ("cwd", "fail_on", "result", "rules")

    def __init__(self, result: Any, rules: tuple[Any, ...], fail_on: dict[str, Any], cwd: Path) -> None:
        self.result = result
        self.rules = rules
        self.fail_on = fail_on
        self.cwd = cwd


def _run(args: argparse.Namespace) -> _Run:
    """Scan what ``scan`` and ``baseline`` are given: each file under its nearest configuration."""
    from guardrails import config as configuration
    from guardrails import progress as progress_line
    from guardrails.discover import discover
    from guardrails.engine import Engine, Settings
    from guardrails.result import ScanResult
    from guardrails.selection import select_rules

    paths: list[Path] = args.paths
    no_gitignore, changed_since, stdin_filename = args.no_gitignore, args.changed_since, args.stdin_filename
    here = Path.cwd()
    given = [p for p in paths if str(p) != "-"]
    for path in given:
        if not path.exists() and not path.is_symlink():
            raise ConfigurationError(f"{path}: no such file or directory")
    absolute = [here / p for p in given] or ([] if "-" in map(str, paths) else [here])
    # Every path is reported relative to the root, whatever the current directory: the engine
    # runs from there, with the given paths made absolute.
    cwd = _root(args.root, absolute, here)
    path_list = [Path(os.path.normpath(p)) for p in absolute]
    select, ignore = _split(args.select), _split(args.ignore)
    stdin = None
    if any(str(p) == "-" for p in paths):
        if not stdin_filename:
            raise UsageError("reading '-' needs --stdin-filename to know what kind of file it is")
        stdin = (stdin_filename, sys.stdin.buffer.read())
    changed: set[Path] | None = None
    if changed_since:
        from guardrails.gitdiff import GitError, changed_files

        try:
            changed = changed_files(changed_since, cwd)
        except GitError as exc:
            raise ConfigurationError(str(exc)) from None

    def settings_for(config: configuration.Config, with_stdin: bool) -> Settings:
        try:
            rules = select_rules(select or config.select, (*config.ignore, *config.disabled, *ignore))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        filters = []
        excluded = config.excluded()
        if excluded is not None:
            filters.append(lambda path: not excluded(path))
        if changed is not None:
            filters.append(lambda path: path.resolve() in changed)
        return Settings(
            rules=rules,
            rule_options=config.rule_options,
            severity_overrides=config.severity_overrides,
            max_file_size=args.max_file_size,
            use_gitignore=not no_gitignore,
            extra={"datastores": config.datastores},
            path_filter=(lambda path: all(f(path) for f in filters)) if filters else None,
            inline_suppressions=config.inline_suppressions and not args.no_inline_suppressions,
            jobs=args.jobs,
            use_cache=not args.no_cache and not with_stdin,
            cache_dir=args.cache_dir,
            progress=progress,
        )

    try:
        resolver = configuration.Resolver(args.config_file, cwd)
        # The nearest configuration rules each file, whatever the order of the arguments: the
        # files found are grouped by theirs, and each group is scanned with its own.
        found = discover(path_list, cwd=cwd, use_gitignore=not no_gitignore)
        groups: dict[int, tuple[configuration.Config, list[Path]]] = {}
        # Asked once per directory (by its name: a path object to hash for each file cost more
        # than the answer), in the order files come.
        by_directory: dict[str, configuration.Config] = {}
        for candidate in found.candidates:
            directory = os.path.dirname(candidate.path)
            config = by_directory.get(directory)
            if config is None:
                config = by_directory[directory] = resolver.for_directory(candidate.path.parent)
            groups.setdefault(id(config), (config, []))[1].append(candidate.path)
        if stdin is not None or not groups:
            config = resolver.for_path(path_list[0] if path_list else here)
            groups.setdefault(id(config), (config, []))
    except configuration.ConfigError as exc:
        raise ConfigurationError(str(exc)) from None
    progress = progress_line.Progress(sys.stderr) if progress_line.wanted(sys.stderr, args.quiet) else None
    if not gc.isenabled():  # started by guardrails.__main__.run, which pauses collection for start-up
        gc.freeze()  # what start-up made lives as long as the process: later collections skip it
        gc.enable()
    rules: dict[str, Any] = {}
    try:
        if len(groups) == 1:  # one configuration for every file (the usual case): one scan of the paths
            [(config, _)] = groups.values()
            settings = settings_for(config, stdin is not None)
            rules.update((r.id, r) for r in settings.rules)
            result = Engine(settings, cwd=cwd).scan(path_list, stdin=stdin, found=found)
        else:
            result = ScanResult(skipped=list(found.skipped), files_found=len(found.candidates))
            for index, (config, files) in enumerate(sorted(groups.values(), key=lambda g: str(g[0].path or ""))):
                with_stdin = stdin is not None and index == 0
                settings = settings_for(config, with_stdin)
                rules.update((r.id, r) for r in settings.rules)
                part = Engine(settings, cwd=cwd).scan(files, stdin=stdin if with_stdin else None)
                _merge(result, part)
            _in_report_order(result)
    finally:
        if progress is not None:
            progress.finish()
    if given and not result.files_found and not result.skipped and stdin is None:
        names = " ".join(str(p) for p in given)
        raise ConfigurationError(f"no file found in {names} (every file is ignored by .gitignore, or none exists)")
    kept = []
    fail_on: dict[str, Any] = {}
    ignore_tests: dict[int, Any] = {}  # per configuration: compiling its patterns once, not per finding
    for finding in result.findings:
        config = resolver.for_directory((cwd / finding.path).parent)
        if id(config) not in ignore_tests:
            ignore_tests[id(config)] = config.path_ignored(cwd)
        ignored = ignore_tests[id(config)]
        if ignored is None or not ignored(finding.path, finding.rule_id):
            kept.append(finding)
            fail_on[finding.path] = config.fail_on
    result.findings = kept
    return _Run(result, tuple(rules[k] for k in sorted(rules)), fail_on, cwd)


def _merge(result: Any, part: Any) -> None:
    """Add the scan of one configuration's files to ``result`` (sorted once, after the last)."""
    result.findings.extend(part.findings)
    result.skipped.extend(part.skipped)
    result.scanned.extend(part.scanned)
    result.files_scanned += part.files_scanned
    result.unsupported += part.unsupported
    result.internal_errors += part.internal_errors


def _in_report_order(result: Any) -> None:
    from guardrails.model import Finding

    result.findings.sort(key=Finding.sort_key)
    result.skipped.sort(key=lambda s: s.path)
    result.scanned.sort()


def _provenance(report: Any, root: Path) -> None:
    """The repository, commit and date the HTML audit names (SOURCE_DATE_EPOCH, when set, fixes the
    date, as reproducible builds do)."""
    import datetime

    from guardrails.gitdiff import head_commit

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    now = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
        if epoch.isdigit()
        else datetime.datetime.now(datetime.timezone.utc)
    )
    report.repository = root.name
    report.commit = head_commit(root)
    report.date = now.strftime("%Y-%m-%d %H:%M UTC")


def _common(values: Any) -> Any:
    """The one fail-on every configuration sets, for reports that name a single threshold."""
    distinct = set(values)
    return next(iter(distinct)) if len(distinct) == 1 else None


def _split(values: list[str] | None) -> tuple[str, ...]:
    """``--select ED001,DO001 --select dns``: comma lists and repetition, as Ruff takes them."""
    return tuple(part.strip() for value in values or () for part in value.split(",") if part.strip())


def _root(explicit: Path | None, paths: list[Path], here: Path) -> Path:
    """The directory reports are relative to: ``--root``, else the repository of the paths
    (nearest ``.git``; of several, the first in sorted order), else the current directory when
    it holds every path, else their common directory."""
    from guardrails.discover import real_path
    from guardrails.project import scan_root

    if explicit is not None:
        return real_path(explicit)
    found = scan_root(paths or [here])  # the engine's project: whatever the order of the paths
    if (found / ".git").exists():
        return found
    reals = [real_path(p) for p in paths] or [real_path(here)]
    cwd = real_path(here)
    if all(p == cwd or cwd in p.parents for p in reals):
        return cwd
    common = Path(os.path.commonpath([str(p) for p in reals]))
    return common if common.is_dir() else common.parent


def _write(file: Path, text: str) -> None:
    """Write a report, creating its directory; a failure is exit 2, never a traceback that CI
    would read as findings (exit 1)."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot write {file}: {exc.strerror or exc}") from None


def _outputs(formats: list[str] | None, output: Path | None) -> list[tuple[str, Path | None]]:
    """``FMT`` or ``FMT:FILE`` pairs; ``-o FILE`` goes to the first format without a file."""
    specs: list[tuple[str, Path | None]] = []
    for value in formats or ("text",):
        fmt, _, file = value.partition(":")
        if fmt not in _FORMATS:
            raise UsageError(f"argument -f/--format: {fmt!r} is not one of {', '.join(_FORMATS)}")
        specs.append((fmt, Path(file) if file and file != "-" else None))
    if output is not None:
        index = next((i for i, (_, file) in enumerate(specs) if file is None), None)
        if index is None:
            raise UsageError("--output has no format to take: every --format already names its FILE")
        specs[index] = (specs[index][0], output)
    to_stdout = [fmt for fmt, file in specs if file is None]
    if len(to_stdout) > 1:
        raise UsageError(
            f"only one format can go to standard output (got {', '.join(to_stdout)}); give the others a file "
            "as --format FMT:FILE"
        )
    return specs


# --------------------------------------------------------------------------- commands


def _scan(args: argparse.Namespace) -> int:
    """Scan files and directories (default: the current directory); '-' reads standard input."""
    from guardrails.model import Severity
    from guardrails.report import Report, read_sources, render

    specs = _outputs(args.formats, args.output)
    if (args.apply_fixes or args.show_diff) and "-" in map(str, args.paths):
        raise UsageError("--fix and --diff change files on disk, not standard input")
    if args.unsafe_fixes and not (args.apply_fixes or args.show_diff):
        raise UsageError("--unsafe-fixes goes with --fix or --diff")

    def scanned() -> _Run:
        run = _run(args)
        if args.baseline_file is not None:
            from guardrails import baseline

            try:
                entries = baseline.read(args.baseline_file)
            except baseline.BaselineError as exc:
                raise ConfigurationError(str(exc)) from None
            baseline.apply(run.result, entries, (r.id for r in run.rules), run.cwd)
        return run

    run = scanned()
    if args.show_diff:
        return _print_diff(run, args.unsafe_fixes)
    if args.apply_fixes:
        run = _fix(run, args.unsafe_fixes, scanned)
    result = run.result
    threshold = Severity.parse(args.fail_on) if args.fail_on else None

    def gate(finding: Any) -> Severity:
        return threshold or run.fail_on.get(finding.path) or Severity.LOW

    failing = [f for f in result.findings if f.suppressed is None and f.severity >= gate(f)]
    if args.show_severity is not None:
        shown = Severity.parse(args.show_severity)
        kept = [f for f in result.findings if f.severity >= shown]
        result.hidden = len(result.findings) - len(kept)
        result.findings = kept
    report = Report(
        result, run.rules, threshold or _common(run.fail_on.values()) or Severity.LOW, statistics=args.statistics
    )
    if any(fmt in ("text", "sarif", "html") for fmt, _ in specs):
        read_sources(report, run.cwd)
    if any(fmt == "html" for fmt, _ in specs):
        _provenance(report, run.cwd)
    for fmt, file in specs:
        if file is None:
            from guardrails.report.text import use_colour

            colour = fmt in ("text", "concise") and use_colour(sys.stdout, args.color)
            sys.stdout.write(render(fmt, report, colour=colour))
        else:
            _write(file, render(fmt, report))
    return 1 if (failing or result.internal_errors) and not args.exit_zero else 0


#: Rounds of fix and rescan: a fix whose edits overlap another's is applied in the next round.
_FIX_ROUNDS = 10


def _print_diff(run: _Run, unsafe: bool) -> int:
    """``--diff``: the fixes as a unified diff, nothing written; exit 1 when there is one."""
    from guardrails import fix

    plan = fix.plan(fix.fixable(run.result.findings, unsafe), run.cwd)
    sys.stdout.write(plan.diff())
    count = len(plan.fixed)
    print(f"{count} fix{'es' if count != 1 else ''} would be applied", file=sys.stderr)
    return 1 if plan.changes else 0


def _fix(run: _Run, unsafe: bool, rescan: Any) -> _Run:
    """``--fix``: apply, rescan, again while fixes change something; the last scan is reported."""
    from guardrails import fix

    fixed = 0
    for _ in range(_FIX_ROUNDS):
        plan = fix.plan(fix.fixable(run.result.findings, unsafe), run.cwd)
        if not plan.changes:
            break
        try:
            plan.write(run.cwd)
        except OSError as exc:
            raise ConfigurationError(f"cannot write a fix to {exc.filename}: {exc.strerror or exc}") from None
        fixed += len(plan.fixed)
        run = rescan()
    left = len(fix.fixable(run.result.findings, True))
    note = f"; {left} more with --unsafe-fixes" if left and not unsafe else ""
    print(f"fixed {fixed} finding{'s' if fixed != 1 else ''}{note}", file=sys.stderr)
    return run


def _baseline(args: argparse.Namespace) -> int:
    """Record today's findings as accepted debt: `scan --baseline FILE` then reports only new ones.

    The file lists fingerprints (rule, path, logical anchor such as a resource address or service
    name; never line numbers), so it survives edits that move lines. Commit it, and shrink it.
    """
    from guardrails import baseline

    run = _run(args)
    text = baseline.render(run.result.findings)
    if args.output is None:
        sys.stdout.write(text)
    else:
        _write(args.output, text)
        count = len(baseline.entries(run.result.findings))
        print(f"wrote {count} baseline entr{'ies' if count != 1 else 'y'} to {args.output}", file=sys.stderr)
    return 2 if run.result.internal_errors else 0


def _rules(args: argparse.Namespace) -> int:
    """List every rule: id, name, category, severity and title."""
    import json

    from guardrails.registry import all_rules

    rules = all_rules()
    if args.fmt == "json":
        print(json.dumps([r.describe() for r in rules], indent=2))
        return 0
    width = max(len(r.name) for r in rules)
    for rule in rules:
        print(f"{rule.id}  {rule.name:<{width}}  {rule.severity.label:<8}  {rule.category.value:<28}  {rule.title}")
    return 0


def _explain(args: argparse.Namespace) -> int:
    """Explain RULE (id or name): what it finds, why, the incident, examples, the fix."""
    from guardrails.explain import render, render_internal_error
    from guardrails.registry import find
    from guardrails.result import INTERNAL_ERROR_ID, INTERNAL_ERROR_NAME

    if args.rule.upper() == INTERNAL_ERROR_ID or args.rule == INTERNAL_ERROR_NAME:
        print(render_internal_error())
        return 0
    found = find(args.rule)
    if found is None:
        raise UsageError(f"unknown rule {args.rule!r}; `guardrails rules` lists them")
    print(render(found))
    return 0


#: The commands whose positional arguments are paths (``--`` may come before them).
_TAKES_PATHS = frozenset({"scan", "baseline"})

#: Each command: its parser, and what runs it (returning the exit code).
_COMMANDS: dict[str, tuple[Callable[[], argparse.ArgumentParser], Callable[[argparse.Namespace], int]]] = {
    "scan": (_scan_parser, _scan),
    "baseline": (_baseline_parser, _baseline),
    "rules": (_rules_parser, _rules),
    "explain": (_explain_parser, _explain),
}


# --------------------------------------------------------------------------- entry point


def _top_parser() -> argparse.ArgumentParser:
    width = max(map(len, _COMMANDS))
    listing = "\n".join(f"  {name:<{width}}  {_about(run).splitlines()[0]}" for name, (_, run) in _COMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="guardrails",
        usage="guardrails [-h] [--version] COMMAND [ARGS]...",
        description=f"{_ABOUT}\n\n{_EXIT_CODES}\n\ncommands:\n{listing}\n\n`guardrails COMMAND -h` shows its options.",
        formatter_class=_Help,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"guardrails, version {__version__}")
    parser.add_argument("command", metavar="COMMAND", choices=list(_COMMANDS), help=argparse.SUPPRESS)
    parser.add_argument("arguments", metavar="ARGS", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def parse(argv: Sequence[str]) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    """The command's parser and its arguments; argparse exits 2 on a usage error, 0 after -h or
    --version. Options and paths may come in any order, as with every linter's CLI."""
    if argv and argv[0] in _COMMANDS:  # the command's words as given (argparse would drop a '--' after it)
        command, given = argv[0], list(argv[1:])
    elif not argv:  # what to do is missing: say what can be done, as a usage error
        _top_parser().print_help(sys.stderr)
        sys.exit(2)
    else:  # -h, --version or a misspelt command: argparse answers and exits
        top = _top_parser().parse_args(argv)
        command, given = top.command, top.arguments
    build, _ = _COMMANDS[command]
    parser = build()
    if command not in _TAKES_PATHS:
        arguments = parser.parse_args(given)
    else:
        # parse_intermixed_args mishandles '--' before any path (an option after it is still
        # read as one): everything after the first '--' is a path, as with every Unix tool.
        cut = given.index("--") if "--" in given else len(given)
        arguments = parser.parse_intermixed_args(given[:cut])
        arguments.paths += [Path(word) for word in given[cut + 1 :]]
    arguments.command = command
    return parser, arguments


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run one command and exit with its code: 2 for any usage or configuration error."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:  # started with that stream closed: say nothing, exit as usual
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - for the process
    parser, arguments = parse(sys.argv[1:] if argv is None else argv)
    _, command = _COMMANDS[arguments.command]
    try:
        code = command(arguments)
        sys.stdout.flush()
    except ConfigurationError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        code = 2
    except UsageError as exc:
        parser.error(str(exc))
    except BrokenPipeError:  # `guardrails scan | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    except KeyboardInterrupt:
        print("guardrails: interrupted", file=sys.stderr)
        code = 130
    sys.exit(code)
