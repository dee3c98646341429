"""The scan: discover, load, run rules, contain rule crashes. No output here."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guardrails import parallel
from guardrails.discover import DEFAULT_EXCLUDED_DIRS, Discovery, discover
from guardrails.documents import FailedDocument
from guardrails.facts.attached import attach
from guardrails.model import Document, Finding, Kind, Severity, SkippedFile
from guardrails.pipeline import load_text, unread
from guardrails.project import Project, find_root, scan_root
from guardrails.records import Record
from guardrails.registry import RuleRef, RuleSpec, load
from guardrails.result import INTERNAL_ERROR_ID, ScanResult, internal_error
from guardrails.rule import Rule, RuleContext
from guardrails.same_finding import once_each
from guardrails.source import Unreadable, decode

if TYPE_CHECKING:
    from guardrails.progress import Progress

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
__all__ = ["DEFAULT_MAX_FILE_SIZE", "INTERNAL_ERROR_ID", "Engine", "ScanResult", "Settings"]


class Settings(Record):
    # ``rules``: rule classes, or index entries imported when a file of a kind they read turns up.
    # ``extra``: project-wide configuration values (e.g. "datastores": extra Datastore entries) that every
    # rule reads through ctx.options: they override a rule's option defaults, and a rule's
    # explicitly configured options override them.
    # ``path_filter``: absolute path -> scan it? (configuration excludes, --changed-since); None scans everything found.
    # ``jobs``: worker processes for large scans (1: in this process; 0: one per core).
    # ``use_cache``: where per-file results are cached (None: <project root>/.guardrails_cache); off with use_cache.
    # ``progress``: the progress line on a terminal (guardrails.progress), told of each file checked; None: silent.
    __slots__ = (
        "cache_dir",
        "excluded_dirs",
        "extra",
        "inline_suppressions",
        "jobs",
        "max_file_size",
        "path_filter",
        "progress",
        "rule_options",
        "rules",
        "severity_overrides",
        "use_cache",
        "use_gitignore",
    )

    def __init__(
        self,
        rules: tuple[RuleSpec, ...],
        rule_options: dict[str, dict[str, Any]] | None = None,
        severity_overrides: dict[str, Severity] | None = None,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        use_gitignore: bool = True,
        excluded_dirs: frozenset[str] = DEFAULT_EXCLUDED_DIRS,
        extra: dict[str, Any] | None = None,
        path_filter: Callable[[Path], bool] | None = None,
        inline_suppressions: bool = True,
        jobs: int = 0,
        use_cache: bool = False,
        cache_dir: Path | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.rules = rules
        self.rule_options: dict[str, dict[str, Any]] = {} if rule_options is None else rule_options
        self.severity_overrides: dict[str, Severity] = {} if severity_overrides is None else severity_overrides
        self.max_file_size = max_file_size
        self.use_gitignore = use_gitignore
        self.excluded_dirs = excluded_dirs
        self.extra: dict[str, Any] = {} if extra is None else extra
        self.path_filter = path_filter
        self.inline_suppressions = inline_suppressions
        self.jobs = jobs
        self.use_cache = use_cache
        self.cache_dir = cache_dir
        self.progress = progress


class Engine:
    def __init__(self, settings: Settings, cwd: Path | None = None) -> None:
        self.settings = settings
        self.cwd = (cwd or Path.cwd()).resolve()
        self.specs = {spec.id: spec for spec in settings.rules}
        self._instances: dict[str, Rule] = {}
        self._for_kind: dict[tuple[Kind, bool], list[Rule]] = {}
        self._project_for_kind: dict[Kind, list[Rule]] = {}
        self._options: dict[str, dict[str, Any]] = {}
        # Each rule's context for the project at hand (a project is one directory group).
        self._contexts: dict[str, RuleContext] = {}
        self._contexts_for: Project | None = None
        # Facts about the whole repository, built once per scan in each process (Project.repository_fact).
        self.repository_facts: dict[Any, Any] = {}

    def rule(self, rule_id: str) -> Rule:
        """The selected rule ``rule_id``, imported and instantiated on first use."""
        found = self._instances.get(rule_id)
        if found is None:
            found = self._instances[rule_id] = load(self.specs[rule_id])()
        return found

    def rules_for(self, kind: Kind, failed: bool) -> list[Rule]:
        """The per-document rules that read ``kind`` (of failed documents: those that read failures)."""
        key = (kind, failed)
        found = self._for_kind.get(key)
        if found is None:
            wanted = [
                spec.id
                for spec in self.specs.values()
                if not spec.project_wide and (spec.reads_failures if failed else kind in spec.kinds)
            ]
            found = self._for_kind[key] = [self.rule(rule_id) for rule_id in wanted]
        return found

    def scan(
        self, paths: list[Path], stdin: tuple[str, bytes] | None = None, found: Discovery | None = None
    ) -> ScanResult:
        """Scan ``paths`` (and ``stdin``: its file name and content); ``found`` is their discovery
        when the caller already walked them. Warnings raised over scanned content stay here
        (workers are forked inside this block and inherit the filter)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self._scan(paths, stdin, found)

    def _scan(self, paths: list[Path], stdin: tuple[str, bytes] | None, found: Discovery | None) -> ScanResult:
        result = ScanResult()
        self.repository_facts.clear()  # a new scan: the repository may have changed
        root = scan_root([self.cwd / p for p in paths]) if paths else find_root(self.cwd)
        project = Project(root, self.cwd, self.settings.max_file_size, self.repository_facts)
        documents: list[Document] = []
        if stdin is not None:
            doc = self._stdin_document(*stdin, result)
            if isinstance(doc, FailedDocument) and doc.unscanned is not None:  # listed as skipped, and GR006
                result.findings.extend(self.check_document(doc, project, result))
            elif doc is not None:
                project.add(doc)
                result.files_scanned += 1
                result.scanned.append(doc.path)
                result.findings.extend(self.check_document(doc, project, result))
                documents.append(doc)
        if found is None:
            found = discover(
                paths,
                cwd=self.cwd,
                excluded_dirs=self.settings.excluded_dirs,
                use_gitignore=self.settings.use_gitignore,
            )
        result.skipped.extend(found.skipped)
        result.files_found = len(found.candidates)
        candidates = found.candidates
        if self.settings.path_filter is not None:
            candidates = [c for c in candidates if self.settings.path_filter(c.path)]
        jobs = self.settings.jobs or parallel.default_jobs()
        whole = stdin is None and [os.path.realpath(self.cwd / p) for p in paths] == [str(root)]
        whole = whole and self.settings.excluded_dirs <= DEFAULT_EXCLUDED_DIRS and self.settings.path_filter is None
        if whole and self.settings.excluded_dirs == DEFAULT_EXCLUDED_DIRS and self.settings.use_gitignore:
            project.discovered = found.candidates
        marked, reached = parallel.scan_files(
            self, candidates, project, documents, result, self._cache(root), jobs, whole
        )
        result.findings = once_each(result.findings)
        result.scanned.sort()
        if self.settings.inline_suppressions and marked:  # only a scan with a directive pays these imports
            import datetime

            from guardrails.suppress import apply_inline

            def resolve(rule_id: str) -> tuple[Rule, RuleContext]:
                rule = self.rule(rule_id)
                return rule, self._context(rule, project)

            today = datetime.date.today()
            result.findings = apply_inline(result.findings, marked, self.specs, resolve, today, reached)
        result.findings.sort(key=Finding.sort_key)
        result.skipped.sort(key=lambda s: s.path)
        return result

    def _cache(self, root: Path) -> Any:
        if not self.settings.use_cache:
            return None
        from guardrails.cache import Cache

        config = {
            "rules": [f"{spec.id}:{_module(spec)}" for spec in self.specs.values()],
            "rule_options": self.settings.rule_options,
            "severity_overrides": {k: int(v) for k, v in self.settings.severity_overrides.items()},
            "max_file_size": self.settings.max_file_size,
            "extra": getattr(self.settings, "extra", None),
        }
        return Cache.open(root, self.cwd, config, self.settings.cache_dir)

    def _stdin_document(self, filename: str, data: bytes, result: ScanResult) -> Document | None:
        from guardrails.detect import detect
        from guardrails.templates import Template

        kind = detect(filename, data[:4096])
        if not isinstance(kind, Kind | Template):
            named = isinstance(detect(filename), Kind | Template)
            why = "names no supported kind"
            if named:
                why = "names a kind its content is not (a diff, another format)"
            result.skipped.append(SkippedFile(filename, "unsupported", f"--stdin-filename {why}"))
            return None
        from guardrails.model import ParseError

        try:
            text = decode(data)
        except ParseError as error:
            failed = kind.kind if isinstance(kind, Template) else kind
            return FailedDocument(path=filename, kind=failed, text="", error=error)
        if isinstance(text, Unreadable):
            loaded = unread(filename, kind.kind if isinstance(kind, Template) else kind, text)
        else:
            loaded = load_text(filename, text, kind)
        if loaded.skipped is not None:
            result.skipped.append(loaded.skipped)
        return loaded.document

    def _context(self, rule: Rule, project: Project) -> RuleContext:
        """Asked for by every rule on every document: made once per rule and project."""
        if project is not self._contexts_for:
            self._contexts, self._contexts_for = {}, project
        found = self._contexts.get(rule.id)
        if found is None:
            found = self._contexts[rule.id] = self._new_context(rule, project)
        return found

    def release(self, project: Project) -> None:
        """``project`` is done: the rule contexts made for it must not keep it alive (after a
        directory group, what survives is frozen out of the collector's reach for the rest of
        the scan: a project held here leaked every group's documents, 150 MiB at 50k files)."""
        if self._contexts_for is project:
            self._contexts, self._contexts_for = {}, None

    def _new_context(self, rule: Rule, project: Project) -> RuleContext:
        options = self._options.get(rule.id)
        if options is None:
            options = {name: opt.default for name, opt in rule.options.items()}
            options.update(self.settings.extra)
            options.update(self.settings.rule_options.get(rule.id, {}))
            self._options[rule.id] = options
        override = self.settings.severity_overrides.get(rule.id)
        return RuleContext(options=options, project=project, severity_override=override)

    def check_document(self, doc: Document, project: Project, result: ScanResult) -> list[Finding]:
        findings: list[Finding] = []
        attach(doc, project)  # what only the neighbours tell: a Python module a Pulumi.yaml runs
        for node in doc.iter_tree():
            if isinstance(node, FailedDocument) and node.crashed is not None:
                result.internal_errors += 1
                what = f"guardrails crashed on this file, {node.crashed}; it was not checked"
                findings.append(internal_error(node.host.path, what, f"parser:{node.crashed.partition(' at ')[0]}"))
                continue
            for rule in self.rules_for(node.kind, isinstance(node, FailedDocument)):
                findings.extend(self._guarded(rule, node, result, rule.check, node, self._context(rule, project)))
        return findings

    def project_kinds(self) -> frozenset[Kind]:
        """The kinds project-wide rules read: their documents are kept for ``check_project``, or
        summarized for the rules that summarize."""
        return frozenset(kind for spec in self.specs.values() if spec.project_wide for kind in spec.kinds)

    def project_rules_for(self, kind: Kind) -> list[Rule]:
        """The project-wide rules that read ``kind``, imported on first use."""
        found = self._project_for_kind.get(kind)
        if found is None:
            wanted = [spec.id for spec in self.specs.values() if spec.project_wide and kind in spec.kinds]
            found = self._project_for_kind[kind] = [self.rule(rule_id) for rule_id in wanted]
        return found

    def check_project(
        self,
        documents: list[Document],
        project: Project,
        result: ScanResult,
        summaries: dict[str, list[Any]],
    ) -> list[Finding]:
        """Project-wide rules over ``documents``, or over their ``summaries`` (rule id -> the
        summaries of the scanned documents, in scan order) for the rules that summarize."""
        findings: list[Finding] = []
        for spec in self.specs.values():
            if not spec.project_wide:
                continue
            relevant = [d for d in documents if d.kind in spec.kinds and not isinstance(d, FailedDocument)]
            if not relevant and spec.id not in summaries:
                continue
            rule = self.rule(spec.id)
            ctx = self._context(rule, project)
            if rule.summarizes:
                items = summaries.get(spec.id, [])
                findings.extend(self._guarded(rule, None, result, rule.check_summaries, items, ctx))
            else:
                findings.extend(self._guarded(rule, None, result, rule.check_project, relevant, ctx))
        return findings

    def summarize(self, doc: Document, project: Project, result: ScanResult) -> tuple[dict[str, Any], list[Finding]]:
        """The summaries of ``doc`` for the rules that summarize it (rule id -> summary), and an
        internal error finding for each rule that crashed doing so."""
        summaries: dict[str, Any] = {}
        crashes: list[Finding] = []
        if isinstance(doc, FailedDocument):
            return summaries, crashes
        for rule in self.project_rules_for(doc.kind):
            if rule.summarizes:
                try:
                    summaries[rule.id] = rule.summarize(doc, self._context(rule, project))
                except Exception as exc:
                    result.internal_errors += 1
                    crashes.append(rule_crash(rule, doc, exc))
        return summaries, crashes

    def _guarded(self, rule: Rule, doc: Document | None, result: ScanResult, check: Any, *args: Any) -> list[Finding]:
        try:
            return list(check(*args))
        except Exception as exc:
            result.internal_errors += 1
            return [rule_crash(rule, doc, exc)]


def _module(spec: RuleSpec) -> str:
    return spec.module if isinstance(spec, RuleRef) else spec.__module__


def rule_crash(rule: Rule, doc: Document | None, exc: BaseException) -> Finding:
    """A rule crashed: report it where it happened, and fail the run."""
    from guardrails.pipeline import describe

    return internal_error(
        doc.host.path if doc is not None else ".",
        f"rule {rule.id} ({rule.name}) crashed on this file: {describe(exc)}",
        f"{rule.id}:{type(exc).__name__}",
    )
