"""Checking the discovered files: from the cache, in this process, or in a process pool.

Files are checked one directory group at a time with a fresh project (a Terraform module
is parsed once and dropped when its directory is done), so memory stays flat however many
files a scan has. Project-wide rules that summarize (``Rule.summarizes``) get a small
summary of each document of their kinds, made where the file is checked; only the
documents that the other project-wide rules read are kept, and only in this process.
Whatever the number of jobs, results are merged in discovery order, so the report is the
same byte for byte.
"""

from __future__ import annotations

import gc
import itertools
import os
import posixpath
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guardrails.model import REFINED_KINDS, Document, Finding, Kind, SkippedFile
from guardrails.records import Record

if TYPE_CHECKING:
    from guardrails.cache import Cache, Dependencies
    from guardrails.discover import Candidate
    from guardrails.engine import Engine
    from guardrails.project import Project
    from guardrails.result import ScanResult
    from guardrails.templates import Template

# Below this many files to check, a pool costs more than it saves (measured: fork + imports
# in the workers is ~0.15 s on 2 cores, a Terraform file takes ~1.5 ms to parse and check).
MIN_FILES_PER_JOB = 100
CHUNK_FILES = 64


class FileResult(Record):
    """The outcome for one file, small enough to send back from a worker."""

    # ``summaries``: rule id -> summary of the document, for the project-wide rules that summarize it
    # (None: not summarized here, e.g. a result from the cache). ``reached``: display path -> kind
    # of the files naming guardrails that checking or summarizing it read first in its process,
    # and of those its findings are in (``Project.reached``).
    __slots__ = (
        "content",
        "deps",
        "display",
        "document",
        "findings",
        "internal_errors",
        "kind",
        "marked",
        "reached",
        "scanned",
        "skipped",
        "summaries",
    )

    def __init__(
        self,
        display: str,
        content: str | None = None,
        findings: list[Finding] | None = None,
        internal_errors: int = 0,
        skipped: SkippedFile | None = None,
        document: Document | None = None,
        summaries: dict[str, Any] | None = None,
        scanned: bool = False,
        kind: str | None = None,
        marked: bool = False,
        deps: Dependencies | None = None,
        reached: dict[str, str] | None = None,
    ) -> None:
        self.display = display
        self.content = content
        self.findings: list[Finding] = [] if findings is None else findings
        self.internal_errors = internal_errors
        self.skipped = skipped
        self.document = document
        self.summaries = summaries
        self.scanned = scanned
        self.kind = kind
        self.marked = marked
        self.deps = deps
        self.reached = reached


class Work(Record):
    # ``summary_only``: its per-document results come from the cache: only its summaries are wanted.
    # ``kind``: what ``classify`` made of it when this process already asked (``classified``),
    # so that a worker does not read its head and detect it again.
    __slots__ = ("classified", "content", "display", "kind", "path", "summary_only")

    def __init__(self, path: Path, display: str, content: str | None, summary_only: bool = False) -> None:
        self.path = path
        self.display = display
        self.content = content
        self.summary_only = summary_only
        self.classified = False
        self.kind: Kind | Template | str | None = None

    def classify(self) -> Kind | Template | str | None:
        if not self.classified:
            from guardrails.pipeline import classify

            self.kind, self.classified = classify(self.path, self.display), True
        return self.kind


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def reads_whole(engine: Engine, kind: Kind) -> bool:
    """A project-wide rule reads documents of ``kind`` whole (it does not summarize): they are
    kept, so files of that kind are checked in this process."""
    return any(not rule.summarizes for rule in engine.project_rules_for(kind))


def check_files(
    engine: Engine,
    root: Path,
    wanted: frozenset[Kind],
    keep: bool,
    items: list[Work],
    track: bool = True,
    done: Callable[[int], None] | None = None,
    frozen: bool | None = None,
) -> list[FileResult]:
    """Load and check ``items`` (directory by directory) with the per-document rules. Documents
    of the ``wanted`` kinds, which project-wide rules read, are summarized, and kept when
    ``keep`` (in this process) and a rule reads them whole.

    ``track`` records the files each check reads, which only a cache needs: without one,
    hashing every file a rule looks at again would be wasted work. ``done`` is told how many
    files each directory group held once it is checked (the progress line). ``frozen``: whether
    the process had frozen objects, when the caller knows (``_collection_by_group``).
    """
    out: list[FileResult] = []
    with _collection_by_group(frozen) as group_done:
        for group in _by_directory(items):
            out.extend(_check_group(engine, root, wanted, keep, group, track))
            group_done()
            if done is not None:
                done(len(group))
    return out


def _check_group(
    engine: Engine, root: Path, wanted: frozenset[Kind], keep: bool, group: list[Work], track: bool
) -> list[FileResult]:
    from guardrails.cache import TrackingProject
    from guardrails.pipeline import Loaded, describe, load
    from guardrails.project import Project
    from guardrails.result import ScanResult, internal_error
    from guardrails.suppress import may_hold_directives

    out: list[FileResult] = []
    project: Project = (TrackingProject if track else Project)(
        root, engine.cwd, engine.settings.max_file_size, engine.repository_facts
    )
    loaded: list[tuple[Work, Document | None, SkippedFile | None]] = []
    for work in group:
        try:
            kind = work.classify()
            result = Loaded() if kind is None else load(work.path, work.display, engine.settings.max_file_size, kind)
        except Exception as exc:  # reading or detecting crashed: this file alone is reported
            crash = internal_error(work.display, f"guardrails crashed reading this file: {describe(exc)}", "load")
            out.append(FileResult(work.display, work.content, [crash], 1, scanned=True))
            continue
        if result.document is not None and result.skipped is None:
            project.add(result.document)
        loaded.append((work, result.document, result.skipped))
    noted = project.reached
    for work, doc, skipped in loaded:
        before = len(noted)
        if doc is None or skipped is not None:
            counter = ScanResult()
            findings = engine.check_document(doc, project, counter) if doc is not None else []
            out.append(FileResult(work.display, work.content, findings, counter.internal_errors, skipped=skipped))
            continue
        counter = ScanResult()
        findings: list[Finding] = []
        deps = None
        if not work.summary_only:
            if isinstance(project, TrackingProject):
                project.start()
            findings = engine.check_document(doc, project, counter)
            if isinstance(project, TrackingProject):
                deps = project.stop()
        summaries, kept = None, None
        if doc.kind in wanted:
            summaries, crashes = engine.summarize(doc, project, counter)
            findings.extend(crashes)
            kept = doc if keep and not _failed(doc) and reads_whole(engine, doc.kind) else None
        outcome = FileResult(work.display, work.content, findings, counter.internal_errors, document=kept)
        outcome.summaries = summaries
        outcome.scanned, outcome.kind, outcome.deps = True, doc.kind.value, deps
        outcome.marked = may_hold_directives(doc)
        if noted:
            outcome.reached = reached_by(noted, before, findings)
        out.append(outcome)
    engine.release(project)
    return out


@contextmanager
def _collection_by_group(frozen: bool | None = None) -> Iterator[Callable[[], None]]:
    """Spare the cyclic garbage collector from rescanning the documents and results of
    the groups already checked, which live to the end of the scan (1,800 Terraform files:
    300k objects, and 0.3 s of full collections in a 2 s scan).

    After each group, one full collection sees only what that group left (everything
    older is frozen) and frees its cycles; the survivors are then frozen in turn. At the
    end all is unfrozen, so that nothing stays out of the collector's reach, unless the
    process had frozen objects itself: the guardrails command freezes what start-up made,
    since it lives as long as the process, and so does what the scan keeps. A process that
    turned the collector off is left as it is.

    ``gc.get_freeze_count`` counts the frozen objects one by one (4.5 ms in a pool worker of a
    2,000-file scan, which froze start-up and every group before): a worker asks once, not per
    chunk, and passes the answer as ``frozen`` (only this function freezes or thaws there).
    """
    if not gc.isenabled():
        yield lambda: None
        return
    frozen_before = gc.get_freeze_count() > 0 if frozen is None else frozen

    def group_done() -> None:
        gc.collect()
        gc.freeze()

    try:
        yield group_done
    finally:
        if not frozen_before:
            gc.unfreeze()


def reached_by(noted: dict[str, Kind], before: int, findings: list[Finding]) -> dict[str, str] | None:
    """What of ``Project.reached`` goes with one result: the files first read since it held
    ``before`` (the findings may come later, from a fact kept for the scan, or from a summary in
    another process), and the files its own findings are in (its cache entry then names them,
    whichever check read them first)."""
    found = {path: kind.value for path, kind in itertools.islice(noted.items(), before, None)}
    for finding in findings:
        kind = noted.get(finding.path)
        if kind is not None:
            found[finding.path] = kind.value
    return found or None


def _failed(doc: Document) -> bool:
    from guardrails.documents import FailedDocument

    return isinstance(doc, FailedDocument)


def _by_directory(items: list[Work]) -> list[list[Work]]:
    groups: dict[str, list[Work]] = {}
    for work in items:  # a display path is normalised: no PurePosixPath per file
        groups.setdefault(posixpath.dirname(work.display), []).append(work)
    return list(groups.values())


def _chunks(items: list[Work], size: int) -> list[list[Work]]:
    """Contiguous chunks of about ``size`` files that never split a directory."""
    chunks: list[list[Work]] = []
    for group in _by_directory(items):
        if chunks and len(chunks[-1]) + len(group) <= size:
            chunks[-1].extend(group)
        else:
            chunks.append(list(group))
    return chunks


_WORKER: tuple[Engine, Path, frozenset[Kind], bool, bool] | None = None
# The dependency groups this worker has sent whole (``_send_groups_once``).
_SENT_GROUPS: set[str] = set()


def _init_worker(engine: Engine, root: Path, wanted: frozenset[Kind], track: bool) -> None:
    global _WORKER
    _WORKER = (engine, root, wanted, track, gc.get_freeze_count() > 0)
    _SENT_GROUPS.clear()


def _work(items: list[Work]) -> list[FileResult]:
    assert _WORKER is not None
    engine, root, wanted, track, frozen = _WORKER
    return _send_groups_once(check_files(engine, root, wanted, False, items, track, frozen=frozen))


def _send_groups_once(results: list[FileResult]) -> list[FileResult]:
    """A dependency group (the files a repository-wide fact read: every .tf file with a module
    call, say) grows with the repository, and most files' checks read it: sent whole with
    every chunk, the parent held one copy per chunk (a 50k-file scan writing its cache peaked
    at 1.6 GB). A worker sends each group whole once, then by its key alone; chunks are taken
    and read back in dispatch order, so the parent has the group before any chunk naming it."""
    for outcome in results:
        if outcome.deps is None or not outcome.deps.groups:
            continue
        groups = []
        for key, files, dirs in outcome.deps.groups:
            groups.append((key, None, None) if key in _SENT_GROUPS else (key, files, dirs))
            _SENT_GROUPS.add(key)
        outcome.deps = outcome.deps._replace(groups=groups)
    return results


def _whole_groups(results: list[FileResult], known: dict[str, tuple[Any, ...]]) -> list[FileResult]:
    """The parent's side of ``_send_groups_once``: each group named by key gets its one copy."""
    for outcome in results:
        if outcome.deps is None or not outcome.deps.groups:
            continue
        groups = [
            known.setdefault(key, (key, files, dirs)) if files is not None else known[key]
            for key, files, dirs in outcome.deps.groups
        ]
        outcome.deps = outcome.deps._replace(groups=groups)
    return results


def _pool_context() -> object | None:
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def run(
    engine: Engine,
    items: list[Work],
    root: Path,
    wanted: frozenset[Kind],
    jobs: int,
    track: bool = True,
    done: Callable[[int], None] | None = None,
) -> list[FileResult]:
    """Check ``items`` with up to ``jobs`` worker processes besides this one; documents of the
    ``wanted`` kinds come back summarized for the project-wide rules.

    Files of the kinds a project-wide rule reads whole (see ``Rule.summarizes``) are checked
    here, because their documents are needed here: sending parsed documents back from a
    worker costs more than parsing them (1,800 .tf files: 4.9 s to parse, 4.5 s to unpickle).
    The other files go to the pool, which works while this process checks its share.
    ``done`` is told how many files each checked group or chunk held, as it completes.
    """
    if min(jobs, len(items) // MIN_FILES_PER_JOB) <= 1:  # no pool whatever the split: spare classifying
        return check_files(engine, root, wanted, True, items, track, done)
    keep = frozenset(kind for kind in wanted if reads_whole(engine, kind))
    # Parsing can turn a YAML file into a Kubernetes manifest or a compose file (detect.refine).
    before_parsing = keep | {Kind.YAML} if keep & REFINED_KINDS else keep
    here = [w for w in items if w.classify() in before_parsing] if keep else []
    chosen = {id(w) for w in here}
    away = [w for w in items if id(w) not in chosen]
    jobs = min(jobs, len(away) // MIN_FILES_PER_JOB)
    if jobs <= 1:
        return check_files(engine, root, wanted, True, items, track, done)
    import copy
    from concurrent.futures import ProcessPoolExecutor  # 20 ms of imports a small scan never needs

    size = max(8, min(CHUNK_FILES, len(away) // (jobs * 4)))
    # Workers get the settings without the callables (filters run here, before dispatch).
    portable = engine.__class__(copy.copy(engine.settings), engine.cwd)
    for name in ("path_filter", "progress"):
        if hasattr(portable.settings, name):
            setattr(portable.settings, name, None)
    out: list[FileResult] = []
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=_pool_context(), initializer=_init_worker, initargs=(portable, root, wanted, track)
    ) as pool:
        chunks = _chunks(away, size)
        pending = [pool.submit(_work, chunk) for chunk in chunks]
        if done is not None:
            for future, chunk in zip(pending, chunks, strict=True):
                future.add_done_callback(partial(_chunk_done, done, len(chunk)))
        out.extend(check_files(engine, root, wanted, True, here, track, done))
        known: dict[str, tuple[Any, ...]] = {}
        pending.reverse()
        while pending:  # in dispatch order, whatever order they finish in; a read result is let go
            out.extend(_whole_groups(pending.pop().result(), known))
    return out


def _chunk_done(done: Callable[[int], None], files: int, _: object) -> None:
    """A pool chunk finished (called in the pool's thread): its files are done."""
    done(files)


PROJECT_ENTRY = "<project-wide rules>"


def scan_files(
    engine: Engine,
    candidates: list[Candidate],
    project: Project,
    documents: list[Document],
    result: ScanResult,
    cache: Cache | None,
    jobs: int,
    whole: bool,
) -> tuple[list[Document], frozenset[str]]:
    """Check every candidate into ``result``, then run the project-wide rules over
    ``documents`` plus the scanned documents of the kinds they read (or the summaries of those
    documents, for the rules that summarize). Returns the documents that may hold inline
    suppressions (those whose text names guardrails), loaded again when their results came
    from the cache, with the paths of those among them that were not scanned but reached
    through another file and hold a finding (``Project.reached``); suppressions are applied
    after, on every run. Summaries are never cached
    (those of the secret rules hold secret values): a file whose results came from the cache is loaded
    and summarized again, in the pool like the others, when the project-wide rules run.

    Project-wide findings are cached only for a scan of the whole project (``whole``), keyed
    on the path and content of every file found and validated against every file they read:
    a file of the tree can change their result only by being among those or by being read.
    """
    from guardrails.cache import Dependencies, TrackingProject, digest
    from guardrails.pipeline import load
    from guardrails.result import ScanResult
    from guardrails.suppress import may_hold_directives

    kinds = engine.project_kinds()
    max_size = engine.settings.max_file_size
    outcomes: dict[str, FileResult] = {}
    todo: list[Work] = []
    contents = [_content(candidate.path, max_size) if cache is not None else None for candidate in candidates]
    for candidate, content in zip(candidates, contents, strict=True):
        # Every file is hashed before any lookup: an entry's dependencies (a group of hundreds
        # of files) are then checked against these states, not read and hashed a second time.
        if cache is not None and content is not None and not candidate.explicit and not candidate.path.is_symlink():
            cache.seed(candidate.display, content)  # found by walking the tree: inside the root
    for candidate, content in zip(candidates, contents, strict=True):
        hit = cache.lookup(candidate.display, content) if cache is not None and content is not None else None
        if hit is None:
            todo.append(Work(candidate.path, candidate.display, content))
            continue
        kind, findings, marked_file, reached_files = hit
        outcome = FileResult(candidate.display, content, findings, scanned=kind is not None, kind=kind)
        outcome.marked, outcome.reached = marked_file, reached_files
        outcomes[candidate.display] = outcome
    project_key = None
    if cache is not None and whole and kinds and not documents:
        contents = [(w.display, w.content) for w in todo] + [(o.display, o.content) for o in outcomes.values()]
        if all(content is not None for _, content in contents):
            project_key = digest("\n".join(f"{d}\0{c}" for d, c in sorted(contents)).encode())  # type: ignore[str-bytes-safe]
    project_hit = cache.lookup(PROJECT_ENTRY, project_key) if cache is not None and project_key else None
    wanted = kinds if project_hit is None else frozenset()
    for candidate in candidates if wanted else ():
        hit = outcomes.get(candidate.display)
        if hit is not None and hit.kind is not None and Kind(hit.kind) in wanted:
            todo.append(Work(candidate.path, candidate.display, hit.content, summary_only=True))
    progress = engine.settings.progress
    if progress is not None:  # a file from the cache is done already; one summarized again counts again
        progress.add_total(len(todo) + len(outcomes))
        progress.advance(len(outcomes))
    done = progress.advance if progress is not None else None
    for outcome in run(engine, todo, project.root, wanted, jobs, track=cache is not None, done=done):
        if outcome.display in outcomes:  # a result from the cache, summarized again
            cached = outcomes[outcome.display]
            cached.summaries, cached.document = outcome.summaries, outcome.document
            cached.findings = cached.findings + outcome.findings
            cached.internal_errors += outcome.internal_errors
            if outcome.reached:
                cached.reached = {**(cached.reached or {}), **outcome.reached}
            continue
        outcomes[outcome.display] = outcome
        cacheable = outcome.content is not None and outcome.skipped is None and not outcome.internal_errors
        if cache is not None and cacheable:
            deps = outcome.deps or Dependencies([], [], [])
            cache.store(outcome.display, outcome.content, outcome.kind, outcome.findings, deps, outcome.reached)
            cache.mark(outcome.display, outcome.marked)
    marked = [d for d in documents if may_hold_directives(d)]
    reached = dict(project.reached)  # this process's; the others' come with their results
    summaries: dict[str, list[Any]] = {}
    for doc in documents:  # given (standard input): summarized here
        if doc.kind in wanted:
            of_doc, crashes = engine.summarize(doc, project, result)
            result.findings.extend(crashes)
            _collect(summaries, of_doc)
    for candidate in candidates:
        outcome = outcomes[candidate.display]
        if outcome.skipped is not None:
            result.skipped.append(outcome.skipped)
            result.findings.extend(outcome.findings)  # GR006: a supported file left unread
            result.internal_errors += outcome.internal_errors
        elif not outcome.scanned:
            result.unsupported += 1
        else:
            result.files_scanned += 1
            result.scanned.append(candidate.display)
            result.findings.extend(outcome.findings)
            result.internal_errors += outcome.internal_errors
            # Kept where it was checked, unless a worker checked it (a YAML file found to be a
            # Kubernetes manifest) or it holds inline suppressions: then it is loaded again.
            kind = Kind(outcome.kind) if outcome.kind is not None else None
            needed = kind is not None and kind in wanted and reads_whole(engine, kind)
            if outcome.document is None and (needed or outcome.marked):
                outcome.document = load(candidate.path, candidate.display, max_size).document
            doc = outcome.document
            if doc is not None and doc.kind in wanted and not _failed(doc) and reads_whole(engine, doc.kind):
                documents.append(doc)
            _collect(summaries, outcome.summaries)
            if doc is not None and outcome.marked:
                marked.append(doc)
        for path, kind in (outcome.reached or {}).items():
            reached.setdefault(path, Kind(kind))
    if project_hit is not None:
        result.findings.extend(project_hit[1])
        reached.update((path, Kind(kind)) for path, kind in project_hit[3].items())
    else:
        checking = TrackingProject(project.root, project.cwd, max_size) if project_key else project
        for doc in documents:
            checking.add(doc)
        counter = ScanResult()
        if isinstance(checking, TrackingProject):
            checking.start()
        findings = engine.check_project(documents, checking, counter, summaries)
        # A crash anywhere (a summary missing, say) keeps these findings out of the cache.
        crashed = result.internal_errors or counter.internal_errors
        result.findings.extend(findings)
        result.internal_errors += counter.internal_errors
        for path, kind in checking.reached.items():
            reached.setdefault(path, kind)
        if cache is not None and project_key and isinstance(checking, TrackingProject) and not crashed:
            in_reached = {f.path: reached[f.path].value for f in findings if f.path in reached}
            cache.store(PROJECT_ENTRY, project_key, "project", findings, checking.stop(), in_reached)
    if cache is not None:
        cache.save()
    return marked, _reached_documents(project, result, reached, marked)


def _reached_documents(
    project: Project, result: ScanResult, reached: dict[str, Kind], marked: list[Document]
) -> frozenset[str]:
    """Add to ``marked`` the files that hold a finding, were not scanned but read through
    another file, and may hold suppressions, each read as the kind it was read as (a file
    ``dnsconfig.js`` requires, as DNSControl JavaScript); their paths."""
    from guardrails.suppress import may_hold_directives

    if not reached:
        return frozenset()
    scanned = set(result.scanned)
    found = []
    for path in sorted({f.path for f in result.findings if f.path in reached and f.path not in scanned}):
        doc = project.reached_document(path, reached[path])
        if doc is not None and may_hold_directives(doc):
            marked.append(doc)
            found.append(path)
    return frozenset(found)


def _collect(summaries: dict[str, list[Any]], of_one: dict[str, Any] | None) -> None:
    for rule_id, summary in (of_one or {}).items():
        summaries.setdefault(rule_id, []).append(summary)


def _content(path: Path, max_size: int) -> str | None:
    from guardrails.cache import digest

    try:
        if path.stat().st_size > max_size:
            return None
        return digest(path.read_bytes())
    except OSError:
        return None
