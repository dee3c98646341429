"""Find the files to scan: honour .gitignore, never leave the scanned tree.

Directories are walked without following symlinks; a symlinked file is read only
when its target stays inside the root it was found under. Whatever is passed over
for a reason a user should know (size, binary content, a link leaving the tree, an
unreadable file) is returned as a SkippedFile, never dropped silently.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from guardrails import deferred_re
from guardrails.model import SkippedFile
from guardrails.records import Record

DEFAULT_EXCLUDED_DIRS = frozenset(
    {".git", ".terraform", ".terragrunt-cache", "node_modules", "vendor", ".guardrails_cache", ".hg", ".svn"}
)


class Candidate(Record):
    __slots__ = ("display", "explicit", "path")

    def __init__(self, path: Path, display: str, explicit: bool = False) -> None:
        self.path = path
        self.display = display
        self.explicit = explicit


class Discovery(Record):
    __slots__ = ("candidates", "skipped")

    def __init__(
        self,
        candidates: list[Candidate] | None = None,
        skipped: list[SkippedFile] | None = None,
    ) -> None:
        self.candidates: list[Candidate] = [] if candidates is None else candidates
        self.skipped: list[SkippedFile] = [] if skipped is None else skipped


def real_path(path: Path) -> Path:
    """``path`` with every symlink resolved; unlike ``Path.resolve`` it never raises on a
    symlink loop (RuntimeError in Python 3.10 to 3.12), which a scanned tree may contain."""
    return Path(os.path.realpath(path))


def _link_problem(path: Path) -> str:
    """Why a symlink whose target does not exist cannot be read."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
    return "broken symlink"


def _special(path: Path) -> str | None:
    """Why a FIFO, socket or device is not read (opening a FIFO blocks forever); None for a file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return "not a regular file (FIFO, socket or device): not opened"


def display_path(path: Path, cwd: Path) -> str:
    """Relative to the current directory when below it, POSIX separators always."""
    try:
        rel = path.relative_to(cwd)
    except ValueError:
        try:
            rel = Path(os.path.relpath(path, cwd))
        except ValueError:
            rel = path
    text = rel.as_posix()
    return text if text else "."


def discover(
    paths: list[Path],
    *,
    cwd: Path,
    excluded_dirs: frozenset[str] = DEFAULT_EXCLUDED_DIRS,
    use_gitignore: bool = True,
) -> Discovery:
    result = Discovery()
    seen: set[str] = set()
    for given in paths:
        absolute = (cwd / given) if not given.is_absolute() else given
        if absolute.is_symlink() and absolute.is_dir():
            result.skipped.append(
                SkippedFile(display_path(absolute, cwd), "symlink", "directory symlinks are not followed")
            )
            continue
        if absolute.is_dir():
            # Walked from its real path: a directory reached through a linked one above it
            # (``/tmp`` on macOS) gets the same display paths as the files the rules open
            # beside it (``Project.display_of`` resolves links), or a module call's
            # ``source = "../../"`` would name another directory than the one scanned.
            root = real_path(absolute)
            for candidate, link in _walk(root, root, cwd, excluded_dirs, use_gitignore, result.skipped):
                # No symlink on the way below the root (linked directories are not entered):
                # a plain file's path is its real path.
                real = str(real_path(candidate.path)) if link else str(candidate.path)
                if real not in seen:
                    seen.add(real)
                    result.candidates.append(candidate)
        elif absolute.exists() or absolute.is_symlink():
            real_file = real_path(absolute)
            if absolute.is_symlink() and (not absolute.exists() or not inside(real_file, real_path(absolute.parent))):
                reason = "target outside the scanned tree" if absolute.exists() else _link_problem(absolute)
                result.skipped.append(SkippedFile(display_path(absolute, cwd), "symlink", reason))
                continue
            special = _special(absolute)
            if special is not None:
                result.skipped.append(SkippedFile(display_path(absolute, cwd), "unreadable", special))
                continue
            if str(real_file) not in seen:
                seen.add(str(real_file))
                shown = real_path(absolute.parent) / absolute.name  # a link keeps its own name
                result.candidates.append(Candidate(shown, display_path(shown, cwd), explicit=True))
        else:
            result.skipped.append(SkippedFile(display_path(absolute, cwd), "missing", "no such file or directory"))
    return result


def inside(path: Path, root: Path) -> bool:
    """Both paths real (resolved): ``path`` is ``root`` or below it."""
    text, top = str(path), str(root)
    return text == top or text.startswith(top if top.endswith(os.sep) else top + os.sep)


def _walk(
    top: Path,
    root: Path,
    cwd: Path,
    excluded_dirs: frozenset[str],
    use_gitignore: bool,
    skipped: list[SkippedFile],
) -> Iterator[tuple[Candidate, bool]]:
    """Candidates below ``top``, each with whether it is a symbolic link."""
    ignores: list[Gitignore] = []
    if use_gitignore:
        ignores.extend(_parent_gitignores(top))
    stack: list[tuple[Path, list[Gitignore]]] = [(top, ignores)]
    while stack:
        directory, specs = stack.pop()
        if use_gitignore:
            spec = _load_gitignore(directory)
            if spec is not None:
                specs = [*specs, spec]
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(SkippedFile(display_path(directory, cwd), "unreadable", exc.strerror or str(exc)))
            continue
        subdirs: list[Path] = []
        here = display_path(directory, cwd)  # a file's display path is its directory's and its name
        prefix = "" if here == "." else here.rstrip("/") + "/"
        for entry in entries:
            path = Path(entry.path)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir and entry.name in excluded_dirs:
                continue
            if specs and _ignored(path, is_dir, is_link, specs):
                continue
            if is_link:
                target = real_path(path)
                if path.is_dir():
                    skipped.append(
                        SkippedFile(display_path(path, cwd), "symlink", "directory symlinks are not followed")
                    )
                elif not path.exists():
                    skipped.append(SkippedFile(display_path(path, cwd), "symlink", _link_problem(path)))
                elif not inside(target, root):
                    skipped.append(SkippedFile(display_path(path, cwd), "symlink", "target outside the scanned tree"))
                else:
                    special = _special(path)
                    if special is not None:
                        skipped.append(SkippedFile(display_path(path, cwd), "unreadable", special))
                    else:
                        yield Candidate(path, display_path(path, cwd)), True
                continue
            if is_dir:
                subdirs.append(path)
            elif entry.is_file(follow_symlinks=False):
                yield Candidate(path, prefix + entry.name), False
            elif (special := _special(path)) is not None:
                skipped.append(SkippedFile(display_path(path, cwd), "unreadable", special))
        stack.extend((d, specs) for d in reversed(subdirs))


class Gitignore(Record):
    """One ``.gitignore`` and the directory it applies to.

    ``pathspec`` tries every pattern in turn for every file (a 110-pattern file made gitignore
    matching a tenth of a scan of terraform-aws-components). ``anything`` is all the patterns
    in one regular expression: a path none of them matches is not ignored, and only the paths
    some pattern matches go through pathspec's own precedence rules. The expression is searched,
    not matched at the start: pathspec 1.x searches each pattern, and some of its patterns
    (``*/``, ``**/``) have no anchor."""

    __slots__ = ("anything", "base", "prefix", "spec")

    def __init__(self, base: Path, spec: Any) -> None:
        self.base = base
        self.prefix = str(base).rstrip("/") + "/"
        self.spec = spec
        self.anything = _any_pattern(spec)

    def matches(self, relative: str) -> bool:
        if self.anything is not None and self.anything.search(relative) is None:
            return False
        return bool(self.spec.match_file(relative))


_NAMED_GROUP = deferred_re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


def _any_pattern(spec: Any) -> re.Pattern[str] | None:
    """One expression matching where any of ``spec``'s patterns does (None when a pattern is not
    a plain regular expression that can be joined: then every path takes the exact route)."""
    parts = []
    for pattern in spec.patterns:
        if pattern.include is None:
            continue
        regex = getattr(pattern, "regex", None)
        if not isinstance(regex, re.Pattern) or regex.flags & ~re.UNICODE or "(?P=" in regex.pattern:
            return None
        parts.append(f"(?:{_NAMED_GROUP.sub('(?:', regex.pattern)})")
    try:
        return re.compile("|".join(parts) or "(?!)")
    except re.error:
        return None


def _load_gitignore(directory: Path) -> Gitignore | None:
    path = directory / ".gitignore"
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    import pathspec

    try:
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
    except ValueError:  # git skips a line it cannot read (``foo\``): so does the walk, line by line
        spec = pathspec.GitIgnoreSpec.from_lines([line for line in lines if _readable(line)])
    return Gitignore(directory, spec)


def _readable(line: str) -> bool:
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([line])
    except ValueError:
        return False
    return True


def _parent_gitignores(top: Path) -> list[Gitignore]:
    """.gitignore files between the repository root and ``top``, outermost first."""
    found: list[Gitignore] = []
    current = real_path(top)
    chain = []
    for parent in current.parents:
        chain.append(parent)
        if (parent / ".git").exists():
            break
    else:
        return []
    for parent in reversed(chain):
        spec = _load_gitignore(parent)
        if spec is not None:
            found.append(spec)
    return found


def _ignored(path: Path, is_dir: bool, is_link: bool, specs: list[Gitignore]) -> bool:
    text = str(path)
    for spec in specs:
        if not is_link and text.startswith(spec.prefix):  # walked below the base: the path is real
            relative = text[len(spec.prefix) :]
        else:
            try:
                relative = real_path(path).relative_to(real_path(spec.base)).as_posix()
            except ValueError:
                continue
        if spec.matches(relative + ("/" if is_dir else "")):
            return True
    return False
