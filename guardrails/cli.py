"""Command line: ``guardrails scan | rules | explain``.

Heavy modules (engine, parsers, reporters) are imported inside the commands so that
``guardrails --version`` and a one-file pre-commit run start fast.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any

import click

from guardrails import __version__
from guardrails.records import Record

_SEVERITIES = ["critical", "high", "medium", "low", "info"]
_FORMATS = ("text", "concise", "json", "sarif", "junit", "github", "gitlab", "markdown", "html")


class ConfigurationError(click.ClickException):
    """Invalid configuration, baseline or git ref: exit 2, like a usage error."""

    exit_code = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guardrails")
def main() -> None:
    """guardrails: stop the outage and breach patterns that keep repeating, before they ship.

    Exit codes: 0 no finding at or above --fail-on, 1 findings or an internal error (GR000), 2 usage or
    configuration error, a path that does not exist, paths with no file at all, or a report that cannot
    be written.
    """


def _scan_options(command: Any) -> Any:
    """Options shared by ``scan`` and ``baseline``: what to scan and with which rules."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="One configuration file for every file (default: for each file, the nearest .guardrails.yaml "
            "or pyproject.toml [tool.guardrails] from its directory up to the repository root).",
        ),
        click.option(
            "--select",
            multiple=True,
            help="Only these rules or categories (id, name or category; comma-separated or repeated).",
        ),
        click.option("--ignore", multiple=True, help="Skip these rules or categories (comma-separated or repeated)."),
        click.option(
            "--no-inline-suppressions",
            is_flag=True,
            help="Ignore every `guardrails: ignore[...]` comment and annotation (for a central gate).",
        ),
        click.option(
            "--changed-since",
            metavar="REF",
            help="Scan only the files this branch changed since it left REF (git diff REF...HEAD), plus staged, "
            "unstaged and untracked files; cross-file rules still read unchanged neighbours.",
        ),
        click.option("--stdin-filename", help="Name (and so kind) of the content read from '-'."),
        click.option(
            "--max-file-size",
            type=int,
            default=10 * 1024 * 1024,
            show_default=True,
            help="Files larger than this many bytes are skipped and listed.",
        ),
        click.option("--no-gitignore", is_flag=True, help="Scan files that .gitignore excludes."),
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=0),
            default=0,
            help="Worker processes for large scans; 1 checks in this process. [default: 0, one per core]",
        ),
        click.option(
            "--root",
            type=click.Path(file_okay=False, exists=True, path_type=Path),
            help="Report paths relative to DIR. [default: the repository root (nearest .git) of the first "
            "path, else the current directory]",
        ),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the per-file results cache."),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Cache directory. [default: .guardrails_cache at the project root]",
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            help="No progress line. (A scan that takes over a second shows files done/total on standard error, "
            "only when it is a terminal and CI is not set.)",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


class _Run(Record):
    # ``fail_on``: path of each finding -> the fail-on of the configuration that rules its file.
    __slots__ = ("cwd", "fail_on", "result", "rules")

    def __init__(self, result: Any, rules: tuple[Any, ...], fail_on: dict[str, Any], cwd: Path) -> None:
        self.result = result
        self.rules = rules
        self.fail_on = fail_on
        self.cwd = cwd


def _run(
    paths: tuple[Path, ...],
    config_file: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_inline_suppressions: bool,
    changed_since: str | None,
    stdin_filename: str | None,
    max_file_size: int,
    no_gitignore: bool,
    jobs: int = 0,
    root: Path | None = None,
    no_cache: bool = False,
    cache_dir: Path | None = None,
    quiet: bool = False,
) -> _Run:
    from guardrails import config as configuration
    from guardrails import progress as progress_line
    from guardrails.discover import discover
    from guardrails.engine import Engine, Settings
    from guardrails.result import ScanResult
    from guardrails.selection import select_rules

    here = Path.cwd()
    given = [p for p in paths if str(p) != "-"]
    for path in given:
        if not path.exists() and not path.is_symlink():
            raise ConfigurationError(f"{path}: no such file or directory")
    absolute = [here / p for p in given] or ([] if "-" in map(str, paths) else [here])
    # Every path is reported relative to the root, whatever the current directory: the engine
    # runs from there, with the given paths made absolute.
    cwd = _root(root, absolute, here)
    path_list = [Path(os.path.normpath(p)) for p in absolute]
    select, ignore = _split(select), _split(ignore)
    stdin = None
    if any(str(p) == "-" for p in paths):
        if not stdin_filename:
            raise click.UsageError("reading '-' needs --stdin-filename to know what kind of file it is")
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
            raise click.UsageError(str(exc)) from None
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
            max_file_size=max_file_size,
            use_gitignore=not no_gitignore,
            extra={"datastores": config.datastores},
            path_filter=(lambda path: all(f(path) for f in filters)) if filters else None,
            inline_suppressions=config.inline_suppressions and not no_inline_suppressions,
            jobs=jobs,
            use_cache=not no_cache and not with_stdin,
            cache_dir=cache_dir,
            progress=progress,
        )

    try:
        resolver = configuration.Resolver(config_file, cwd)
        # The nearest configuration rules each file, whatever the order of the arguments: the
        # files found are grouped by theirs, and each group is scanned with its own.
        found = discover(path_list, cwd=cwd, use_gitignore=not no_gitignore)
        groups: dict[int, tuple[configuration.Config, list[Path]]] = {}
        for candidate in found.candidates:
            config = resolver.for_directory(candidate.path.parent)
            groups.setdefault(id(config), (config, []))[1].append(candidate.path)
        if stdin is not None or not groups:
            config = resolver.for_path(path_list[0] if path_list else here)
            groups.setdefault(id(config), (config, []))
    except configuration.ConfigError as exc:
        raise ConfigurationError(str(exc)) from None
    progress = progress_line.Progress(sys.stderr) if progress_line.wanted(sys.stderr, quiet) else None
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


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--select ED001,DO001 --select dns``: comma lists and repetition, as Ruff takes them."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _root(explicit: Path | None, paths: list[Path], here: Path) -> Path:
    """The directory reports are relative to: ``--root``, else the repository of the first path
    (nearest ``.git``), else the current directory when it holds every path, else their
    common directory."""
    from guardrails.discover import real_path
    from guardrails.project import find_root

    if explicit is not None:
        return real_path(explicit)
    first = paths[0] if paths else here
    found = find_root(first)
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


def _outputs(formats: tuple[str, ...], output: Path | None) -> list[tuple[str, Path | None]]:
    """``FMT`` or ``FMT:FILE`` pairs; ``-o FILE`` goes to the first format without a file."""
    specs: list[tuple[str, Path | None]] = []
    for value in formats or ("text",):
        fmt, _, file = value.partition(":")
        if fmt not in _FORMATS:
            raise click.BadParameter(f"{fmt!r} is not one of {', '.join(_FORMATS)}", param_hint="'-f' / '--format'")
        specs.append((fmt, Path(file) if file and file != "-" else None))
    if output is not None:
        index = next((i for i, (_, file) in enumerate(specs) if file is None), None)
        if index is None:
            raise click.UsageError("--output has no format to take: every --format already names its FILE")
        specs[index] = (specs[index][0], output)
    to_stdout = [fmt for fmt, file in specs if file is None]
    if len(to_stdout) > 1:
        raise click.UsageError(
            f"only one format can go to standard output (got {', '.join(to_stdout)}); give the others a file "
            "as --format FMT:FILE"
        )
    return specs


@main.command()
@_scan_options
@click.option(
    "-f",
    "--output-format",
    "--format",
    "formats",
    multiple=True,
    metavar=f"[{'|'.join(_FORMATS)}][:FILE]",
    help="Output format (default text), optionally written to FILE. Repeat for several reports from one run, "
    "e.g. `-f sarif:guardrails.sarif -f text`; `concise` is one line per finding; `html:FILE` is a "
    "self-contained audit page.",
)
@click.option("--statistics", is_flag=True, help="Show the number of findings per rule instead of the findings.")
@click.option(
    "--severity",
    "show_severity",
    type=click.Choice(_SEVERITIES),
    help="Show only findings of at least this severity (the gate still applies --fail-on to all).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the gate (usage errors still exit 2).")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text output; auto: on a terminal unless NO_COLOR is set, or when FORCE_COLOR is.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE (`-f json -o report.json`); with several formats, it goes to the first "
    "--format that names no file.",
)
@click.option(
    "--fail-on",
    type=click.Choice(_SEVERITIES),
    help="Exit 1 when an unsuppressed finding has at least this severity [default: low, or fail-on in the "
    "configuration].",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report only findings not in this baseline (written by `guardrails baseline`).",
)
@click.option(
    "--fix", "apply_fixes", is_flag=True, help="Apply the safe fixes findings offer, then report what is left."
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix or --diff: also apply fixes that change how the system behaves (a TTL raised, a port "
    "bound to loopback).",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print the fixes as a unified diff and write nothing; exit 1 when there is one.",
)
def scan(
    paths: tuple[Path, ...],
    config_file: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_inline_suppressions: bool,
    changed_since: str | None,
    stdin_filename: str | None,
    max_file_size: int,
    no_gitignore: bool,
    jobs: int,
    root: Path | None,
    no_cache: bool,
    cache_dir: Path | None,
    quiet: bool,
    formats: tuple[str, ...],
    statistics: bool,
    show_severity: str | None,
    exit_zero: bool,
    color: str,
    output: Path | None,
    fail_on: str | None,
    baseline_file: Path | None,
    apply_fixes: bool,
    unsafe_fixes: bool,
    show_diff: bool,
) -> None:
    """Scan files and directories (default: the current directory); '-' reads standard input."""
    from guardrails.model import Severity
    from guardrails.report import Report, read_sources, render

    specs = _outputs(formats, output)
    if (apply_fixes or show_diff) and "-" in map(str, paths):
        raise click.UsageError("--fix and --diff change files on disk, not standard input")
    if unsafe_fixes and not (apply_fixes or show_diff):
        raise click.UsageError("--unsafe-fixes goes with --fix or --diff")

    def scanned() -> _Run:
        run = _run(
            paths,
            config_file,
            select,
            ignore,
            no_inline_suppressions,
            changed_since,
            stdin_filename,
            max_file_size,
            no_gitignore,
            jobs,
            root,
            no_cache,
            cache_dir,
            quiet,
        )
        if baseline_file is not None:
            from guardrails import baseline

            try:
                entries = baseline.read(baseline_file)
            except baseline.BaselineError as exc:
                raise ConfigurationError(str(exc)) from None
            baseline.apply(run.result, entries, (r.id for r in run.rules), run.cwd)
        return run

    run = scanned()
    if show_diff:
        _print_diff(run, unsafe_fixes)
    if apply_fixes:
        run = _fix(run, unsafe_fixes, scanned)
    result = run.result
    threshold = Severity.parse(fail_on) if fail_on else None

    def gate(finding: Any) -> Severity:
        return threshold or run.fail_on.get(finding.path) or Severity.LOW

    failing = [f for f in result.findings if f.suppressed is None and f.severity >= gate(f)]
    if show_severity is not None:
        shown = Severity.parse(show_severity)
        kept = [f for f in result.findings if f.severity >= shown]
        result.hidden = len(result.findings) - len(kept)
        result.findings = kept
    report = Report(
        result, run.rules, threshold or _common(run.fail_on.values()) or Severity.LOW, statistics=statistics
    )
    if any(fmt in ("text", "sarif", "html") for fmt, _ in specs):
        read_sources(report, run.cwd)
    if any(fmt == "html" for fmt, _ in specs):
        _provenance(report, run.cwd)
    for fmt, file in specs:
        if file is None:
            from guardrails.report.text import use_colour

            colour = fmt in ("text", "concise") and use_colour(sys.stdout, color)
            click.echo(render(fmt, report, colour=colour), nl=False, color=colour)
        else:
            _write(file, render(fmt, report))
    sys.exit(1 if (failing or result.internal_errors) and not exit_zero else 0)


#: Rounds of fix and rescan: a fix whose edits overlap another's is applied in the next round.
_FIX_ROUNDS = 10


def _print_diff(run: _Run, unsafe: bool) -> None:
    """``--diff``: the fixes as a unified diff, nothing written; exit 1 when there is one."""
    from guardrails import fix

    plan = fix.plan(fix.fixable(run.result.findings, unsafe), run.cwd)
    click.echo(plan.diff(), nl=False)
    count = len(plan.fixed)
    click.echo(f"{count} fix{'es' if count != 1 else ''} would be applied", err=True)
    sys.exit(1 if plan.changes else 0)


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
    click.echo(f"fixed {fixed} finding{'s' if fixed != 1 else ''}{note}", err=True)
    return run


@main.command("baseline")
@_scan_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the baseline to FILE (default: standard output).",
)
def write_baseline(
    paths: tuple[Path, ...],
    config_file: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_inline_suppressions: bool,
    changed_since: str | None,
    stdin_filename: str | None,
    max_file_size: int,
    no_gitignore: bool,
    jobs: int,
    root: Path | None,
    no_cache: bool,
    cache_dir: Path | None,
    quiet: bool,
    output: Path | None,
) -> None:
    """Record today's findings as accepted debt: `scan --baseline FILE` then reports only new ones.

    The file lists fingerprints (rule, path, logical anchor such as a resource address or service
    name; never line numbers), so it survives edits that move lines. Commit it, and shrink it.
    """
    from guardrails import baseline

    run = _run(
        paths,
        config_file,
        select,
        ignore,
        no_inline_suppressions,
        changed_since,
        stdin_filename,
        max_file_size,
        no_gitignore,
        jobs,
        root,
        no_cache,
        cache_dir,
        quiet,
    )
    text = baseline.render(run.result.findings)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text)
        count = len(baseline.entries(run.result.findings))
        click.echo(f"wrote {count} baseline entr{'ies' if count != 1 else 'y'} to {output}", err=True)
    sys.exit(2 if run.result.internal_errors else 0)


@main.command("rules")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_rules(fmt: str) -> None:
    """List every rule: id, name, category, severity and title."""
    import json

    from guardrails.registry import all_rules

    rules = all_rules()
    if fmt == "json":
        click.echo(json.dumps([r.describe() for r in rules], indent=2))
        return
    width = max(len(r.name) for r in rules)
    for rule in rules:
        click.echo(
            f"{rule.id}  {rule.name:<{width}}  {rule.severity.label:<8}  {rule.category.value:<28}  {rule.title}"
        )


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Explain RULE (id or name): what it finds, why, the incident, examples, the fix."""
    from guardrails.explain import render, render_internal_error
    from guardrails.registry import find
    from guardrails.result import INTERNAL_ERROR_ID, INTERNAL_ERROR_NAME

    if rule.upper() == INTERNAL_ERROR_ID or rule == INTERNAL_ERROR_NAME:
        click.echo(render_internal_error())
        return
    found = find(rule)
    if found is None:
        raise click.UsageError(f"unknown rule {rule!r}; `guardrails rules` lists them")
    click.echo(render(found))


if __name__ == "__main__":  # pragma: no cover
    main()
