"""Shell embedded in other files becomes a child document mapped to the host's lines.

Dockerfile RUN (and shell-form CMD/ENTRYPOINT), GitHub Actions ``run:``, GitLab
``script:``, Makefile recipes, Kubernetes ``command``/``args`` running ``sh -c``,
compose ``command``/``entrypoint`` and Terraform provisioners. A child's ``context``
is a logical label (never a line number) that becomes part of finding fingerprints.
"""

from __future__ import annotations

import bisect
import re
import shlex
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from guardrails import deferred_re
from guardrails.documents import FailedDocument, TreeDocument, instance_of
from guardrails.facts.ansible_keywords import SHELL_MODULES
from guardrails.facts.embedded_shell import TERRAFORM_SCRIPT_ATTRIBUTES
from guardrails.facts.gitlab import GLOBAL_KEYWORDS
from guardrails.facts.shells import SHELL_INTERPRETERS, program_name
from guardrails.model import Document, Kind, LineMap, Node, ParseError, Span
from guardrails.records import Record

if TYPE_CHECKING:
    from guardrails.documents import Block, DockerfileDocument, Expr, Instruction, MakefileDocument, TerraformDocument

_NON_SHELL_STEP = {"pwsh", "powershell", "python", "cmd", "node"}


class Snippet(Record):
    """Shell text with, for each of its lines, (host line, column offset).

    ``anchors`` (when the text is not a plain copy of host lines) gives, for each line,
    (column in the snippet, host line, host column) where each run of characters starts;
    ``interpolations`` maps the shell names of template placeholders to the template text;
    ``heredocs`` maps here-string placeholders to the heredoc (name, body) they stand for.
    """

    # ``heredocs``: placeholder -> (name, body)
    # ``task``: the Ansible task that runs it (its when: is a guard)
    __slots__ = ("anchors", "context", "heredocs", "interpolations", "lines", "task", "text")

    def __init__(
        self,
        text: str,
        lines: list[tuple[int, int]],
        context: str,
        anchors: list[list[tuple[int, int, int]]] | None = None,
        interpolations: dict[str, str] | None = None,
        heredocs: dict[str, tuple[str, str]] | None = None,
        task: Node | None = None,
    ) -> None:
        self.text = text
        self.lines = lines
        self.context = context
        self.anchors = anchors
        self.interpolations: dict[str, str] = {} if interpolations is None else interpolations
        self.heredocs: dict[str, tuple[str, str]] = {} if heredocs is None else heredocs
        self.task = task


class AnchoredLineMap(LineMap):
    """A line map whose lines are pieced together from several places of the host line
    (escapes, template placeholders, removed indentation): each column is mapped from the
    last anchor at or before it."""

    __slots__ = ("anchors",)

    def __init__(self, lines: list[tuple[int, int]], anchors: list[list[tuple[int, int, int]]]) -> None:
        super().__init__(lines)
        self.anchors = anchors

    def to_host(self, span: Span) -> Span:
        def conv(line: int, column: int) -> tuple[int, int]:
            row = self.anchors[min(max(line, 1), len(self.anchors)) - 1] if self.anchors else []
            best = None
            for anchor in row:
                if anchor[0] > column:
                    break
                best = anchor
            if best is None:
                host_line, offset = self.lines[min(max(line, 1), len(self.lines)) - 1]
                return host_line, column + offset
            snippet_column, host_line, host_column = best
            return host_line, host_column + column - snippet_column

        line, column = conv(span.line, span.column)
        end_line, end_column = conv(span.end_line, span.end_column)
        return Span(line, column, end_line, end_column)


def attach_children(doc: Document) -> None:
    """Parse every embedded shell snippet of ``doc`` and attach it as a child."""
    from guardrails.parsers import parse

    for snippet in snippets(doc):
        line_map = (
            LineMap(snippet.lines) if snippet.anchors is None else AnchoredLineMap(snippet.lines, snippet.anchors)
        )
        try:
            child = parse(doc.path, snippet.text, Kind.SHELL)
        except ParseError as error:
            if _jinja_control(snippet.text):
                continue
            child = FailedDocument(path=doc.path, kind=Kind.SHELL, text=snippet.text, error=error)
        if snippet.interpolations and instance_of(child, "ShellDocument"):
            child.interpolations = dict(snippet.interpolations)  # type: ignore[attr-defined]
        if snippet.heredocs and instance_of(child, "ShellDocument"):
            _restore_heredocs(child, snippet.heredocs)
        if snippet.task is not None and instance_of(child, "ShellDocument"):
            child.host_task = snippet.task  # type: ignore[attr-defined]
        child.parent = doc
        child.line_map = line_map
        child.context = snippet.context
        doc.children.append(child)


def _jinja_control(text: str) -> bool:
    """Whether a command that does not parse as shell does once its Jinja statements and
    comments are set aside (``{% if x %}--flag{% endif %}``, whose conditions hold parentheses
    and quotes): Ansible renders it before it runs, so it is a template, not broken shell, and
    what it runs is unknown until rendered."""
    from guardrails import templates
    from guardrails.parsers import parse

    if "{%" not in text and "{#" not in text:
        return False
    try:
        parse("template", templates.without_tags(text, templates.JINJA), Kind.SHELL)
    except ParseError:
        return False
    return True


def _restore_heredocs(doc: Document, heredocs: dict[str, tuple[str, str]]) -> None:
    for cmd in doc.commands:  # type: ignore[attr-defined]
        for redirect in cmd.redirects:
            if redirect.operator == "<<<" and redirect.target in heredocs:
                name, body = heredocs[redirect.target]
                redirect.operator, redirect.target, redirect.heredoc_body = "<<", name, body


def snippets(doc: Document) -> Iterator[Snippet]:
    # instance_of: checking a Dockerfile, Makefile or Terraform host imports nothing of those formats.
    if instance_of(doc, "DockerfileDocument"):
        yield from _dockerfile(cast("DockerfileDocument", doc))
    elif instance_of(doc, "MakefileDocument"):
        yield from _makefile(cast("MakefileDocument", doc))
    elif instance_of(doc, "TerraformDocument") and doc.kind is not Kind.TERRAFORM_PLAN:
        yield from _terraform(cast("TerraformDocument", doc))  # a plan's scripts are JSON strings
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
        elif doc.kind is Kind.ANSIBLE:
            yield from _ansible(doc, lines)


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
        text = mask_github_expressions(text)
    return Snippet(text, mapping, context)


def _block_indent(body: list[str]) -> int:
    for raw in body:
        if raw.strip():
            return len(raw) - len(raw.lstrip(" "))
    return 0


def mask_github_expressions(text: str) -> str:
    """``${{ expr }}`` is not shell: replace it by a same-length plain word."""
    out: list[str] = []
    i = 0
    for start, end in github_expressions(text):
        out += [text[i:start], "_" * (end - start)]
        i = end
    return "".join([*out, text[i:]])


def github_expressions(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each ``${{ … }}`` in ``text``, its ``}}`` included: the one reading of
    where an expression is, for masking it and for reading back what a mask stands for."""
    start = text.find("${{")
    while start != -1:
        end = text.find("}}", start)
        if end == -1:
            return
        yield start, end + 2
        start = text.find("${{", end + 2)


def written_github_expressions(doc: Document, span: Span) -> list[str]:
    """The ``${{ … }}`` expressions, as written, of a one-line ``span`` of a workflow step's
    script ``doc``: masked before shell parsing, they are read back from the workflow file."""
    if doc.parent is None or span.line != span.end_line:
        return []
    at = doc.host_span(span)
    lines = doc.host.text.split("\n", at.line)  # up to the span's line: the rest is never read
    if not 1 <= at.line <= len(lines):
        return []
    written = lines[at.line - 1][at.column - 1 : at.end_column - 1]
    return [written[start:end] for start, end in github_expressions(written)]


def _join(parts: list[Snippet], context: str) -> Snippet | None:
    """Several snippets that one shell runs in order (GitLab ``script:`` items)."""
    if not parts:
        return None
    anchors = None
    if any(p.anchors is not None for p in parts):
        anchors = [row for p in parts for row in (p.anchors or [[(1, line, off + 1)] for line, off in p.lines])]
    interpolations = {k: v for p in parts for k, v in p.interpolations.items()}
    return Snippet(
        "\n".join(p.text for p in parts), [m for p in parts for m in p.lines], context, anchors, interpolations
    )


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
    if len(texts) >= 3 and program_name(texts[0]) in SHELL_INTERPRETERS | {"env"}:
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


def _ansible(doc: TreeDocument, lines: list[str]) -> Iterator[Snippet]:
    """``shell``/``command``/``raw``/``script`` tasks: free-form text, ``cmd:``, or ``argv:``."""
    from guardrails.facts import ansible

    for task in ansible.tasks(doc):
        if task.module not in SHELL_MODULES:
            continue
        context = f"{task.label}.{task.module}"
        sources = [n for n in (task.value, task.node.get("args")) if n is not None]
        snippet: Snippet | None = None
        for node in sources:
            if node.is_scalar and isinstance(node.value, str):
                snippet = scalar_snippet(node, lines, context)
            elif node.is_map and node.get("cmd") is not None:
                snippet = scalar_snippet(node.get("cmd"), lines, context)  # type: ignore[arg-type]
            elif node.is_map and node.get("argv") is not None:
                snippet = _argv_snippet(node.get("argv"), context)  # type: ignore[arg-type]
            if snippet is not None:
                break
        if snippet is not None:
            snippet = _jinja_placeholders(snippet)
            snippet.task = task.node
            yield snippet


def _argv_snippet(argv: Node, context: str) -> Snippet | None:
    """An ``argv:`` list as one command line, each word quoted and at its own node."""
    words = argv.elements()
    if not words or not all(w.is_scalar for w in words):
        return None
    parts: list[str] = []
    anchors: list[tuple[int, int, int]] = []
    length = 0
    for word in words:
        if parts:
            parts.append(" ")
            length += 1
        quoted = shlex.quote(word.text)
        anchors.append((length + 1, word.span.line, word.span.column))
        parts.append(quoted)
        length += len(quoted)
    first = words[0].span
    return Snippet("".join(parts), [(first.line, first.column - 1)], context, anchors=[anchors])


_JINJA_EXPRESSION = deferred_re.compile(r"\{\{(.*?)\}\}")


def _jinja_placeholders(snippet: Snippet) -> Snippet:
    """Each ``{{ expr }}`` becomes the shell parameter ``${expr}`` that Ansible fills in before the
    command runs (``snippet.interpolations`` remembers the Jinja text), columns anchored."""
    if "{{" not in snippet.text or snippet.anchors is not None:
        return snippet
    lines: list[str] = []
    anchors: list[list[tuple[int, int, int]]] = []
    interpolations: dict[str, str] = {}
    for text, (host_line, offset) in zip(snippet.text.split("\n"), snippet.lines, strict=True):
        out: list[str] = []
        row: list[tuple[int, int, int]] = [(1, host_line, 1 + offset)]
        length, last = 0, 0
        for match in _JINJA_EXPRESSION.finditer(text):
            out.append(text[last : match.start()])
            length += match.start() - last
            name = _placeholder_name(match.group(1).strip())
            interpolations.setdefault(name, "{{ " + match.group(1).strip() + " }}")
            row.append((length + 1, host_line, match.start() + 1 + offset))
            placeholder = "${" + name + "}"
            out.append(placeholder)
            length += len(placeholder)
            last = match.end()
            row.append((length + 1, host_line, last + 1 + offset))
        out.append(text[last:])
        lines.append("".join(out))
        anchors.append(row)
    return Snippet("\n".join(lines), snippet.lines, snippet.context, anchors, interpolations)


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
            if len(argv) >= 3 and program_name(argv[0]) in SHELL_INTERPRETERS and argv[1] == "-c":
                yield Snippet(argv[2], [(ins.span.line, ins.args_span.column - 1)] * (argv[2].count("\n") + 1), context)
            continue
        if ins.heredocs and ins.keyword == "RUN":
            yield from _dockerfile_heredocs(doc, ins, context)
            continue
        text = ins.arguments
        body_start = ins.args_span.line
        lines = [(body_start, ins.args_span.column - 1)] + [(body_start + i, 0) for i in range(1, text.count("\n") + 1)]
        yield Snippet(text, lines, context)


_OPERATORS = frozenset({"&&", "||", ";", "|", "&"})


def _dockerfile_heredocs(doc: DockerfileDocument, ins: Instruction, context: str) -> Iterator[Snippet]:
    """BuildKit heredocs. ``RUN <<EOF`` runs each body as a script, and so does a shell
    reading its one heredoc (``RUN <<EOT bash``, ``RUN <<-EOT sh -e``): the body is the
    snippet, on its own lines. Otherwise (``RUN <<F1 cat > /f1 && <<F2 cat > /f2``,
    ``RUN psql <<EOF``) the bodies are data for the commands of the line. tree-sitter-bash
    reads neither a heredoc before its command nor two heredocs on one line, so the line
    is given to it with each opener right behind its command's name as a here-string of a
    placeholder, and the parsed redirect gets its heredoc back (``Snippet.heredocs``);
    every word keeps its column in the file."""
    from guardrails.parsers.dockerfile import command_words

    line = ins.arguments
    words = command_words(line)
    others = [line[a:b] for a, b, opener in words if not opener]
    if not others or (len(ins.heredocs) == 1 and _shell_reading_stdin(others)):
        for index, (_, body, span) in enumerate(ins.heredocs):
            mapping = [(span.line + i, 0) for i in range(body.count("\n") + 1)]
            yield Snippet(body, mapping, f"{context}.heredoc[{index}]")
        return
    column = ins.args_span.column
    if "\n" in line:  # continued over several lines: left as written, bodies after it
        host = doc.text.split("\n")[ins.args_span.line - 1 : ins.span.end_line]
        host[0] = host[0][column - 1 :]
        mapping = [(ins.args_span.line, column - 1)] + [(ins.args_span.line + i, 0) for i in range(1, len(host))]
        yield Snippet("\n".join(host), mapping, context)
        return
    pieces: list[tuple[int, str]] = []  # (column in the line, text) in the order the shell gets them
    command: list[tuple[int, str]] = []  # the simple command being read
    openers: list[tuple[int, str]] = []  # its heredocs, as here-strings of placeholders
    heredocs: dict[str, tuple[str, str]] = {}
    for start, end, opener in [*words, (len(line), len(line), False)]:
        word = line[start:end]
        if opener:
            key = f"__heredoc_{len(heredocs)}__"
            name, body, _span = ins.heredocs[len(heredocs)]
            heredocs[key] = (name, body)
            openers.append((start, "<<<" + key))
            continue
        if word in _OPERATORS or not word:
            pieces.extend(command[:1] + openers + command[1:])
            command, openers = [], []
            if word:
                pieces.append((start, word))
            continue
        command.append((start, word))
    parts: list[str] = []
    anchors: list[tuple[int, int, int]] = []
    length = 0
    for start, word in pieces:
        if parts:
            parts.append(" ")
            length += 1
        anchors.append((length + 1, ins.args_span.line, column + start))
        parts.append(word)
        length += len(word)
    anchors.append((length + 1, ins.args_span.line, column + len(line)))
    mapping = [(ins.args_span.line, column - 1)]
    yield Snippet("".join(parts), mapping, context, anchors=[anchors], heredocs=heredocs)


def _shell_reading_stdin(words: list[str]) -> bool:
    """``bash``, ``sh -e``, ``/bin/bash -ex``: a shell that runs the script on its standard input."""
    names = [program_name(w) for w in words]
    if names and names[0] == "env":
        names = names[1:]
    if not names or names[0] not in SHELL_INTERPRETERS:
        return False
    return all(w.startswith("-") and "c" not in w.lstrip("-") for w in names[1:])


def _terraform(doc: TerraformDocument) -> Iterator[Snippet]:
    for block in doc.blocks:
        for prov in block.children("provisioner"):
            kind = prov.labels[0] if prov.labels else ""
            context = f"{block.address}.provisioner.{kind}"
            command = prov.get("command")
            if kind == "local-exec" and command is not None and _shell_interpreter(prov):
                snippet = hcl_template_snippet(command.expr, context)
                if snippet is not None:
                    yield snippet
            elif kind == "remote-exec" and prov.get("inline") is not None:
                expr = prov.get("inline").expr  # type: ignore[union-attr]
                items = expr.value if expr.kind == "tuple" else []
                parts = [s for s in (hcl_template_snippet(item, "") for item in items) if s is not None]
                joined = _join(parts, context)
                if joined is not None:
                    yield joined
        for name, needs_shebang in TERRAFORM_SCRIPT_ATTRIBUTES.items():
            attribute = block.get(name)
            if attribute is None:
                continue
            expr = attribute.expr
            if expr.kind == "call" and expr.value in ("base64encode", "base64gzip") and len(expr.args) == 1:
                expr = expr.args[0]
            snippet = hcl_template_snippet(expr, f"{block.address}.{name}")
            if snippet is not None and (not needs_shebang or _shell_shebang(snippet.text)):
                yield snippet


def _shell_interpreter(provisioner: Block) -> bool:
    """``local-exec`` runs its command with ``/bin/sh -c`` unless ``interpreter`` names another program."""
    attribute = provisioner.get("interpreter")
    if attribute is None:
        return True
    words = attribute.expr.literal()
    if not isinstance(words, list) or not words:
        return False
    names = [str(w).replace("\\", "/").rsplit("/", 1)[-1].lower() for w in words]
    if names[0] == "env" and len(names) > 1:
        names = names[1:]
    return names[0] in SHELL_INTERPRETERS


def _shell_shebang(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    if not first.startswith("#!"):
        return False
    words = first[2:].split()
    names = [program_name(w) for w in words]
    if names and names[0] == "env":
        names = names[1:]
    return bool(names) and names[0] in SHELL_INTERPRETERS


# --------------------------------------------------------------------------- HCL templates

_QUOTED_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_TEMPLATE_HOLES = frozenset(
    {
        "template_interpolation",
        "template_if_intro",
        "template_else_intro",
        "template_if_end",
        "template_for_start",
        "template_for_end",
    }
)
_PREFIX = "_ = "


def hcl_template_snippet(expr: Expr, context: str) -> Snippet | None:
    """The shell a Terraform string template renders, as the shell parser should see it.

    Terraform substitutes ``${ expr }`` before the shell runs, so each becomes a shell
    parameter ``${name}`` (``${var.data_dir}`` -> ``${var_data_dir}``): an unknown value,
    read by the shell rules like any unset variable. ``$${X}`` is Terraform's escape for a
    literal ``${X}``, a real shell expansion. A directive (``%{ if }``, ``%{ for }``...)
    writes no text of its own; it only chooses which literal text appears, so it becomes
    nothing and the text of every branch is analysed. Strip markers (``~``) are ignored:
    keeping the line breaks they would remove keeps commands apart. Every character keeps
    its own position in the .tf file (escapes, placeholders and the indentation ``<<-``
    removes shift columns), see ``AnchoredLineMap``.
    """
    source = expr.text
    if expr.kind not in ("literal", "template") or not source.startswith(('"', "<<")):
        return None
    from guardrails.parsers._treesitter import parser

    wrapped = f"{_PREFIX}{source}\n"
    data = wrapped.encode("utf-8", "surrogatepass")
    tree = parser("hcl").parse(data)
    if tree.root_node.has_error:
        return None
    template = _first_node(tree.root_node, ("quoted_template", "string_lit", "heredoc_template"))
    if template is None:
        return None
    chars = _char_index(wrapped, data)
    builder = _TemplateBuilder(wrapped, expr.span, context)
    kids = template.children
    if template.type != "heredoc_template":
        if len(kids) < 2:
            return None
        start, end = chars(kids[0].end_byte), chars(kids[-1].start_byte)
        quoted, strip = True, 0
    else:
        start = wrapped.index("\n", chars(kids[1].end_byte)) + 1
        end = wrapped.rindex("\n", 0, chars(kids[-1].start_byte)) + 1 if kids[-1].type == "heredoc_identifier" else 0
        if end <= start:
            return None
        quoted = False
        strip = (
            _common_indent(wrapped[start:end])
            if kids[0].type == "heredoc_start" and "-" in wrapped[chars(kids[0].start_byte) : chars(kids[0].end_byte)]
            else 0
        )
    holes = sorted((chars(n.start_byte), chars(n.end_byte), n) for n in _holes(template))
    builder.render(start, end, [(a, b, n) for a, b, n in holes if start <= a < end], quoted, strip)
    return builder.snippet()


def _first_node(root: Any, types: tuple[str, ...]) -> Any | None:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in types:
            return node
        stack.extend(reversed(node.children))
    return None


def _holes(template: Any) -> list[Any]:
    found: list[Any] = []
    stack = list(template.children)
    while stack:
        node = stack.pop()
        if node.type in _TEMPLATE_HOLES:
            found.append(node)
        else:
            stack.extend(node.children)
    return found


def _char_index(text: str, data: bytes) -> Any:
    if len(text) == len(data):
        return lambda index: index
    return lambda index: len(data[:index].decode("utf-8", "replace"))


def _common_indent(body: str) -> int:
    indents = [len(line) - len(line.lstrip(" \t")) for line in body.split("\n") if line.strip()]
    return min(indents, default=0)


def _placeholder_name(expression: str) -> str:
    """A shell variable name that reads like the Terraform expression it stands for."""
    name = "_".join(part for part in re.split(r"[^A-Za-z0-9]+", expression) if part)
    if not name or name[0].isdigit():
        name = f"tf_{name}"
    return name


class _TemplateBuilder:
    """Shell text built character by character, each with its position in the host file."""

    def __init__(self, wrapped: str, span: Span, context: str) -> None:
        self.wrapped = wrapped
        self.span = span
        self.context = context
        self.line_starts = [0] + [i + 1 for i, ch in enumerate(wrapped) if ch == "\n"]
        self.lines: list[list[str]] = [[]]
        self.anchors: list[list[tuple[int, int, int]]] = [[]]
        self.starts: list[tuple[int, int]] = []
        self.last: tuple[int, int] | None = None
        self.interpolations: dict[str, str] = {}

    def host(self, index: int) -> tuple[int, int]:
        row = bisect.bisect_right(self.line_starts, index) - 1
        column = index - self.line_starts[row]
        if row == 0:
            return self.span.line, self.span.column + column - len(_PREFIX)
        return self.span.line + row, column + 1

    def emit(self, text: str, index: int) -> None:
        """Append ``text`` whose first character sits at ``index`` of the wrapped source."""
        line, column = self.host(index)
        for offset, ch in enumerate(text):
            if ch == "\n":
                self._close(line, column + offset)
                self.lines.append([])
                self.anchors.append([])
                self.starts.append(self.host(index + 1))
                self.last = None
                continue
            position = (line, column + offset)
            current = self.lines[-1]
            if self.last is None or self.last != (position[0], position[1] - 1):
                self.anchors[-1].append((len(current) + 1, position[0], position[1]))
            current.append(ch)
            self.last = position

    def _close(self, line: int, column: int) -> None:
        """Anchor the end of the current line, so a span ending there maps exactly."""
        if self.last != (line, column - 1):
            self.anchors[-1].append((len(self.lines[-1]) + 1, line, column))

    def render(self, start: int, end: int, holes: list[tuple[int, int, Any]], quoted: bool, strip: int) -> None:
        text = self.wrapped
        i = start
        self.starts = [self.host(start)]
        at_line_start = True
        hole_index = 0
        while i < end:
            if hole_index < len(holes) and holes[hole_index][0] == i:
                _, hole_end, node = holes[hole_index]
                hole_index += 1
                if node.type == "template_interpolation":
                    inner = next((c for c in node.children if c.type == "expression"), None)
                    expression = self._text(inner if inner is not None else node)
                    name = _placeholder_name(expression)
                    self.interpolations.setdefault(name, "${" + expression.strip() + "}")
                    self.emit("${" + name + "}", i)
                i = max(hole_end, i + 1)
                at_line_start = False
                continue
            if at_line_start and strip:
                skipped = 0
                while skipped < strip and i < end and text[i] in " \t":
                    i += 1
                    skipped += 1
                at_line_start = False
                continue
            ch = text[i]
            if ch == "\n":
                self.emit("\n", i)
                at_line_start = True
                i += 1
            elif ch in "$%" and text.startswith(ch * 2 + "{", i):
                self.emit(ch, i + 1)  # $${ and %%{: a literal ${ / %{
                i += 2
            elif quoted and ch == "\\" and i + 1 < end:
                nxt = text[i + 1]
                if nxt in _QUOTED_ESCAPES:
                    self.emit(_QUOTED_ESCAPES[nxt], i + 1)
                    i += 2
                elif nxt in "uU":
                    digits = 4 if nxt == "u" else 8
                    code = text[i + 2 : i + 2 + digits]
                    try:
                        self.emit(chr(int(code, 16)), i)
                        i += 2 + digits
                    except (ValueError, OverflowError):
                        self.emit(ch, i)
                        i += 1
                else:
                    self.emit(ch, i)
                    i += 1
            else:
                self.emit(ch, i)
                i += 1
        self._close(*self.host(end))

    def _text(self, node: Any) -> str:
        data = self.wrapped.encode("utf-8", "surrogatepass")
        return data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def snippet(self) -> Snippet:
        lines = self.lines
        anchors = self.anchors
        while len(lines) > 1 and not lines[-1]:
            lines.pop()
            anchors.pop()
        mapping: list[tuple[int, int]] = []
        for row, (line, column) in zip(anchors, self.starts, strict=False):
            if not row:
                row.append((1, line, column))
            mapping.append((row[0][1], row[0][2] - row[0][0]))
        text = "\n".join("".join(chars) for chars in lines)
        return Snippet(text, mapping, self.context, anchors=anchors, interpolations=self.interpolations)
