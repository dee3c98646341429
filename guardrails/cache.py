"""Per-file results cache in ``.guardrails_cache/`` at the project root (as ruff does).

An entry holds the findings of the per-document rules for one file, keyed on the file's
content hash, and is valid only for the guardrails code, rule set and configuration that
produced it (the shard's key). Rules may read other files through ``ctx.project``
(``.env`` next to a compose file, the sibling ``.tf`` files of a module): the project used
while checking records every such read (file content hashes and directory listings) and
an entry is reused only while all of them are unchanged. Project-wide rules are never
cached: they run on every scan.

Entries are signed with a key kept outside the repository (the user's cache directory),
so a ``.guardrails_cache`` committed by someone else can never hide a finding.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from guardrails.model import Category, Document, Edit, Finding, Fix, Incident, Safety, Severity, Span
from guardrails.project import Project

CACHE_DIR = ".guardrails_cache"
_FORMAT = 3
_SHARDS = 256


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_state(root: Path, cwd: Path, display: str) -> str | None:
    """What ``Project.document`` would see at ``display``: the content hash, or None when
    it would return nothing (missing, a symlink, outside the root)."""
    absolute = cwd / display
    try:
        if absolute.is_symlink() or not absolute.is_file():
            return None
        real = absolute.resolve()
        if real != root and root not in real.parents:
            return None
        return digest(absolute.read_bytes())
    except OSError:
        return None


def listing(cwd: Path, directory: str, suffixes: tuple[str, ...]) -> list[str]:
    """The names in ``directory`` ending with one of ``suffixes``; never the cache's own
    directory, which the first run creates (every entry that listed the root went stale)."""
    try:
        return sorted(n for n in os.listdir(cwd / directory) if n.endswith(suffixes) and n != CACHE_DIR)
    except OSError:
        return []


# --------------------------------------------------------------------------- recording reads


class _MemoCache(dict):  # type: ignore[type-arg]
    """``project.cache`` that remembers which reads produced each memoised value, so a later
    document that reuses the value inherits those reads as its own dependencies."""

    def __init__(self, project: TrackingProject) -> None:
        super().__init__()
        self._project = project
        self._deps: dict[Any, tuple[frozenset[tuple[str, str | None]], frozenset[tuple[str, tuple[str, ...]]]]] = {}

    def _replay(self, key: Any) -> None:
        if key in self._deps:
            self._project._replay(self._deps[key])

    def __setitem__(self, key: Any, value: Any) -> None:
        if self._project.files is not None:
            self._deps[key] = self._project._reads()
        super().__setitem__(key, value)

    def __getitem__(self, key: Any) -> Any:
        self._replay(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._replay(key)
        return super().__contains__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._replay(key)
        return super().get(key, default)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key in self:
            return self[key]
        self[key] = default
        return default


class TrackingProject(Project):
    """A Project that records the files and directory listings rules read through it."""

    def __init__(self, root: Path, cwd: Path, max_file_size: int, shared: dict[Any, Any] | None = None) -> None:
        super().__init__(root, cwd, max_file_size, shared)
        self.cache = _MemoCache(self)
        self.files: set[tuple[str, str | None]] | None = None
        self.dirs: set[tuple[str, tuple[str, ...]]] = set()
        self._states: dict[str, str | None] = {}
        self._replayed: dict[int, Any] = {}
        self._snapshot: tuple[tuple[int, int], Any] | None = None

    def _reads(self) -> Any:
        """What the current check has read, as one frozen value; rebuilt only when it grew (reads
        only grow during a check, and a check with a repository-wide fact has read every file)."""
        if self.files is None:
            return None
        size = (len(self.files), len(self.dirs))
        if self._snapshot is None or self._snapshot[0] != size:
            self._snapshot = (size, (frozenset(self.files), frozenset(self.dirs)))
        return self._snapshot[1]

    def _replay(self, reads: Any) -> bool:
        if self.files is None:
            return True
        if reads is None:  # built outside a recorded check: what it read is not known
            return False
        if id(reads) not in self._replayed:  # the same fact is asked for many times in one check
            self._replayed[id(reads)] = reads  # kept: its id stays its own for the check
            self.files.update(reads[0])
            self.dirs.update(reads[1])
        return True

    def start(self) -> None:
        self.files, self.dirs = set(), set()
        self._replayed = {}
        self._snapshot = None

    def stop(self) -> tuple[list[tuple[str, str | None]], list[tuple[str, tuple[str, ...]]]]:
        files, dirs = self.files or set(), self.dirs
        self.files, self.dirs = None, set()
        return sorted(files, key=lambda f: (f[0], f[1] or "")), sorted(dirs)

    def document(self, path: Path) -> Document | None:
        doc = super().document(path)
        if self.files is not None:
            display = self.display_of(path)
            if display not in self._states:
                self._states[display] = file_state(self.root, self.cwd, display)
            self.files.add((display, self._states[display]))
        return doc

    def siblings(self, doc: Document, suffixes: tuple[str, ...]) -> list[Document]:
        if self.files is not None:
            self.dirs.add((str(PurePosixPath(doc.host.path).parent), tuple(suffixes)))
        return super().siblings(doc, suffixes)

    def directory_documents(self, directory: Path, suffixes: tuple[str, ...]) -> list[Document]:
        if self.files is not None and not directory.is_absolute():  # siblings() recorded its own
            self.dirs.add((str(PurePosixPath(directory)), tuple(suffixes)))
        return super().directory_documents(directory, suffixes)

    def _listed(self, directory: Path) -> None:
        if self.files is not None:
            self.dirs.add((self.display_of(directory), ("",)))

    def read_bytes(self, path: Path) -> bytes | None:
        if self.files is not None:
            display = self.display_of(path)
            if display not in self._states:
                self._states[display] = file_state(self.root, self.cwd, display)
            self.files.add((display, self._states[display]))
        return super().read_bytes(path)


# --------------------------------------------------------------------------- findings <-> JSON


def finding_to_json(f: Finding) -> dict[str, Any]:
    """Every field of the finding (new fields included: the cache must not drop any)."""
    data: dict[str, Any] = {}
    for name in Finding._fields:
        value = getattr(f, name)
        if isinstance(value, (Category, Severity)):
            value = value.value
        elif isinstance(value, (Span, Incident)):
            value = list(value)
        elif isinstance(value, Fix):
            value = [
                value.description,
                value.safety.value,
                [[e.path, list(e.span), e.replacement] for e in value.edits],
            ]
        data[name] = value
    return data


def finding_from_json(data: dict[str, Any]) -> Finding:
    values = dict(data)
    values["category"] = Category(values["category"])
    values["severity"] = Severity(values["severity"])
    values["span"] = Span(*values["span"])
    values["incident"] = Incident(*values["incident"]) if values["incident"] else None
    if values.get("fix"):
        description, safety, edits = values["fix"]
        values["fix"] = Fix(description, Safety(safety), tuple(Edit(p, Span(*s), r) for p, s, r in edits))
    return Finding(**values)


# --------------------------------------------------------------------------- the store


def code_fingerprint() -> str:
    """The installed guardrails code (version, and every module's size and mtime), so an
    upgrade or a local edit of a rule never reuses old results."""
    from guardrails import __version__

    package = Path(__file__).resolve().parent
    stats = [__version__]
    for top in (package, *(Path(p) for p in _rules_paths())):
        for dirpath, _, names in os.walk(top):
            for name in sorted(names):
                if name.endswith(".py"):
                    st = os.stat(os.path.join(dirpath, name))
                    stats.append(f"{dirpath}/{name}:{st.st_size}:{st.st_mtime_ns}")
    return digest("\n".join(sorted(stats)).encode())


def _rules_paths() -> list[str]:
    import guardrails.rules as catalog

    return list(catalog.__path__)


def _signing_key() -> bytes | None:
    """A per-user random key outside the repository; None when it cannot be kept."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "guardrails"
    path = base / "cache-key"
    try:
        return path.read_bytes()
    except OSError:
        pass
    import tempfile

    try:
        base.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=base)
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(32))
        os.replace(tmp, path)
        return path.read_bytes()
    except OSError:
        return None


# Dependency lists longer than this are stored once in the shard _GROUPS, shared by entries.
_GROUP_AT = 64
_GROUPS = "groups"
_GROUPS_KEPT = 16


class Cache:
    """Shards of entries ``{display path: entry}``, loaded on demand, written back when changed."""

    def __init__(self, directory: Path, key: str, root: Path, cwd: Path, signing_key: bytes) -> None:
        self.directory = directory / key
        self.base = directory
        self.root = root
        self.cwd = cwd
        self._key = signing_key
        self._shards: dict[str, dict[str, Any]] = {}
        self._dirty: set[str] = set()
        self._states: dict[str, str | None] = {}
        self._listings: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        self._groups_valid: dict[str, bool] = {}
        self._group_keys: dict[tuple[Any, ...], str] = {}

    @classmethod
    def open(cls, root: Path, cwd: Path, config: dict[str, Any], directory: Path | None = None) -> Cache | None:
        signing_key = _signing_key()
        if signing_key is None:
            return None
        where = directory if directory is not None else root / CACHE_DIR
        parts = {"format": _FORMAT, "code": code_fingerprint(), "cwd": os.path.relpath(cwd, root), **config}
        key = digest(json.dumps(parts, sort_keys=True, default=str).encode())
        return cls(where, key, root, cwd, signing_key)

    def _shard_name(self, display: str) -> str:
        directory = str(PurePosixPath(display).parent)
        return f"{int(hashlib.blake2b(directory.encode(), digest_size=2).hexdigest(), 16) % _SHARDS:02x}"

    def _shard(self, name: str) -> dict[str, Any]:
        if name not in self._shards:
            self._shards[name] = self._read(self.directory / f"{name}.json")
        return self._shards[name]

    def _read(self, path: Path) -> dict[str, Any]:
        try:
            raw = path.read_bytes()
        except OSError:
            return {}
        mac, _, payload = raw.partition(b"\n")
        expected = hmac.new(self._key, payload, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(mac, expected):
            return {}
        try:
            data = json.loads(payload)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def seed(self, display: str, content: str) -> None:
        """The state of a regular file inside the root, already hashed by the caller."""
        self._states[display] = content

    def state(self, display: str) -> str | None:
        if display not in self._states:
            self._states[display] = file_state(self.root, self.cwd, display)
        return self._states[display]

    def lookup(self, display: str, content: str) -> tuple[str | None, list[Finding], bool] | None:
        """The kind (None: unsupported), the cached findings of ``display`` and whether it may
        hold inline suppressions, when its content and every file and directory listing its
        rules read are unchanged; None otherwise."""
        entry = self._shard(self._shard_name(display)).get(display)
        if not entry or entry.get("h") != content:
            return None
        if not self._files_unchanged(entry["d"]) or not self._listings_unchanged(entry["l"]):
            return None
        for key, check in ((entry.get("g"), self._files_unchanged), (entry.get("lg"), self._listings_unchanged)):
            if key is not None and not self._group_unchanged(key, check):
                return None
        return entry["k"], [finding_from_json(f) for f in entry["f"]], bool(entry.get("m"))

    def store(
        self,
        display: str,
        content: str,
        kind: str | None,
        findings: Iterable[Finding],
        files: list[tuple[str, str | None]],
        dirs: list[tuple[str, tuple[str, ...]]],
    ) -> None:
        name = self._shard_name(display)
        entry: dict[str, Any] = {"h": content, "k": kind, "f": [finding_to_json(f) for f in findings]}
        if len(files) > _GROUP_AT:
            entry["d"], entry["g"] = [], self._group(tuple(files), lambda: [list(f) for f in files])
        else:
            entry["d"] = [[path, state] for path, state in files if path != display]
        if len(dirs) > _GROUP_AT:
            entry["l"], entry["lg"] = [], self._group(tuple(dirs), lambda: self._listed(dirs))
        else:
            entry["l"] = self._listed(dirs)
        self._shard(name)[display] = entry
        self._dirty.add(name)

    def _listed(self, dirs: list[tuple[str, tuple[str, ...]]]) -> list[list[Any]]:
        found = []
        for directory, suffixes in dirs:
            key = (directory, suffixes)
            if key not in self._listings:  # one listing per directory and run, not one per file
                self._listings[key] = listing(self.cwd, directory, suffixes)
            found.append([directory, list(suffixes), self._listings[key]])
        return found

    def _group(self, reads: tuple[Any, ...], items: Callable[[], list[list[Any]]]) -> str:
        """Store a long list of dependencies (files or directory listings) once, under its digest:
        a fact about the whole repository (the module calls of every .tf file) is read by most
        files, and a copy per entry made the cache of 1,800 .tf files 200 MB."""
        key = self._group_keys.get(reads)
        if key is None:
            listed = items()
            key = self._group_keys[reads] = digest(json.dumps(listed).encode())
            groups = self._shard(_GROUPS)
            if key not in groups:
                groups[key] = listed
                self._dirty.add(_GROUPS)
        self._groups_valid[key] = True
        return key

    def _group_unchanged(self, key: str, check: Callable[[list[Any]], bool]) -> bool:
        if key not in self._groups_valid:
            items = self._shard(_GROUPS).get(key)
            self._groups_valid[key] = items is not None and check(items)
        return self._groups_valid[key]

    def _files_unchanged(self, deps: list[Any]) -> bool:
        return all(self.state(path) == state for path, state in deps)

    def _listings_unchanged(self, listings: list[Any]) -> bool:
        for directory, suffixes, names in listings:
            key = (directory, tuple(suffixes))
            if key not in self._listings:
                self._listings[key] = listing(self.cwd, directory, key[1])
            if self._listings[key] != names:
                return False
        return True

    def mark(self, display: str, marked: bool) -> None:
        """Remember that ``display`` names guardrails (it may hold inline suppressions)."""
        if marked:
            self._shard(self._shard_name(display))[display]["m"] = True

    def save(self) -> None:
        """Write changed shards atomically; a cache that cannot be written is not an error."""
        if not self._dirty:
            return
        import tempfile

        groups = self._shards.get(_GROUPS)
        if _GROUPS in self._dirty and groups is not None and len(groups) > _GROUPS_KEPT:
            # Groups no entry of this run used are dropped: an entry of another part of the
            # repository that still names one is only recomputed, never wrongly reused.
            self._shards[_GROUPS] = {k: v for k, v in groups.items() if self._groups_valid.get(k)}

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            ignore = self.base / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by guardrails: never commit the cache.\n*\n", encoding="utf-8")
            for name in sorted(self._dirty):
                payload = json.dumps(self._shards[name], separators=(",", ":"), ensure_ascii=False).encode()
                mac = hmac.new(self._key, payload, hashlib.sha256).hexdigest().encode()
                fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
                with os.fdopen(fd, "wb") as handle:
                    handle.write(mac + b"\n" + payload)
                os.replace(tmp, self.directory / f"{name}.json")
        except OSError:
            return
        self._dirty.clear()
