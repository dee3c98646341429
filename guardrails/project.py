"""The project a scan belongs to: its root, its scanned documents, and on-demand
loading of the files that cross-file checks need but the scan was not given.

A pre-commit hook passes only the changed files; resolving a Terraform variable or
comparing production with development secrets still needs their neighbours.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from guardrails.discover import DEFAULT_EXCLUDED_DIRS, Candidate, display_path, inside, real_path
from guardrails.model import SUPPRESSION_MARKER, Document, Kind, ParseError
from guardrails.source import read_limited

T = TypeVar("T")
_REACHED = ("project-reached",)


class Project:
    def __init__(self, root: Path, cwd: Path, max_file_size: int, shared: dict[Any, Any] | None = None) -> None:
        # Facts about the whole repository, kept for the whole scan (one per process): a
        # project lives for one directory group, and rebuilding such a fact per group made a
        # scan quadratic in the number of directories.
        self.shared: dict[Any, Any] = shared if shared is not None else {}
        # Real paths, which every containment test and display path here compares with: a root
        # given through a linked directory (``../shared``, a link to the real directory) held no
        # file at all. Resolved once per scan, not for each directory group's project.
        key = ("project-real-paths", str(root), str(cwd))
        found = self.shared.get(key)
        if found is None:
            found = self.shared[key] = (real_path(root), real_path(cwd))
        self.root, self.cwd = found
        self.max_file_size = max_file_size
        self.documents: dict[str, Document] = {}
        self._extra: dict[str, Document | None] = {}
        self._displays: dict[str, str] = {}
        # The directories and regular files a walk listed: below the root by construction, no
        # symlink on the way (a walk does not enter linked directories), so reading them or
        # showing their path needs no realpath.
        self._walked: set[str] = set()
        # The scan's own walk, when it covered the whole repository as ``discover`` does by
        # default: a fact that needs every file of the repository reads it instead of walking.
        self.discovered: list[Candidate] | None = None
        self.cache: dict[tuple[Any, ...], Any] = {}

    def repository_fact(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """``build()`` once per scan: a fact that reads the whole repository (not one directory)."""
        found = self.shared.get(key)
        if found is None or not self._replay(found[1]):
            outer = self._begin_fact()
            value = build()
            reads = self._end_fact(outer)
            self.shared[key] = (value, reads)
            return value
        return found[0]

    def _begin_fact(self) -> Any:
        """A hook: a repository fact is about to be built (the cache's project records what
        the fact itself reads, apart from the check that asked for it)."""
        return None

    def _end_fact(self, outer: Any) -> Any:
        """A hook: the fact is built; what it read (made the asking check's too)."""
        return None

    def _replay(self, reads: Any) -> bool:
        """A hook: make ``reads`` the current check's too; False when they are not known."""
        return True

    def add(self, doc: Document) -> None:
        self.documents[doc.path] = doc

    def display_of(self, path: Path) -> str:
        """The display path of the file ``path`` leads to (symlinks resolved), memoised: rules
        ask for the same sibling files over and over, and each answer costs a system call per
        path component."""
        key = str(path)
        display = self._displays.get(key)
        if display is None:
            # A walk enters no linked directory: what it listed is its own real path already.
            real = path if key in self._walked else real_path(path if path.is_absolute() else self.cwd / path)
            display = display_path(real, self.cwd)
            self._displays[key] = display
        return display

    def document(self, path: Path) -> Document | None:
        """The parsed document at ``path``: from the scan if it was scanned, else loaded now."""
        from guardrails.pipeline import load

        display = self.display_of(path)
        if display in self.documents:
            return self.documents[display]
        if display not in self._extra:
            absolute = self.cwd / display
            if not inside(real_path(absolute), self.root) or absolute.is_symlink() or not absolute.is_file():
                self._extra[display] = None
            else:
                doc = self._extra[display] = load(absolute, display, self.max_file_size).document
                if doc is not None:
                    self._note(display, doc.kind, doc.text)
        return self._extra[display]

    def parse_as(self, path: Path, kind: Kind) -> Document | None:
        """The file at ``path`` parsed as ``kind``, whatever its name says (a file another one
        includes or requires); None when it cannot be read, decoded or parsed."""
        from guardrails.documents import FailedDocument
        from guardrails.pipeline import parse_text

        text = self.read_as(path, kind)
        if text is None:
            return None
        doc = parse_text(self.display_of(path), text, kind)
        return None if isinstance(doc, FailedDocument) else doc

    def read_as(self, path: Path, kind: Kind) -> str | None:
        """The text of the file at ``path``, to be read as ``kind`` whatever its name says (a
        zone file a ``named.conf`` names, an env file a kustomization generates from); None
        when it cannot be read or decoded. A fact that makes a document of a file the scan did
        not give it reads the file here or through ``document``, so that a finding placed in
        that file can be excused by a suppression comment in it (``reached``)."""
        from guardrails.source import decode

        data = self.read_bytes(path)
        try:
            text = decode(data) if data is not None else None
        except ParseError:
            return None
        if not isinstance(text, str):
            return None  # unreadable, or binary
        self._note(self.display_of(path), kind, text)
        return text

    @property
    def reached(self) -> dict[str, Kind]:
        """The files read in this process as documents of their own without being scanned here
        (``document``, ``read_as``) whose text names guardrails, each with the kind it was read
        as: where a finding lands in one, its suppression comments are read in that kind's
        syntax. Kept for the scan, in the order they were met; empty in most scans."""
        found: dict[str, Kind] | None = self.shared.get(_REACHED)
        if found is None:
            found = self.shared[_REACHED] = {}
        return found

    def _note(self, display: str, kind: Kind, text: str) -> None:
        if SUPPRESSION_MARKER in text and display not in self.documents:
            self.reached.setdefault(display, kind)

    def reached_document(self, display: str, kind: Kind) -> Document | None:
        """A file of ``reached`` parsed again as ``kind``, for the suppression comments in it:
        within the root, never through a symbolic link, no larger than the size limit; None
        when it cannot be read or parsed."""
        path = Path(os.path.normpath(self.cwd / display))
        if real_path(path) != path:  # a link on the way, or the file moved since
            return None
        return self.parse_as(path, kind)

    def siblings(self, doc: Document, suffixes: tuple[str, ...]) -> list[Document]:
        """Documents next to ``doc`` (same directory) whose names end with one of ``suffixes``."""
        return self.directory_documents((self.cwd / doc.host.path).parent, suffixes)

    def directory_documents(self, directory: Path, suffixes: tuple[str, ...]) -> list[Document]:
        """Documents in ``directory`` (relative to the working directory, or absolute) whose
        names end with one of ``suffixes``; nothing outside the project root."""
        directory = directory if directory.is_absolute() else self.cwd / directory
        found: list[Document] = []
        try:
            with os.scandir(directory) as entries:
                listed = sorted((entry.name, entry.is_symlink()) for entry in entries)
        except OSError:
            return found
        here = self.display_of(directory)
        for name, link in listed:
            if name.endswith(suffixes):
                path = directory / name
                if not link:  # then its real path is the directory's real path and its name
                    self._displays.setdefault(str(path), name if here == "." else f"{here}/{name}")
                other = self.document(path)
                if other is not None:
                    found.append(other)
        return found

    def directory_files(self, directory: Path, suffixes: tuple[str, ...]) -> list[Path]:
        """The regular files of ``directory`` whose names end with one of ``suffixes``, for facts
        that read files of no scanned kind (CloudFormation parameter files); nothing outside the
        project root, no symbolic links."""
        directory = directory if directory.is_absolute() else self.cwd / directory
        if not inside(self.cwd / self.display_of(directory), self.root):  # display_of resolved it, once
            return []
        self._listed(directory)
        try:
            with os.scandir(directory) as entries:
                return sorted(
                    directory / e.name
                    for e in entries
                    if e.name.endswith(suffixes) and not e.is_symlink() and e.is_file(follow_symlinks=False)
                )
        except OSError:
            return []

    def subdirectories(self, directory: Path, linked: frozenset[str] = frozenset()) -> list[Path]:
        """The subdirectories of ``directory`` in name order, nothing outside the project root;
        a symbolic link only when its name is in ``linked`` and it leads to a directory inside
        the root (``envs -> ../shared/envs``: a module's variable files kept elsewhere)."""
        directory = directory if directory.is_absolute() else self.cwd / directory
        try:
            with os.scandir(directory) as entries:
                found = sorted(
                    directory / e.name
                    for e in entries
                    if e.is_dir(follow_symlinks=False) or (e.name in linked and e.is_symlink() and e.is_dir())
                )
        except OSError:
            return []
        self._listed(directory)
        if not inside(self.cwd / self.display_of(directory), self.root):
            return []
        return [path for path in found if path.name not in linked or inside(real_path(path), self.root)]

    def walk(self, suffixes: tuple[str, ...]) -> list[Path]:
        """Every file under the project root whose name ends with one of ``suffixes``, outside
        hidden and excluded directories (``.terraform``, ``node_modules``...), in a stable order."""
        found: list[Path] = []
        for top, files in self._listing():
            here = Path(top)
            self._listed(here)
            self._walked.add(top)
            for name, link in files:
                if name.endswith(suffixes):
                    if not link:
                        self._walked.add(os.path.join(top, name))
                    found.append(here / name)
        return found

    def _listing(self) -> list[tuple[str, list[tuple[str, bool]]]]:
        """Each directory ``walk`` enters, in order, with its file names sorted and whether each
        is a symbolic link: listed once per scan (and process), since facts ask for the files of
        several suffixes (``.tf``, ``terragrunt.hcl``, scripts), and each walk listed the whole
        repository again.

        ``os.walk``'s order and choices, from one ``scandir`` per directory that also tells the
        links apart (asking for each file again was a system call per file): a linked directory
        is not entered, an entry that cannot be examined is a file, and a directory that cannot
        be listed is left out."""
        key = ("project-listing", str(self.root))
        listing = self.shared.get(key)
        if listing is None:
            listing = []
            stack = [os.fspath(self.root)]
            while stack:
                top = stack.pop()
                try:
                    with os.scandir(top) as entries:
                        listed = list(entries)
                except OSError:
                    continue
                directories, files = [], []
                for entry in listed:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    if not is_dir:
                        files.append((entry.name, _is_link(entry)))
                    elif not (entry.name.startswith(".") or entry.name in DEFAULT_EXCLUDED_DIRS or _is_link(entry)):
                        directories.append(entry.name)
                listing.append((top, sorted(files)))
                stack.extend(os.path.join(top, name) for name in sorted(directories, reverse=True))
            self.shared[key] = listing
        return listing

    def _listed(self, directory: Path) -> None:
        """A hook: the cache's project records every directory a walk listed (every name in
        it: a new subdirectory can hold a new file)."""

    def read_bytes(self, path: Path) -> bytes | None:
        """The raw content of a project file (None when unreadable, too large, or outside the
        repository: a path read from a scanned file must not lead the scan elsewhere)."""
        if str(path) not in self._walked and not inside(
            real_path(path if path.is_absolute() else self.cwd / path), self.root
        ):
            return None
        limit = self.max_file_size
        try:
            data = read_limited(path, limit)
        except OSError:
            return None
        return data if data is not None and len(data) <= limit else None


def _is_link(entry: os.DirEntry[str]) -> bool:
    """``os.path.islink`` of the entry's path, from what ``scandir`` read."""
    try:
        return entry.is_symlink()
    except OSError:
        return False


def find_root(start: Path) -> Path:
    """The repository root (nearest directory with .git), else the start directory."""
    start = real_path(start)
    current = start if start.is_dir() else start.parent
    root = git_root(current)
    return current if root is None else root


def git_root(directory: Path, known: dict[Path, Path | None] | None = None) -> Path | None:
    """The nearest directory from ``directory`` up holding ``.git``, or None; ``known`` keeps the
    answer of each directory on the way, for a caller that asks about every directory of a tree."""
    if known is not None and directory in known:
        return known[directory]
    if (directory / ".git").exists():
        root: Path | None = directory
    else:
        parent = directory.parent
        root = None if parent == directory else git_root(parent, known)
    if known is not None:
        known[directory] = root
    return root


def scan_root(paths: list[Path]) -> Path:
    """The project of a scan of ``paths``, whatever their order: the repository (``find_root``)
    when every path is in the same one; when none is in a repository, the nearest directory
    holding them all. Environments are read from paths below this root, so a root taken from
    the first path alone (``envs/dev/terraform.tfvars``'s directory) lost the ``envs/dev`` of
    that file and gave one report for ``a b`` and another for ``b a``.

    Paths in several repositories (or some in none) have no one project, and a directory above
    a repository never names an environment: the first of their repositories in sorted order
    (a file from outside, ``scan . ../plan.json``, never takes the project away from the
    repository's own files). A filesystem root, which would be walked for neighbours, is never
    the answer either."""
    # One answer per directory: a pre-commit run passes every file, and resolving each one's
    # real path and walking up from it cost 0.25 s for 1,800 files (a linked file is resolved).
    starts = {path if path.is_symlink() or path.is_dir() else path.parent for path in paths}
    roots = sorted({find_root(start) for start in starts})
    repositories = [root for root in roots if (root / ".git").exists()]
    if len(roots) == 1 or repositories:
        return (repositories or roots)[0]
    common = Path(os.path.commonpath([str(root) for root in roots]))
    return common if common != common.parent else roots[0]
