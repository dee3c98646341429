"""Shell embedded in other files becomes a child document mapped to the host's lines.

Dockerfile RUN (and shell-form CMD/ENTRYPOINT), GitHub Actions ``run:``, GitLab
``script:``, Makefile recipes, Kubernetes ``command``/``args`` running ``sh -c``,
compose ``command``/``entrypoint`` and Terraform provisioners. A child's ``context``
is a logical label (never a line number) that becomes part of finding fingerprints.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from guardrails.documents import FailedDocument, TreeDocument, instance_of
from guardrails.facts.gitlab import GLOBAL_KEYWORDS
from guardrails.model import Document, Kind, LineMap, Node, ParseError

if TYPE_CHECKING:
    from guardrails.documents import DockerfileDocument, Instruction, MakefileDocument, TerraformDocument

_SHELLS = {"sh", "bash", "dash", "ash", "ksh", "/bin/sh", "/bin/bash", "/usr/bin/env", "/bin/ash", "/bin/dash"}
_NON_SHELL_STEP = {"pwsh", "powershell", "python", "cmd", "node"}


@dataclass(slots=True)
class Snippet:
    """Shell text with, for each of its lines, (host line, column offset)."""

    text: str
    lines: list[tuple[int, int]]
    context: str


def attach_children(doc: Document) -> None:
    """Parse every embedded shell snippet of ``doc`` and attach it as a child."""
    from guardrails.parsers import parse

    for snippet in snippets(doc):
        line_map = LineMap(snippet.lines)
        try:
            child = parse(doc.path, snippet.text, Kind.SHELL)
        except ParseError as error:
            child = FailedDocument(path=doc.path, kind=Kind.SHELL, text=snippet.text, error=error)
        child.parent = doc
        child.line_map = line_map
        child.context = snippet.context
        doc.children.append(child)


def snippets(doc: Document) -> Iterator[Snippet]:
    # instance_of: checking a Dockerfile, Makefile or Terraform host imports nothing of those formats.
    if instance_of(doc, "DockerfileDocument"):
        yield from _dockerfile(cast("DockerfileDocument", doc))
    elif instance_of(doc, "MakefileDocument"):
        yield from _makefile(cast("MakefileDocument", doc))
    elif instance_of(doc, "TerraformDocument"):
        yield from _terraform(cast("TerraformDocument", doc))
    elif isinstance(doc, TreeDocument):
        lines = doc.text.split("\n")
        if doc.kind is Kind.GITHUB_ACTIONS:
            yield from _github(doc, lines)
        elif doc.kind is Kind.GITLAB_CI:
            yield from _gitlab(doc, lines)
        elif doc.kind is Kind.KUBERNETES:
            yield from _kubernetes(doc, lines)
        elif doc.kind is Kind.COMPOSE:
            yield from _compose(doc, lines)


# --------------------------------------------------------------------------- YAML hosts


def scalar_snippet(node: Node, host_lines: list[str], context: str, github: bool = False) -> Snippet | None:
    """A YAML scalar's text, taken from the host source so that lines map one to one."""
    if not node.is_scalar or not isinstance(node.value, str):
        return None
    line, column = node.span.line, node.span.column
    first = host_lines[line - 1] if line - 1 < len(host_lines) else ""
    indicator = first[column - 1 : column]
    if indicator in ("|", ">"):
        body = host_lines[line : node.span.end_line]
        indent = _block_indent(body)
        for cut, raw in enumerate(body):
            if raw.strip() and len(raw) - len(raw.lstrip(" ")) < indent:
                body = body[:cut]  # the scalar ended; YAML's end mark runs on past comments
                break
        text_lines = [raw[indent:] if raw.strip() else "" for raw in body]
        while text_lines and not text_lines[-1]:
            text_lines.pop()
        mapping = [(line + 1 + i, indent) for i in range(len(text_lines))]
        text = "\n".join(text_lines)
    else:
        offset = column if indicator in ("'", '"') else column - 1
        text = node.value
        mapping = [(line, offset)] + [(line, offset)] * text.count("\n")
    if github:
        text = _mask_github_expressions(text)
    return Snippet(text, mapping, context)


def _block_indent(body: list[str]) -> int:
    for raw in body:
        if raw.strip():
            return len(raw) - len(raw.lstrip(" "))
    return 0


def _mask_github_expressions(text: str) -> str:
    """``${{ expr }}`` is not shell: replace it by a same-length plain word."""
    out = []
    i = 0
    while True:
        start = text.find("${{", i)
        if start == -1:
            out.append(text[i:])
            return "".join(out)
        end = text.find("}}", start)
        if end == -1:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:start])
        out.append("_" * (end + 2 - start))
        i = end + 2


def _join(parts: list[Snippet], context: str) -> Snippet | None:
    """Several snippets that one shell runs in order (GitLab ``script:`` items)."""
    if not parts:
        return None
    return Snippet("\n".join(p.text for p in parts), [m for p in parts for m in p.lines], context)


def _github(doc: TreeDocument, lines: list[str]) -> Iterator[Snippet]:
    for root in doc.roots:
        jobs = root.get("jobs")
        step_lists: list[tuple[str, Node]] = []
        for job_name, _, job in jobs.items() if jobs is not None else ():
            steps = job.get("steps") if job.is_map else None
            if steps is not None:
                step_lists.append((f"jobs.{job_name}", steps))
        runs = root.get("runs")
        if runs is not None and runs.get("steps") is not None:
            step_lists.append(("runs", runs.get("steps")))  # type: ignore[arg-type]
        for prefix, steps in step_lists:
            for index, step in enumerate(steps.elements()):
                run = step.get("run") if step.is_map else None
                shell = step.get("shell") if step.is_map else None
                if run is None or (shell is not None and shell.text.split()[0] in _NON_SHELL_STEP):
                    continue
                snippet = scalar_snippet(run, lines, f"{prefix}.steps[{index}].run", github=True)
                if snippet is not None:
                    yield snippet


def _gitlab(doc: TreeDocument, lines: list[str]) -> Iterator[Snippet]:
    for root in doc.roots:
        for job_name, _, job in root.items():
            if not job.is_map or (job_name in GLOBAL_KEYWORDS and job_name != "default"):
                continue
            for key in ("before_script", "script", "after_script"):
                node = job.get(key)
                if node is None:
                    continue
                items = _flatten(node)
                parts = [s for s in (scalar_snippet(i, lines, "") for i in items) if s is not None]
                joined = _join(parts, f"{job_name}.{key}")
                if joined is not None:
                    yield joined


def _flatten(node: Node) -> list[Node]:
    if node.is_seq:
        return [leaf for item in node.elements() for leaf in _flatten(item)]
    return [node]


def pod_specs(root: Node) -> Iterator[tuple[str, Node]]:
    """(workload label, pod spec) for a Pod, a workload's template or a CronJob's job template."""
    kind = root.get("kind")
    name = root.path("metadata", "name")
    label = f"{kind.text if kind else '?'}/{name.text if name else '?'}"
    for path in (("spec",), ("spec", "template", "spec"), ("spec", "jobTemplate", "spec", "template", "spec")):
        spec = root.path(*path)
        if spec is not None and spec.is_map and spec.get("containers") is not None:
            yield label, spec


def _kubernetes(doc: TreeDocument, lines: list[str]) -> Iterator[Snippet]:
    for root in doc.roots:
        if not root.is_map:
            continue
        items = root.get("items") if root.get("kind") and root.get("kind").text == "List" else None  # type: ignore[union-attr]
        objects = items.elements() if items is not None else [root]
        for obj in objects:
            for label, spec in pod_specs(obj):
                for group in ("initContainers", "containers"):
                    for container in spec.get(group).elements() if spec.get(group) is not None else []:  # type: ignore[union-attr]
                        cname = container.get("name")
                        context = f"{label}/{cname.text if cname else '?'}"
                        snippet = _exec_script(container.get("command"), container.get("args"), lines, context)
                        if snippet is not None:
                            yield snippet


def _exec_script(command: Node | None, args: Node | None, lines: list[str], context: str) -> Snippet | None:
    """The script of ``[sh, -c, script]`` spread over command and args."""
    words = (command.elements() if command is not None and command.is_seq else []) + (
        args.elements() if args is not None and args.is_seq else []
    )
    texts = [w.text for w in words]
    if len(texts) >= 3 and texts[0].rsplit("/", 1)[-1] in {s.rsplit("/", 1)[-1] for s in _SHELLS}:
        for i, word in enumerate(texts[1:], start=1):
            if word.startswith("-") and "c" in word[1:] and i + 1 < len(words):
                return scalar_snippet(words[i + 1], lines, context)
    if not texts and args is None and command is None:
        return None
    if texts and texts[0] in ("-c",) and len(words) > 1:
        return scalar_snippet(words[1], lines, context)
    return None


def _compose(doc: TreeDocument, lines: list[str]) -> Iterator[Snippet]:
    for root in doc.roots:
        services = root.get("services")
        for name, _, service in services.items() if services is not None else ():
            if not service.is_map:
                continue
            for key in ("entrypoint", "command"):
                node = service.get(key)
                if node is None:
                    continue
                context = f"services.{name}.{key}"
                snippet = (
                    _exec_script(node, None, lines, context) if node.is_seq else scalar_snippet(node, lines, context)
                )
                if snippet is not None:
                    yield snippet


# --------------------------------------------------------------------------- Dockerfile and Terraform


def _makefile(doc: MakefileDocument) -> Iterator[Snippet]:
    for index, recipe in enumerate(doc.recipes):
        lines = [
            (recipe.span.line + i, (recipe.span.column - 1) if i == 0 else 0)
            for i in range(recipe.text.count("\n") + 1)
        ]
        yield Snippet(recipe.text, lines, f"make:{recipe.target}[{index}]")


def _dockerfile(doc: DockerfileDocument) -> Iterator[Snippet]:
    counts: dict[str, int] = {}
    for ins in doc.instructions:
        if ins.keyword not in ("RUN", "CMD", "ENTRYPOINT"):
            continue
        index = counts.get(ins.keyword, 0)
        counts[ins.keyword] = index + 1
        context = f"{ins.keyword}[{index}]"
        if ins.exec_form is not None:
            argv = ins.exec_form
            if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash", "dash") and argv[1] == "-c":
                yield Snippet(argv[2], [(ins.span.line, ins.args_span.column - 1)] * (argv[2].count("\n") + 1), context)
            continue
        if ins.heredocs and ins.keyword == "RUN":
            yield from _dockerfile_heredocs(doc, ins, context)
            continue
        text = ins.arguments
        body_start = ins.args_span.line
        lines = [(body_start, ins.args_span.column - 1)] + [(body_start + i, 0) for i in range(1, text.count("\n") + 1)]
        yield Snippet(text, lines, context)


def _dockerfile_heredocs(doc: DockerfileDocument, ins: Instruction, context: str) -> Iterator[Snippet]:
    """``RUN <<EOF`` runs the body as the script; ``RUN cmd <<EOF`` feeds it to cmd."""
    if all(token.startswith("<<") for token in ins.arguments.split()):
        for index, (_, body, span) in enumerate(ins.heredocs):
            mapping = [(span.line + i, 0) for i in range(body.count("\n") + 1)]
            yield Snippet(body, mapping, f"{context}.heredoc[{index}]")
        return
    host = doc.text.split("\n")[ins.args_span.line - 1 : ins.span.end_line]
    host[0] = host[0][ins.args_span.column - 1 :]
    mapping = [(ins.args_span.line, ins.args_span.column - 1)] + [
        (ins.args_span.line + i, 0) for i in range(1, len(host))
    ]
    yield Snippet("\n".join(host), mapping, context)


def _terraform(doc: TerraformDocument) -> Iterator[Snippet]:
    for block in doc.blocks:
        for prov in block.children("provisioner"):
            kind = prov.labels[0] if prov.labels else ""
            context = f"{block.address}.provisioner.{kind}"
            if kind == "local-exec" and prov.get("command") is not None:
                expr = prov.get("command").expr  # type: ignore[union-attr]
                text = expr.value if expr.kind in ("literal", "template") else ""
                if isinstance(text, str) and text:
                    yield _hcl_string_snippet(text, expr.span.line, expr.span.column, expr.text, context)
            elif kind == "remote-exec" and prov.get("inline") is not None:
                expr = prov.get("inline").expr  # type: ignore[union-attr]
                parts = []
                for item in expr.value if expr.kind == "tuple" else []:
                    if item.kind in ("literal", "template") and isinstance(item.value, str):
                        parts.append(_hcl_string_snippet(item.value, item.span.line, item.span.column, item.text, ""))
                joined = _join(parts, context)
                if joined is not None:
                    yield joined


def _hcl_string_snippet(value: str, line: int, column: int, source: str, context: str) -> Snippet:
    if source.startswith("<<"):
        mapping = [(line + 1 + i, 0) for i in range(value.count("\n") + 1)]
    else:
        mapping = [(line, column)] * (value.count("\n") + 1)
    return Snippet(value, mapping, context)
