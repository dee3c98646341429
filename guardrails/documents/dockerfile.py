"""Dockerfiles: instructions, flags and heredocs."""

from __future__ import annotations

from dataclasses import dataclass, field

from guardrails.model import Document, Span


@dataclass
class Instruction:
    """A Dockerfile instruction. ``arguments`` is the text after the keyword with line
    continuations kept (so positions map back line by line); ``exec_form`` holds the
    JSON array of the exec form; ``heredocs`` maps names to bodies."""

    keyword: str
    arguments: str
    span: Span
    args_span: Span
    exec_form: list[str] | None = None
    flags: dict[str, str] = field(default_factory=dict)
    heredocs: list[tuple[str, str, Span]] = field(default_factory=list)
    stage: int = 0


@dataclass
class DockerfileDocument(Document):
    instructions: list[Instruction] = field(default_factory=list)
    escape: str = "\\"
