"""Applying fixes: the edits findings carry, turned into new bytes for each file.

Runs after suppressions and the baseline (a suppressed finding is never fixed). Edits
are positions in the text the parser read (no BOM, LF line ends); here they are mapped
back onto the bytes on disk, so a BOM, CRLF line ends and every byte outside the edits
stay as they were. A fix whose edits overlap one already taken waits for the next run;
a fix is taken whole or not at all.
"""

from __future__ import annotations

import codecs
import difflib
from collections.abc import Iterable
from pathlib import Path

from guardrails.model import Edit, Finding, Safety
from guardrails.records import Record


class Change(Record):
    """One file's content before and after the fixes taken for it."""

    __slots__ = ("after", "before", "path")

    def __init__(self, path: str, before: bytes, after: bytes = b"") -> None:
        self.path = path
        self.before = before
        self.after = after


class Plan(Record):
    # ``deferred``: fixes left for another run: they overlap a fix taken, or their file changed or is not UTF-8.
    __slots__ = ("changes", "deferred", "fixed")

    def __init__(
        self,
        changes: list[Change] | None = None,
        fixed: list[Finding] | None = None,
        deferred: list[Finding] | None = None,
    ) -> None:
        self.changes: list[Change] = [] if changes is None else changes
        self.fixed: list[Finding] = [] if fixed is None else fixed
        self.deferred: list[Finding] = [] if deferred is None else deferred

    def diff(self) -> str:
        """A unified diff of every change (``a/`` and ``b/`` paths, as git prints them)."""
        out: list[str] = []
        for change in self.changes:
            before = change.before.decode("utf-8", "replace").splitlines(keepends=True)
            after = change.after.decode("utf-8", "replace").splitlines(keepends=True)
            for line in difflib.unified_diff(before, after, f"a/{change.path}", f"b/{change.path}"):
                out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)

    def write(self, cwd: Path) -> None:
        for change in self.changes:
            (cwd / change.path).write_bytes(change.after)


def fixable(findings: Iterable[Finding], unsafe: bool) -> list[Finding]:
    """Unsuppressed findings whose fix may be applied (unsafe ones only when asked for)."""
    allowed = {Safety.SAFE, Safety.UNSAFE} if unsafe else {Safety.SAFE}
    return [f for f in findings if f.suppressed is None and f.fix is not None and f.fix.safety in allowed]


def plan(findings: Iterable[Finding], cwd: Path) -> Plan:
    """What applying the fixes of ``findings`` (in order) does to each file under ``cwd``."""
    result = Plan()
    files: dict[str, _File | None] = {}
    for finding in findings:
        assert finding.fix is not None
        edits = list(dict.fromkeys(finding.fix.edits))  # two findings may share an edit
        for edit in edits:
            if edit.path not in files:
                files[edit.path] = _File.read(cwd, edit.path)
        placed: list[tuple[_File, Edit, tuple[int, int]]] = []
        for edit in edits:
            file = files[edit.path]
            span = file.range(edit) if file is not None else None
            if file is None or span is None or not file.free(span, edit):
                break
            placed.append((file, edit, span))
        if len(placed) != len(edits):
            result.deferred.append(finding)
            continue
        for file, edit, span in placed:
            file.taken.setdefault(edit, span)
        result.fixed.append(finding)
    for path, file in files.items():
        if file is not None and file.taken:
            after = file.apply()
            if after != file.data:
                result.changes.append(Change(path, file.data, after))
    return result


class _File:
    """A file's bytes and the byte range of each line, to place character positions."""

    def __init__(self, data: bytes, bom: int, text: str) -> None:
        self.data = data
        self.bom = bom
        self.crlf = "\r\n" in text and text.count("\r\n") == text.count("\n")
        self.lines = text.split("\n")
        self.starts: list[int] = []
        at = bom
        for line in self.lines:
            self.starts.append(at)
            at += len(line.encode("utf-8")) + 1
        self.taken: dict[Edit, tuple[int, int]] = {}

    @classmethod
    def read(cls, cwd: Path, display: str) -> _File | None:
        """None for a file that cannot be read, is not UTF-8, or lies outside ``cwd`` (through a
        symbolic link, or a module path leading out): its fixes are not applied."""
        path = cwd / display
        try:
            if path.is_symlink() or not path.resolve().is_relative_to(cwd.resolve()):
                return None
            data = path.read_bytes()
        except OSError:
            return None
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        try:
            text = data[bom:].decode("utf-8")
        except UnicodeDecodeError:
            return None
        return cls(data, bom, text)

    def offset(self, line: int, column: int) -> int | None:
        """The byte offset of a 1-based (line, character column) of the normalised text:
        a column past the end of a line is its end (before a CRLF's ``\\r``)."""
        if not 0 < line <= len(self.lines) or column < 1:
            return None
        text = self.lines[line - 1]
        visible = len(text) - 1 if text.endswith("\r") else len(text)
        if column - 1 > visible:
            return None
        return self.starts[line - 1] + len(text[: column - 1].encode("utf-8"))

    def range(self, edit: Edit) -> tuple[int, int] | None:
        span = edit.span
        start, end = self.offset(span.line, span.column), self.offset(span.end_line, span.end_column)
        return (start, end) if start is not None and end is not None and start <= end else None

    def free(self, span: tuple[int, int], edit: Edit) -> bool:
        """True when ``span`` touches no range already taken (an identical edit is no conflict;
        two insertions at one point are applied in order)."""
        start, end = span
        for other, (s, e) in self.taken.items():
            if other == edit:
                continue
            if start < e and s < end:
                return False
            if start == end == s == e:
                continue
            if (start == end and s < start < e) or (s == e and start < s < end):
                return False
        return True

    def apply(self) -> bytes:
        out: list[bytes] = []
        at = 0
        for edit, (start, end) in sorted(self.taken.items(), key=lambda item: item[1]):
            out.append(self.data[at:start])
            text = edit.replacement.replace("\n", "\r\n") if self.crlf else edit.replacement
            out.append(text.encode("utf-8"))
            at = end
        out.append(self.data[at:])
        return b"".join(out)
