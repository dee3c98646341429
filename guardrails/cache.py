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
import stat
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from guardrails.discover import inside, real_path
from guardrails.model import Category, Document, Edit, Finding, Fix, Incident, Safety, Severity, Span
from guardrails.project import Project
from guardrails.records import Frozen

CACHE_DIR = ".guardrails_cache"
_FORMAT = 5
_SHARDS = 256


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_state(root: Path, cwd: Path, display: str) -> str | None:
    """What ``Project.document`` would see at ``display``: the content hash, or None when
    it would return nothing (missing, a symlink, outside the root)."""
    absolute = os.path.join(cwd, display)
    try:
        if not stat.S_ISREG(os.lstat(absolute).st_mode) or not inside(real_path(Path(absolute)), root):
            return None
        with open(absolute, "rb") as handle:
            return digest(handle.read())
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


class Reads(Frozen):
    """What a check, a repository fact or a memoised value read: files (display path, state),
    directory listings (directory, suffixes), and the facts and values it reused, each with
    its own Reads. Kept apart, a fact read by every check (the module calls of every .tf
    file) is stored once in the cache as a group that entries name, not copied into each."""

    files: frozenset[tuple[str, str | None]]
    dirs: frozenset[tuple[str, tuple[str, ...]]]
    parts: tuple[Reads, ...]


class Dependencies(Frozen):
    """What one check read, as the cache stores it: its own files and directories, and the
    groups (key, files, directories) of the larger facts it reused."""

    files: list[tuple[str, str | None]]
    dirs: list[tuple[str, tuple[str, ...]]]
    groups: list[tuple[str, list[tuple[str, str | None]], list[tuple[str, tuple[str, ...]]]]]


class TrackingProject(Project):
    """A Project that records the files and directory listings rules read through it."""

    def __init__(self, root: Path, cwd: Path, max_file_size: int, shared: dict[Any, Any] | None = None) -> None:
        super().__init__(root, cwd, max_file_size, shared)
        self.cache = _MemoCache(self)
        self.files: set[tuple[str, str | None]] | None = None
        self.dirs: set[tuple[str, tuple[str, ...]]] = set()
        self._parts: dict[int, Reads] = {}
        self._states: dict[str, str | None] = {}
        self._snapshot: tuple[tuple[int, int, int], Reads] | None = None
        # The group of each large Reads met in this scan, by id (the Reads kept with it, so
        # that its id cannot be reused): (reads, key, files, directories).
        self._groups: dict[int, tuple[Reads, str, list[Any], list[Any]]] = self.shared.setdefault(("cache-groups",), {})

    def _reads(self) -> Reads | None:
        """What the current check has read so far, as one frozen value; rebuilt only when it grew."""
        if self.files is None:
            return None
        size = (len(self.files), len(self.dirs), len(self._parts))
        if self._snapshot is None or self._snapshot[0] != size:
            self._snapshot = (size, Reads(frozenset(self.files), frozenset(self.dirs), tuple(self._parts.values())))
        return self._snapshot[1]

    def _replay(self, reads: Any) -> bool:
        if self.files is None:
            return True
        if reads is None:  # built outside a recorded check: what it read is not known
            return False
        self._parts.setdefault(id(reads), reads)
        return True

    def _begin_fact(self) -> Any:
        if self.files is None:
            return None
        outer = (self.files, self.dirs, self._parts, self._snapshot)
        self.files, self.dirs, self._parts, self._snapshot = set(), set(), {}, None
        return outer

    def _end_fact(self, outer: Any) -> Any:
        if outer is None:
            return None
        reads = self._reads()
        self.files, self.dirs, self._parts, self._snapshot = outer
        self._replay(reads)
        return reads

    def start(self) -> None:
        self.files, self.dirs, self._parts = set(), set(), {}
        self._snapshot = None

    def stop(self) -> Dependencies:
        """What the check read: small reused reads folded into its own, larger ones as groups."""
        files, dirs = set(self.files or ()), set(self.dirs)
        groups = []
        for part in _leaves(self._parts.values()):
            if len(part.files) + len(part.dirs) <= _GROUP_AT:
                files |= part.files
                dirs |= part.dirs
                continue
            group = self._groups.get(id(part))
            if group is None or group[0] is not part:
                part_files = sorted(part.files, key=lambda f: (f[0], f[1] or ""))
                part_dirs = sorted(part.dirs)
                key = digest(json.dumps([part_files, part_dirs]).encode())
                group = self._groups[id(part)] = (part, key, part_files, part_dirs)
            groups.append(group[1:])
        self.files, self.dirs, self._parts = None, set(), {}
        return Dependencies(sorted(files, key=lambda f: (f[0], f[1] or "")), sorted(dirs), groups)

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


def _leaves(parts: Iterable[Reads]) -> list[Reads]:
    """Every Reads reachable from ``parts`` (each once), for its own files and directories."""
    found: dict[int, Reads] = {}
    stack = list(parts)
    while stack:
        part = stack.pop()
        if id(part) not in found:
            found[id(part)] = part
            stack.extend(part.parts)
    return list(found.values())


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
        self._groups_stored: set[str] = set()

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

    def lookup(self, display: str, content: str) -> tuple[str | None, list[Finding], bool, dict[str, str]] | None:
        """The kind (None: unsupported), the cached findings of ``display``, whether it may
        hold inline suppressions and the files naming guardrails its check reached (path ->
        kind, ``FileResult.reached``), when its content and every file and directory listing
        its rules read are unchanged; None otherwise."""
        entry = self._shard(self._shard_name(display)).get(display)
        if not entry or entry.get("h") != content:
            return None
        if not self._files_unchanged(entry["d"]) or not self._listings_unchanged(entry["l"]):
            return None
        if not all(self._group_unchanged(key) for key in entry.get("g", ())):
            return None
        return entry["k"], [finding_from_json(f) for f in entry["f"]], bool(entry.get("m")), entry.get("r", {})

    def store(
        self,
        display: str,
        content: str,
        kind: str | None,
        findings: Iterable[Finding],
        deps: Dependencies,
        reached: dict[str, str] | None = None,
    ) -> None:
        name = self._shard_name(display)
        entry: dict[str, Any] = {"h": content, "k": kind, "f": [finding_to_json(f) for f in findings]}
        if reached:  # read while checking it, so among its dependencies: valid as long as the entry
            entry["r"] = reached
        files = [f for f in deps.files if f[0] != display]
        groups = list(deps.groups)
        if len(files) + len(deps.dirs) > _GROUP_AT:
            own_files, own_dirs = [list(f) for f in files], [[d, list(s)] for d, s in deps.dirs]
            groups.append((digest(json.dumps([own_files, own_dirs]).encode()), files, deps.dirs))
            files, dirs = [], []
        else:
            dirs = deps.dirs
        entry["d"] = [[path, state] for path, state in files]
        entry["l"] = self._listed(dirs)
        entry["g"] = [self._group(key, group_files, group_dirs) for key, group_files, group_dirs in groups]
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

    def _group(self, key: str, files: list[tuple[str, str | None]], dirs: list[tuple[str, tuple[str, ...]]]) -> str:
        """Store a long list of dependencies once, under its key: a fact about the whole
        repository (the module calls of every .tf file) is read by most files, and a copy per
        entry made the cache of 1,800 .tf files 200 MB. Written once per run (its directory
        listings are this run's)."""
        if key not in self._groups_stored:
            self._shard(_GROUPS)[key] = [[list(f) for f in files], self._listed(dirs)]
            self._dirty.add(_GROUPS)
            self._groups_stored.add(key)
        self._groups_valid[key] = True
        return key

    def _group_unchanged(self, key: str) -> bool:
        if key not in self._groups_valid:
            group = self._shard(_GROUPS).get(key)
            self._groups_valid[key] = (
                group is not None and self._files_unchanged(group[0]) and self._listings_unchanged(group[1])
            )
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
