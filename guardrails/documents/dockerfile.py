"""Dockerfiles: instructions, flags and heredocs."""

from __future__ import annotations

from typing import Any

from guardrails.model import Document, Kind, Span
from guardrails.records import Record


class Instruction(Record):
    """A Dockerfile instruction. ``arguments`` is the text after the keyword with line
    continuations kept (so positions map back line by line); ``exec_form`` holds the
    JSON array of the exec form; ``heredocs`` maps names to bodies."""

    __slots__ = ("args_span", "arguments", "exec_form", "flags", "heredocs", "keyword", "span", "stage")

    def __init__(
        self,
        keyword: str,
        arguments: str,
        span: Span,
        args_span: Span,
        exec_form: list[str] | None = None,
        flags: dict[str, str] | None = None,
        heredocs: list[tuple[str, str, Span]] | None = None,
        stage: int = 0,
    ) -> None:
        self.keyword = keyword
        self.arguments = arguments
        self.span = span
        self.args_span = args_span
        self.exec_form = exec_form
        self.flags: dict[str, str] = {} if flags is None else flags
        self.heredocs: list[tuple[str, str, Span]] = [] if heredocs is None else heredocs
        self.stage = stage


class DockerfileDocument(Document):
    __slots__ = ("escape", "instructions")

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        instructions: list[Instruction] | None = None,
        escape: str = "\\",
        **base: Any,
    ) -> None:
        super().__init__(path, kind, text, **base)
        self.instructions: list[Instruction] = [] if instructions is None else instructions
        self.escape = escape
