"""Command line: ``guardrails scan | rules | explain``.

Heavy modules (engine, parsers, reporters) are imported inside the commands so that
``guardrails --version`` and a one-file pre-commit run start fast.
"""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from guardrails import __version__

_SEVERITIES = ["critical", "high", "medium", "low", "info"]
_FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab", "markdown")


class ConfigurationError(click.ClickException):
    """Invalid configuration, baseline or git ref: exit 2, like a usage error."""

    exit_code = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guardrails")
def main() -> None:
    """guardrails: stop the outage and breach patterns that keep repeating, before they ship.

    Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or configuration error.
    """


def _scan_options(command: Any) -> Any:
    """Options shared by ``scan`` and ``baseline``: what to scan and with which rules."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Configuration file (default: the nearest .guardrails.yaml or pyproject.toml "
            "[tool.guardrails] from the scanned path up to the repository root).",
        ),
        click.option(
            "--select", multiple=True, help="Only these rules or categories (id, name or category; repeatable)."
        ),
        click.option("--ignore", multiple=True, help="Skip these rules or categories (repeatable)."),
        click.option(
            "--no-inline-suppressions",
            is_flag=True,
            help="Ignore every `guardrails: ignore[...]` comment and annotation (for a central gate).",
        ),
        click.option(
            "--changed-since",
            metavar="REF",
            help="Scan only files changed since the git ref REF (git diff --name-only REF); "
            "cross-file rules still read unchanged neighbours.",
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
        click.option("--no-cache", is_flag=True, help="Neither read nor write the per-file results cache."),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Cache directory. [default: .guardrails_cache at the project root]",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@dataclass(slots=True)
class _Run:
    result: Any
    rules: tuple[Any, ...]
    config: Any
    cwd: Path


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
    no_cache: bool = False,
    cache_dir: Path | None = None,
) -> _Run:
    from guardrails import config as configuration
    from guardrails.engine import Engine, Settings
    from guardrails.selection import select_rules

    cwd = Path.cwd()
    path_list = [p for p in paths if str(p) != "-"] or ([] if "-" in map(str, paths) else [Path(".")])
    try:
        config = configuration.load(config_file, cwd / path_list[0] if path_list else cwd)
    except configuration.ConfigError as exc:
        raise ConfigurationError(str(exc)) from None
    try:
        rules = select_rules(select or config.select, (*config.ignore, *config.disabled, *ignore))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    stdin = None
    if any(str(p) == "-" for p in paths):
        if not stdin_filename:
            raise click.UsageError("reading '-' needs --stdin-filename to know what kind of file it is")
        stdin = (stdin_filename, sys.stdin.buffer.read())
    filters = []
    excluded = config.excluded()
    if excluded is not None:
        filters.append(lambda path: not excluded(path))
    if changed_since:
        from guardrails.gitdiff import GitError, changed_files

        try:
            changed = changed_files(changed_since, cwd)
        except GitError as exc:
            raise ConfigurationError(str(exc)) from None
        filters.append(lambda path: path.resolve() in changed)
    settings = Settings(
        rules=rules,
        rule_options=config.rule_options,
        severity_overrides=config.severity_overrides,
        max_file_size=max_file_size,
        use_gitignore=not no_gitignore,
        extra={"datastores": config.datastores},
        path_filter=(lambda path: all(f(path) for f in filters)) if filters else None,
        inline_suppressions=config.inline_suppressions and not no_inline_suppressions,
        jobs=jobs,
        use_cache=not no_cache and stdin is None,
        cache_dir=cache_dir,
    )
    if not gc.isenabled():  # started by guardrails.__main__.run, which pauses collection for start-up
        gc.freeze()  # what start-up made lives as long as the process: later collections skip it
        gc.enable()
    result = Engine(settings, cwd=cwd).scan(path_list, stdin=stdin)
    ignored = config.path_ignored(cwd)
    if ignored is not None:
        result.findings = [f for f in result.findings if not ignored(f.path, f.rule_id)]
    return _Run(result, rules, config, cwd)


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
    "--format",
    "formats",
    multiple=True,
    metavar=f"[{'|'.join(_FORMATS)}][:FILE]",
    help="Output format (default text), optionally written to FILE. Repeat for several reports from one run, "
    "e.g. `-f sarif:guardrails.sarif -f text`.",
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
    no_cache: bool,
    cache_dir: Path | None,
    formats: tuple[str, ...],
    output: Path | None,
    fail_on: str | None,
    baseline_file: Path | None,
) -> None:
    """Scan files and directories (default: the current directory); '-' reads standard input."""
    from guardrails.model import Severity
    from guardrails.report import Report, read_sources, render

    specs = _outputs(formats, output)
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
        no_cache,
        cache_dir,
    )
    result = run.result
    if baseline_file is not None:
        from guardrails import baseline

        try:
            entries = baseline.read(baseline_file)
        except baseline.BaselineError as exc:
            raise ConfigurationError(str(exc)) from None
        baseline.apply(result, entries, (r.id for r in run.rules), run.cwd)
    threshold = Severity.parse(fail_on) if fail_on else (run.config.fail_on or Severity.LOW)
    report = Report(result, run.rules, threshold)
    if any(fmt == "text" for fmt, _ in specs):
        read_sources(report, run.cwd)
    for fmt, file in specs:
        if file is None:
            from guardrails.report.text import use_colour

            click.echo(render(fmt, report, colour=fmt == "text" and use_colour(sys.stdout)), nl=False)
        else:
            file.write_text(render(fmt, report), encoding="utf-8")
    failing = [f for f in result.findings if f.suppressed is None and f.severity >= threshold]
    sys.exit(1 if failing or result.internal_errors else 0)


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
    no_cache: bool,
    cache_dir: Path | None,
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
        no_cache,
        cache_dir,
    )
    text = baseline.render(run.result.findings)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
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
    from guardrails.explain import render
    from guardrails.registry import find

    found = find(rule)
    if found is None:
        raise click.UsageError(f"unknown rule {rule!r}; `guardrails rules` lists them")
    click.echo(render(found))


if __name__ == "__main__":  # pragma: no cover
    main()
