"""Command line: ``guardrails scan | rules | explain``.

Heavy modules (engine, parsers, reporters) are imported inside the commands so that
``guardrails --version`` and a one-file pre-commit run start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from guardrails import __version__

_SEVERITIES = ["critical", "high", "medium", "low", "info"]
_FORMATS = ["text", "json"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guardrails")
def main() -> None:
    """guardrails: stop the outage and breach patterns that keep repeating, before they ship.

    Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or configuration error.
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-f", "--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True, help="Output format."
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE.")
@click.option(
    "--fail-on",
    type=click.Choice(_SEVERITIES),
    default="low",
    show_default=True,
    help="Exit 1 when a finding has at least this severity.",
)
@click.option("--select", multiple=True, help="Only these rules or categories (id, name or category; repeatable).")
@click.option("--ignore", multiple=True, help="Skip these rules or categories (repeatable).")
@click.option("--stdin-filename", help="Name (and so kind) of the content read from '-'.")
@click.option(
    "--max-file-size",
    type=int,
    default=10 * 1024 * 1024,
    show_default=True,
    help="Files larger than this many bytes are skipped and listed.",
)
@click.option("--no-gitignore", is_flag=True, help="Scan files that .gitignore excludes.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    help="Worker processes for large scans; 1 checks in this process. [default: 0, one per core]",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the per-file results cache.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Cache directory. [default: .guardrails_cache at the project root]",
)
def scan(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    fail_on: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    stdin_filename: str | None,
    max_file_size: int,
    no_gitignore: bool,
    jobs: int,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Scan files and directories (default: the current directory); '-' reads standard input."""
    from guardrails.engine import Engine, Settings
    from guardrails.model import Severity
    from guardrails.selection import select_rules

    try:
        rules = select_rules(select, ignore)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    path_list = [p for p in paths if str(p) != "-"] or ([] if "-" in map(str, paths) else [Path(".")])
    stdin = None
    if any(str(p) == "-" for p in paths):
        if not stdin_filename:
            raise click.UsageError("reading '-' needs --stdin-filename to know what kind of file it is")
        stdin = (stdin_filename, sys.stdin.buffer.read())
    settings = Settings(rules=rules, max_file_size=max_file_size, use_gitignore=not no_gitignore)
    settings.jobs, settings.use_cache, settings.cache_dir = jobs, not no_cache and stdin is None, cache_dir
    engine = Engine(settings)
    result = engine.scan(path_list, stdin=stdin)
    _emit(result, fmt, output, engine)
    threshold = Severity.parse(fail_on)
    failing = [f for f in result.findings if f.suppressed is None and f.severity >= threshold]
    sys.exit(1 if failing or result.internal_errors else 0)


def _emit(result: object, fmt: str, output: Path | None, engine: object) -> None:
    if fmt == "json":
        from guardrails.report import json_report

        text = json_report.render(result)  # type: ignore[arg-type]
    else:
        from guardrails.report import text as text_report

        stream = sys.stdout if output is None else None
        colour = stream is not None and text_report.use_colour(stream)
        text = text_report.render(result, _sources(result), colour=colour)  # type: ignore[arg-type]
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def _sources(result: object) -> dict[str, str]:
    """File contents for code frames, read only for files that have findings."""
    sources: dict[str, str] = {}
    for finding in result.findings:  # type: ignore[attr-defined]
        if finding.path not in sources:
            try:
                sources[finding.path] = Path(finding.path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                sources[finding.path] = ""
    return sources


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
