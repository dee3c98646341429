"""The document model and findings shared by parsers, rules and reporters.

Kept free of third-party imports so that loading the rule catalog stays cheap.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterator
from typing import Any

from guardrails.records import Frozen, Record

# The word every inline suppression holds (``guardrails: ignore[...]``): a file whose text lacks
# it holds none, which the stages that read suppressions test before paying for them.
SUPPRESSION_MARKER = "guardrails"


class Severity(enum.IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


class Category(str, enum.Enum):
    DESTRUCTIVE_OPERATION = "destructive-operation"
    EXPOSED_DATASTORE = "exposed-datastore"
    SHORT_DNS_TTL = "short-dns-ttl"
    DNS_SINGLE_POINT_OF_FAILURE = "dns-single-point-of-failure"
    SHARED_ENVIRONMENT_SECRET = "shared-environment-secret"
    UNPARSEABLE_INPUT = "unparseable-input"


class Kind(str, enum.Enum):
    """What a file is, decided from its name, shebang and (for YAML) content."""

    TERRAFORM = "terraform"
    TERRAFORM_JSON = "terraform-json"
    TFVARS = "tfvars"
    TERRAFORM_PLAN = "terraform-plan"
    KUBERNETES = "kubernetes"
    HELM_VALUES = "helm-values"
    COMPOSE = "compose"
    DOCKERFILE = "dockerfile"
    GITHUB_ACTIONS = "github-actions"
    GITLAB_CI = "gitlab-ci"
    YAML = "yaml"
    JSON = "json"
    SHELL = "shell"
    PYTHON = "python"
    SQL = "sql"
    MAKEFILE = "makefile"
    DOTENV = "dotenv"
    ZONE = "zone"
    RESOLV_CONF = "resolv-conf"
    DOCKER_DAEMON = "docker-daemon"
    REDIS_CONF = "redis-conf"
    MONGOD_CONF = "mongod-conf"
    POSTGRESQL_CONF = "postgresql-conf"
    PG_HBA = "pg-hba"
    MYSQL_CNF = "mysql-cnf"
    ELASTICSEARCH_YML = "elasticsearch-yml"
    NETPLAN = "netplan"
    RESOLVED_CONF = "resolved-conf"
    COREFILE = "corefile"
    DNSMASQ_CONF = "dnsmasq-conf"
    ANSIBLE = "ansible"
    OCTODNS_CONFIG = "octodns-config"
    OCTODNS_ZONE = "octodns-zone"
    DNSCONTROL = "dnscontrol"
    CLOUDFORMATION = "cloudformation"
    PULUMI = "pulumi"
    PULUMI_STACK = "pulumi-stack"
    NAMED_CONF = "named-conf"
    ANSIBLE_INVENTORY = "ansible-inventory"


# Kinds a YAML file is found to be once parsed (guardrails.detect.refine), whatever its name.
REFINED_KINDS = frozenset(
    {
        Kind.KUBERNETES,
        Kind.COMPOSE,
        Kind.ANSIBLE,
        Kind.OCTODNS_CONFIG,
        Kind.OCTODNS_ZONE,
        Kind.MONGOD_CONF,
        Kind.NETPLAN,
        Kind.CLOUDFORMATION,
        Kind.PULUMI,
    }
)


class Span(Frozen):
    """A region of a file: 1-based lines and columns, end inclusive of the last line."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int = 1) -> Span:
        return cls(line, column, line, column)


class Node(Record):
    """A positioned tree node for YAML and JSON: a mapping, a sequence or a scalar.

    ``value`` is a list of (key, value) node pairs for a mapping, a list of nodes for
    a sequence, and the resolved Python value for a scalar; ``raw`` keeps a scalar's
    source text (before YAML 1.1 typing turns ``22:22`` into 1342).
    """

    __slots__ = ("kind", "raw", "span", "tag", "value")

    def __init__(self, kind: str, value: Any, span: Span, raw: str | None = None, tag: str = "") -> None:
        self.kind = kind
        self.value = value
        self.span = span
        self.raw = raw
        self.tag = tag

    @property
    def is_map(self) -> bool:
        return self.kind == "map"

    @property
    def is_seq(self) -> bool:
        return self.kind == "seq"

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"

    def get(self, key: str) -> Node | None:
        """The value node under ``key`` in a mapping (None elsewhere)."""
        if self.kind != "map":
            return None
        for k, v in self.value:
            if k.kind == "scalar" and k.text == key:
                return v
        return None

    def key_node(self, key: str) -> Node | None:
        if self.kind != "map":
            return None
        for k, _ in self.value:
            if k.kind == "scalar" and k.text == key:
                return k
        return None

    def path(self, *keys: str | int) -> Node | None:
        """Follow mapping keys and sequence indexes; None as soon as one is missing."""
        node: Node | None = self
        for key in keys:
            if node is None:
                return None
            if isinstance(key, int):
                node = node.value[key] if node.kind == "seq" and -len(node.value) <= key < len(node.value) else None
            else:
                node = node.get(key)
        return node

    def items(self) -> Iterator[tuple[str, Node, Node]]:
        """(key text, key node, value node) for each entry of a mapping."""
        if self.kind == "map":
            for k, v in self.value:
                yield k.text, k, v

    def elements(self) -> list[Node]:
        return list(self.value) if self.kind == "seq" else []

    @property
    def text(self) -> str:
        """A scalar as the string a tool would read: raw source text for scalars."""
        if self.kind != "scalar":
            return ""
        if self.raw is not None:
            return self.raw
        return "" if self.value is None else str(self.value)

    def to_python(self) -> Any:
        """Plain Python data (dicts, lists, scalars)."""
        if self.kind == "map":
            return {k.text: v.to_python() for k, v in self.value}
        if self.kind == "seq":
            return [v.to_python() for v in self.value]
        return self.value

    def walk(self) -> Iterator[Node]:
        yield self
        if self.kind == "map":
            for k, v in self.value:
                yield k
                yield from v.walk()
        elif self.kind == "seq":
            for v in self.value:
                yield from v.walk()


class LineMap(Record):
    """Where the lines of an embedded document sit in its host file.

    Entry ``i`` is (host line, column offset) of the embedded document's line ``i + 1``.
    """

    __slots__ = ("lines",)

    def __init__(self, lines: list[tuple[int, int]]) -> None:
        self.lines = lines

    def to_host(self, span: Span) -> Span:
        def conv(line: int, column: int) -> tuple[int, int]:
            if not self.lines:
                return line, column
            host_line, offset = self.lines[min(max(line, 1), len(self.lines)) - 1]
            return host_line, column + offset

        line, column = conv(span.line, span.column)
        end_line, end_column = conv(span.end_line, span.end_column)
        return Span(line, column, end_line, end_column)


class Document(Record):
    """One parsed input. Format-specific parsers subclass it with their own payload.

    ``children`` are embedded documents (shell inside a Dockerfile RUN, a CI step,
    a Makefile recipe...), each with a ``line_map`` back to this host file and a
    ``context`` label that says where it came from.
    """

    __slots__ = ("children", "context", "kind", "line_map", "parent", "path", "text")

    def __init__(
        self,
        path: str,
        kind: Kind,
        text: str,
        children: list[Document] | None = None,
        parent: Document | None = None,
        line_map: LineMap | None = None,
        context: str = "",
    ) -> None:
        self.path = path
        self.kind = kind
        self.text = text
        self.children: list[Document] = [] if children is None else children
        self.parent = parent
        self.line_map = line_map
        self.context = context

    @property
    def host(self) -> Document:
        doc = self
        while doc.parent is not None:
            doc = doc.parent
        return doc

    def host_span(self, span: Span) -> Span:
        """Translate a span of this document into the span in the file on disk."""
        doc: Document = self
        while doc.parent is not None and doc.line_map is not None:
            span = doc.line_map.to_host(span)
            doc = doc.parent
        return span

    def iter_tree(self) -> Iterator[Document]:
        yield self
        for child in self.children:
            yield from child.iter_tree()


class ParseError(Exception):
    """Raised by a parser when a file of a supported kind cannot be read as that kind."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(line, 1)
        self.column = max(column, 1)


class Incident(Frozen):
    title: str
    date: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "date": self.date, "url": self.url}


class Safety(str, enum.Enum):
    """Whether applying a fix leaves the running system as it is (SAFE: protection added, as
    deletion protection or a final snapshot) or changes its behaviour (UNSAFE: a TTL raised,
    a port no longer published)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class Edit(Frozen):
    """Replace ``span`` of ``path`` (columns in characters, end exclusive; an empty span
    inserts) with ``replacement``: positions are those of the text the parser read, and
    the edit is applied to the file's bytes around them, never to a re-serialised file."""

    path: str
    span: Span
    replacement: str


class Fix(Frozen):
    """What a rule offers to change so that its finding goes away: data on the finding,
    applied (or not) by ``guardrails.fix`` after suppressions and the baseline."""

    description: str
    safety: Safety
    edits: tuple[Edit, ...]


class Finding(Record):
    # ``sensitive``: the reported span holds a secret value, and reporters must not
    # reproduce the source there.
    __slots__ = (
        "anchor",
        "category",
        "fix",
        "incident",
        "message",
        "path",
        "related",
        "remediation",
        "rule_id",
        "rule_name",
        "sensitive",
        "severity",
        "span",
        "suppressed",
    )

    def __init__(
        self,
        rule_id: str,
        rule_name: str,
        category: Category,
        severity: Severity,
        path: str,
        span: Span,
        message: str,
        remediation: str,
        incident: Incident | None,
        anchor: str,
        suppressed: str | None = None,
        related: list[dict[str, Any]] | None = None,
        sensitive: bool = False,
        fix: Fix | None = None,
    ) -> None:
        self.rule_id = rule_id
        self.rule_name = rule_name
        self.category = category
        self.severity = severity
        self.path = path
        self.span = span
        self.message = message
        self.remediation = remediation
        self.incident = incident
        self.anchor = anchor
        self.suppressed = suppressed
        self.related: list[dict[str, Any]] = [] if related is None else related
        self.sensitive = sensitive
        self.fix = fix

    @property
    def fingerprint(self) -> str:
        """Stable across line shifts: rule, path and logical anchor only."""
        key = "\x1f".join((self.rule_id, self.path, self.anchor))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.column, self.rule_id, self.anchor)


class SkippedFile(Frozen):
    """A file seen but not analysed, listed in every report so nothing vanishes silently."""

    path: str
    reason: str
    detail: str = ""
