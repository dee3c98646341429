"""Reading a file safely: size cap, binary detection, encodings, line endings.

Text is normalised once here (BOM removed, CRLF to LF) so that every parser counts
lines and columns the way an editor shows them.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from guardrails.model import ParseError
from guardrails.records import Record

HEAD_SIZE = 4096


class Unreadable(Record):
    """Why a file was not read at all (it is listed in the report as skipped)."""

    __slots__ = ("detail", "reason")

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail


def read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD_SIZE)
    except OSError:
        return b""


def read_text(path: Path, max_size: int) -> str | Unreadable:
    """The file's text, an Unreadable, or ParseError for undecodable text of a known kind."""
    try:
        size = path.stat().st_size
        if size > max_size:
            return Unreadable("too-large", f"{size:,} bytes is over the {max_size:,}-byte limit (--max-file-size)")
        data = path.read_bytes()
    except OSError as exc:
        return Unreadable("unreadable", exc.strerror or str(exc))
    return decode(data)


def decode(data: bytes) -> str | Unreadable:
    """Text from ``data``, decoded in place (a memoryview past the BOM, never a copy of the
    bytes: a Terraform plan can be a hundred megabytes)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return normalise(data.decode("utf-16"))
        except UnicodeDecodeError as exc:
            raise ParseError(f"invalid UTF-16 text: {exc.reason}") from None
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    if b"\x00" in data:
        return Unreadable("binary", "contains NUL bytes")
    try:
        text = str(memoryview(data)[start:], "utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start + start
        line = data.count(b"\n", start, at) + 1
        column = at - max(data.rfind(b"\n", start, at) + 1, start) + 1
        raise ParseError(f"not valid UTF-8 text (byte 0x{data[at]:02x})", line, column) from None
    return normalise(text)


def normalise(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text
