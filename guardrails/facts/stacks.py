"""The stack-format layer: what CloudFormation templates and Pulumi YAML programs share.

Both declare named resources with properties, evaluated for the stack that matters
(production), and both answer the same questions: which protection settings are unsafe, which
databases are public and whether the internet reaches them through the security groups, which
search domains are open, which Route 53 records they publish. The readers of those questions
live here once. What differs between the formats is given by each format module
(``guardrails.facts.cloudformation``, ``guardrails.facts.pulumi``): key and type names as data
(a ``StackFormat``), and how an expression is written (``!Ref``/``Fn::GetAtt`` or
``${resource.property}``) as the few methods of its ``StackEvaluator``. A rule asks ``reader``
for the format module of a document (its records, settings and property names) or calls the
shared readers below with the document.
"""

from __future__ import annotations

import builtins
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType
from typing import Any, ClassVar, TypeVar

from guardrails.documents import TreeDocument
from guardrails.facts.network import ALL_PORTS, NO_DATASTORE_BEHIND, is_world, port_range
from guardrails.facts.stateful import STATEFUL_TYPES, plain_value
from guardrails.facts.tf_network import ENGINE_PORTS, REDSHIFT_PORT, Permission, Reach
from guardrails.model import Kind, Node, Span
from guardrails.project import Project
from guardrails.records import Frozen

_R = TypeVar("_R", bound="Resource")


def reader(doc: TreeDocument) -> ModuleType:
    """The facts module of a template or program (each imported only when met: tables cost start-up time)."""
    if doc.kind is Kind.PULUMI:
        from guardrails.facts import pulumi

        return pulumi
    from guardrails.facts import cloudformation

    return cloudformation


def evaluators(doc: TreeDocument, project: Project) -> list[StackEvaluator]:
    """One evaluator per production stack of a template or program, the first one first
    (built once per scan: the format module keeps the template or program)."""
    found: list[StackEvaluator] = reader(doc).evaluators(doc, project)
    return found


def first_scenario(doc: TreeDocument, project: Project) -> StackEvaluator:
    """The evaluator of the first production stack: what a finding on the whole file is judged on."""
    return evaluators(doc, project)[0]


# --------------------------------------------------------------------------- values

#: How deep an expression may nest: expressions naming expressions (conditions, variables) in a
#: cycle make an invalid template or program, but input is hostile.
MAX_DEPTH = 32


class Unknown:
    """A part of a value not known here (shown as ``<...>`` in data)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.text}>"


class Value(Frozen):
    """An evaluated expression: known or not, and the parameter or config origins it came through."""

    known: bool
    value: Any = None
    origins: tuple[str, ...] = ()

    @property
    def via(self) -> str:
        return f" (from {', '.join(dict.fromkeys(self.origins))})" if self.origins else ""

    def as_bool(self) -> bool | None:
        """``"true"``/``"false"`` strings read as booleans: every CloudFormation parameter is a
        string, and a Pulumi config value may be one."""
        if not self.known:
            return None
        if isinstance(self.value, bool):
            return self.value
        if isinstance(self.value, str) and self.value.strip().lower() in ("true", "false"):
            return self.value.strip().lower() == "true"
        return None

    def as_int(self) -> int | None:
        if not self.known or isinstance(self.value, bool):
            return None
        try:
            return int(str(self.value).strip())
        except ValueError:
            return None


def unknown(why: str, origins: tuple[str, ...] = ()) -> Value:
    return Value(False, Unknown(why), origins)


def text(value: Any) -> str:
    """A value as both formats write it in a string: booleans lower-case, nothing empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def written_plain(node: Node, each: Callable[[Node], str]) -> str:
    """A node that is no expression as a reader would quote it; ``each`` quotes a list's items
    (which may be expressions of the format)."""
    if node.is_scalar:
        return node.text if node.raw is not None else text(node.value)
    if node.is_seq:
        return f"[{', '.join(each(a) for a in node.elements())}]"
    return "{...}"


# --------------------------------------------------------------------------- resources


def entries(node: Node | None) -> Iterator[tuple[str, Node, Node]]:
    """(key, key node, value) of a section; nothing when it is missing or not a mapping."""
    if node is not None and node.is_map:
        yield from node.items()


class Resource(Frozen):
    """A declared resource. A format subclasses it to say where an entry writes its type and
    properties (``keys``), and which Terraform type it creates."""

    logical_id: str
    type: str
    key: Node
    node: Node
    path: str

    @staticmethod
    def keys() -> tuple[str, str]:
        """The keys of an entry's type and properties (``Type``, ``Properties``)."""
        raise NotImplementedError

    @classmethod
    def declared(cls: builtins.type[_R], section: Node | None, path: str) -> dict[str, _R]:
        """The resources of a section by logical id: each entry with a type written out."""
        found: dict[str, _R] = {}
        for name, key, node in entries(section):
            rtype = node.get(cls.keys()[0]) if node.is_map else None
            if rtype is not None and rtype.is_scalar:
                found[name] = cls(name, rtype.text, key, node, path)
        return found

    @property
    def properties(self) -> Node | None:
        props = self.node.get(self.keys()[1])
        return props if props is not None and props.is_map else None

    def prop(self, name: str) -> Node | None:
        props = self.properties
        return props.get(name) if props is not None else None

    @property
    def span(self) -> Span:
        return Span.point(self.key.span.line, self.key.span.column)

    @property
    def terraform_type(self) -> str | None:
        """The Terraform type creating the same thing (the tables of ``guardrails.facts.stateful``)."""
        raise NotImplementedError

    def is_a(self, *types: str) -> bool:
        """Whether the resource is of one of ``types``, named as the format's tables name them."""
        raise NotImplementedError

    @property
    def user_type(self) -> str:
        """What a security group's user is, in the Terraform names of ``NO_DATASTORE_BEHIND``."""
        return self.terraform_type or self.type

    def describe(self) -> str:
        """``db (RDS DB instance)``."""
        tf_type = self.terraform_type or ""
        entry = STATEFUL_TYPES.get(tf_type)
        what = entry[0] if entry else "Aurora DB instance" if tf_type == "aws_rds_cluster_instance" else self.type
        return f"{self.logical_id} ({what})"


# --------------------------------------------------------------------------- what differs, as data


class Ingress(Frozen):
    """Where a format writes security groups and their ingress rules."""

    group: str  # the security group type
    inline: str  # its list of inline rules
    standalone: tuple[str, ...]  # types of a rule declared on its own
    group_keys: tuple[str, ...]  # where such a rule names its group (the first written counts)
    direction: tuple[str, str] | None  # (type, key): a rule of that type admits only when ``key`` says ingress
    plumbing: frozenset[str]  # types that name a group without listening behind it
    protocol: tuple[str, ...]  # where a rule names its protocol (the first written counts)
    all_protocols: frozenset[str]  # protocol names meaning every protocol and port
    keeps_other_protocols: bool  # a UDP or ICMP rule stays a permission (with no TCP port)
    sources: tuple[str, ...]  # address ranges
    named_sources: tuple[str, ...]  # another group or a prefix list instead of addresses
    from_port: str
    to_port: str


class Databases(Frozen):
    """Where a format writes what makes a database public and what guards it."""

    types: tuple[str, ...]  # RDS instances (Aurora ones included) and Redshift clusters
    publicly_accessible: str
    security_groups: tuple[str, ...]  # where the groups are attached (the first written counts)
    cluster: str  # where an Aurora instance names its cluster
    port: str
    engine: str


class SearchDomains(Frozen):
    """Where a format writes a search domain's policy and what keeps it off the internet."""

    types: tuple[str, ...]
    access_policies: str
    vpc_options: str
    security: str  # fine-grained access control, on when its ``enabled`` key is true
    enabled: str


class RecordKeys(Frozen):
    """Where a format writes a Route 53 record and its hosted zone."""

    name: str
    type: str
    ttl: str
    records: str
    alias: str
    routing: tuple[str, ...]  # properties that make a record part of a routing policy or health-checked
    zone_id: str
    zone_name: str  # the zone named by name instead ('' when the format has no such key)
    zone_type: str
    zone_label: str  # the zone resource's name
    zone_vpcs: str  # what makes the zone private
    relative_names: bool  # a name may be relative to its zone (``www`` in ``example.com``)


class StackFormat(Frozen):
    """Everything the shared readers need to know of a format's names."""

    noun: str  # what a reason calls the file: "template", "program"
    ingress: Ingress
    databases: Databases
    search: SearchDomains
    records: RecordKeys


def first_key(node: Node, keys: tuple[str, ...]) -> Node | None:
    """The value of the first of ``keys`` written in a mapping."""
    return next((found for found in (node.get(key) for key in keys) if found is not None), None)


# --------------------------------------------------------------------------- evaluation


class StackEvaluator(ABC):
    """A format's expressions evaluated for one stack, and what the shared readers ask of them."""

    FORMAT: ClassVar[StackFormat]

    def __init__(self, resources: Mapping[str, Resource]) -> None:
        self.resources = resources

    def value(self, node: Node | None, depth: int = 0) -> Value:
        """The value of a node in this stack: an absent one (None) is known to be nothing."""
        if node is None:
            return Value(True, None)
        if depth > MAX_DEPTH:
            return unknown("too deep")
        return self.evaluate(node, depth)

    @abstractmethod
    def evaluate(self, node: Node, depth: int) -> Value:
        """The value of a node, by the format's expressions (``value`` guards absence and depth)."""

    @abstractmethod
    def data(self, node: Node, depth: int = 0) -> Any:
        """Plain data with every expression evaluated, unknown parts as ``<...>`` placeholders."""

    @abstractmethod
    def is_expression(self, node: Node) -> bool:
        """Whether a node is an expression of the format rather than a value written out."""

    @abstractmethod
    def written(self, node: Node) -> str:
        """A node as a reader would quote it in a message."""

    @abstractmethod
    def refers_to(self, node: Node | None) -> str:
        """The logical id a reference names (the resource itself or one of its attributes), else ''."""

    @abstractmethod
    def identifier_of(self, node: Node | None) -> str:
        """The logical id of the resource whose identifier a node is, else ''."""

    @abstractmethod
    def zone_servers(self, node: Node) -> str | None:
        """The label of a hosted zone's own name servers when ``node`` is an expression reading
        them: '' for another expression, None for a value written out."""

    @abstractmethod
    def setting_of(self, resource: Resource, path: str, default: Any, unsafe: Callable[[Any], bool]) -> Setting | None:
        """The setting at a Terraform attribute ``path`` of a resource when unsafe in this stack
        (``unsafe_setting``), as the format writes it; None too for a resource the format leaves
        out of the judgement (a read replica)."""

    def passed_in(self, node: Node) -> str:
        """The parameter a node passes a resource's identifier in through, else ''."""
        return ""

    def exists(self, resource: Resource) -> bool:
        """False only where the format can tell that the resource is not created in this stack."""
        return True

    def absent(self, value: Any) -> bool:
        """Whether an evaluated value stands for a property not written (``AWS::NoValue``)."""
        return False

    def item_text(self, value: Any) -> str:
        """A known item of a list of strings as a string."""
        return text(value)

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.is_a(*types)]

    def items(self, node: Node) -> list[Node]:
        """A list written out as its items; anything else (an expression too) as one item."""
        return node.elements() if node.is_seq and not self.is_expression(node) else [node]

    def strings(self, node: Node | None) -> tuple[list[str], list[str]]:
        """A string or list of strings: (known values, unknown items as written)."""
        if node is None:
            return [], []
        known: list[str] = []
        missing: list[str] = []
        for item in self.items(node):
            found = self.value(item)
            if not found.known:
                missing.append(self.written(item))
            elif isinstance(found.value, list):
                known.extend(str(v) for v in found.value)
            elif found.value is not None and not self.absent(found.value):
                known.append(self.item_text(found.value))
        return known, missing


# --------------------------------------------------------------------------- protection settings


class Setting(Frozen):
    """A protection property of one resource, unsafe in a production stack. ``where`` reads
    after the property's name: ``= false``, ``is not set (default false)``, ``= !Ref Protect,
    which is false (from Protect in params/prod.json)``."""

    resource: Resource
    name: str
    span: Span
    value: Any
    where: str
    absent: bool = False  # not written: the default applies

    @property
    def anchor(self) -> str:
        return f"{self.resource.logical_id}.{self.name}"

    @property
    def related(self) -> list[dict[str, Any]]:
        """Nothing elsewhere to point at: a template finding is where the value is written."""
        return []

    def describe(self) -> str:
        return self.resource.describe()


def unsafe_settings(
    doc: TreeDocument, project: Project, paths: dict[str, str], default: Any, unsafe: Callable[[Any], bool]
) -> Iterator[Setting]:
    """Every resource of a Terraform type in ``paths`` (type -> attribute path) whose setting is
    unsafe in a production stack: the first such stack's. Absent, the ``default`` applies (None:
    unknown when absent)."""
    found = evaluators(doc, project)
    for resource in found[0].resources.values():
        tf_type = resource.terraform_type
        if tf_type is None or tf_type not in paths:
            continue
        for evaluator in found:
            setting = evaluator.setting_of(resource, paths[tf_type], default, unsafe)
            if setting is not None:
                yield setting
                break


def unsafe_setting(
    evaluator: StackEvaluator,
    resource: Resource,
    name: str,
    node: Node | None,
    default: Any,
    unsafe: Callable[[Any], bool],
) -> Setting | None:
    """The property ``name`` of a resource (written at ``node``, None when absent) when unsafe
    in this stack. Absent, the ``default`` applies (None: unknown when absent)."""
    found = evaluator.value(node)
    if not found.known:
        return None
    value = plain_value(found)
    if node is None or evaluator.absent(value):
        if default is None or not unsafe(default):
            return None
        span = Span.point(node.span.line, node.span.column) if node is not None else resource.span
        return Setting(resource, name, span, default, f"is not set (default {text(default)})", absent=True)
    if not unsafe(value):
        return None
    if evaluator.is_expression(node):
        where = f"= {evaluator.written(node)}, which is {text(value)}{found.via}"
    else:
        where = f"= {text(value)}"
    return Setting(resource, name, node.span, value, where)


# --------------------------------------------------------------------------- security groups

_TCP = {"tcp", "6", "-1", "all"}


def permissions(doc: TreeDocument, project: Project) -> list[Permission]:
    """Every ingress permission of the security groups of a template or program (inline and
    standalone rules) in its first production stack, with the sources that are the whole internet."""
    return _permissions(first_scenario(doc, project))


def _permissions(evaluator: StackEvaluator) -> list[Permission]:
    keys = evaluator.FORMAT.ingress
    found: list[Permission] = []
    for resource in evaluator.of_type(keys.group):
        if not evaluator.exists(resource):
            continue
        inline = resource.prop(keys.inline)
        for index, rule in enumerate(inline.elements() if inline is not None and inline.is_seq else []):
            if rule.is_map:
                found.extend(_permission(evaluator, resource, rule, resource.logical_id, f"ingress[{index}]"))
    for resource in evaluator.of_type(*keys.standalone):
        props = resource.properties
        if props is None or not evaluator.exists(resource):
            continue
        if keys.direction is not None and resource.is_a(keys.direction[0]):
            direction = evaluator.value(props.get(keys.direction[1]))
            if direction.known and direction.value != "ingress":
                continue
        group = evaluator.refers_to(first_key(props, keys.group_keys)) or resource.logical_id
        found.extend(_permission(evaluator, resource, props, group, "ingress"))
    return found


def _permission(evaluator: StackEvaluator, resource: Resource, rule: Node, group: str, anchor: str) -> list[Permission]:
    keys = evaluator.FORMAT.ingress
    protocol = evaluator.value(first_key(rule, keys.protocol))
    name = text(protocol.value).lower() if protocol.known else None
    if name is not None and name not in _TCP and not keys.keeps_other_protocols:
        return []  # udp, icmp: no datastore connection gets in
    world: list[str] = []
    unresolved: list[str] = []
    origins: list[str] = []
    span = rule.span
    for key in keys.sources:
        node = rule.get(key)
        known, missing = evaluator.strings(node)
        unresolved.extend(missing)
        if node is not None and any(is_world(v) for v in known):
            world.extend(v for v in known if is_world(v))
            origins.extend(evaluator.value(node).origins)
            key_node = rule.key_node(key)
            span = key_node.span if key_node is not None else span
    if any(rule.get(key) is not None for key in keys.named_sources):
        world, unresolved = [], []
    return [
        Permission(
            origins=tuple(dict.fromkeys(origins)),
            group=group,
            owner=resource.logical_id,
            path=resource.path,
            line=rule.span.line,
            ports=_ports(evaluator, rule, name),
            world=tuple(world),
            unknown=tuple(unresolved),
            span=span,
            anchor=anchor,
        )
    ]


def _ports(evaluator: StackEvaluator, rule: Node, protocol: str | None) -> tuple[int, int] | None:
    keys = evaluator.FORMAT.ingress
    if protocol is None:
        return None
    if protocol in keys.all_protocols:
        return ALL_PORTS
    if protocol not in _TCP:
        return (-1, -1)  # udp, icmp: no TCP port
    low = evaluator.value(rule.get(keys.from_port)).as_int()
    high = evaluator.value(rule.get(keys.to_port)).as_int()
    if low is None or high is None:
        return None
    if low == -1 and high == -1:
        return ALL_PORTS
    return port_range(f"{low}-{high}")


def load_balancer_groups(doc: TreeDocument, project: Project) -> set[str]:
    """Security groups of a template or program that only load balancers and functions use
    (rules naming them aside): they guard no datastore."""
    evaluator = first_scenario(doc, project)
    keys = evaluator.FORMAT.ingress
    users: dict[str, set[str]] = {}
    for resource in evaluator.resources.values():
        if resource.is_a(*keys.plumbing):
            continue
        for node in resource.node.walk():
            target = evaluator.refers_to(node)
            if target:
                users.setdefault(target, set()).add(resource.user_type)
    groups = {r.logical_id for r in evaluator.of_type(keys.group)}
    return {g for g in groups if users.get(g) and users[g] <= NO_DATASTORE_BEHIND}


# --------------------------------------------------------------------------- public databases


class PublicDatabase(Frozen):
    """A database with ``PubliclyAccessible`` true in production, and whether the internet reaches it."""

    resource: Resource
    node: Node
    value: Value
    reach: Reach


def public_databases(doc: TreeDocument, project: Project) -> Iterator[PublicDatabase]:
    """RDS instances (Aurora ones included) and Redshift clusters whose ``PubliclyAccessible``
    is true in a production stack, with their reach through the security groups of the first."""
    found = evaluators(doc, project)
    keys = found[0].FORMAT.databases
    groups = _permissions(found[0])
    for resource in found[0].of_type(*keys.types):
        node = resource.prop(keys.publicly_accessible)
        if node is None:
            continue
        for evaluator in found:
            value = evaluator.value(node)
            if evaluator.exists(resource) and value.as_bool() is True:
                yield PublicDatabase(resource, node, value, database_reach(resource, evaluator, groups))
                break


def database_reach(resource: Resource, evaluator: StackEvaluator, groups: list[Permission]) -> Reach:
    """Whether the internet reaches an RDS instance or Redshift cluster on its port, through the
    security groups attached to it (an Aurora instance's: its cluster's)."""
    noun, keys = evaluator.FORMAT.noun, evaluator.FORMAT.databases
    holder = resource
    if resource.terraform_type == "aws_rds_cluster_instance":
        cluster = evaluator.resources.get(evaluator.identifier_of(resource.prop(keys.cluster)))
        if cluster is None:
            return Reach(None, f"its cluster is not defined in this {noun}, so its security groups cannot be told here")
        holder = cluster
    port = _database_port(resource, holder, evaluator)
    node = next((found for found in (holder.prop(k) for k in keys.security_groups) if found is not None), None)
    if node is None:
        return Reach(False, "no security group is attached, and the VPC default group admits only its own members")
    names: list[str] = []
    # A group passed in (a template's parameter: ``!Ref SgId``) is defined elsewhere, but a
    # standalone ingress of the stack (``GroupId: !Ref SgId``) still adds its rules to it.
    passed: list[str] = []
    outside: list[str] = []
    for item in evaluator.items(node):
        target = evaluator.refers_to(item)
        if target in evaluator.resources:
            names.append(target)
        else:
            outside.append(evaluator.written(item))
            parameter = evaluator.passed_in(item)
            if parameter:
                passed.append(parameter)
    on = f"port {port}" if port is not None else "its port"
    maybe: list[str] = []
    for permission in groups:
        if permission.group not in names and permission.group not in passed:
            continue
        hit = None if permission.ports is None or port is None else permission.covers(port)
        if hit is False:
            continue
        if permission.world and hit:
            return Reach(
                True,
                f"security group {permission.group} admits {', '.join(sorted(set(permission.world)))} on {on} "
                f"({permission.path}:{permission.line})",
            )
        if permission.world or permission.unknown:
            maybe.append(f"{permission.where} admits sources or ports not known here")
    if outside:
        return Reach(
            None,
            f"its security groups ({', '.join(outside)}) are not defined in this {noun}, so whether they admit "
            f"0.0.0.0/0 on {on} cannot be told here",
        )
    if maybe:
        return Reach(None, f"whether the internet reaches {on} cannot be told here: {'; '.join(maybe)}")
    return Reach(False, f"{', '.join(names)} admit no internet source on {on}")


def _database_port(resource: Resource, holder: Resource, evaluator: StackEvaluator) -> int | None:
    keys = evaluator.FORMAT.databases
    for source in (holder, resource):
        port = evaluator.value(source.prop(keys.port)).as_int()
        if port is not None:
            return port
    if resource.terraform_type == "aws_redshift_cluster":
        return REDSHIFT_PORT
    for source in (resource, holder):
        engine = evaluator.value(source.prop(keys.engine))
        if engine.known and engine.value is not None:
            for prefix, number in ENGINE_PORTS:
                if str(engine.value).lower().startswith(prefix):
                    return number
    return None


# --------------------------------------------------------------------------- search domains


def public_search_policies(doc: TreeDocument, project: Project) -> Iterator[tuple[Resource, Node, Any]]:
    """(domain, access policies key, the policy as data) for OpenSearch and Elasticsearch domains
    with a public endpoint (no VPC options) and no fine-grained access control in the first
    production stack; unknown parts of the policy are placeholders."""
    evaluator = first_scenario(doc, project)
    keys = evaluator.FORMAT.search
    for resource in evaluator.of_type(*keys.types):
        node = resource.prop(keys.access_policies)
        if node is None or resource.prop(keys.vpc_options) is not None:
            continue
        security = resource.prop(keys.security)
        enabled = security.get(keys.enabled) if security is not None else None
        if not evaluator.exists(resource) or evaluator.value(enabled).as_bool():
            continue
        policy = evaluator.data(node)
        if isinstance(policy, str):
            try:
                policy = json.loads(policy)
            except ValueError:
                continue
        yield resource, resource.properties.key_node(keys.access_policies) or node, policy  # type: ignore[union-attr]


# --------------------------------------------------------------------------- Route 53


class Record(Frozen):
    """One Route 53 record as production gets it (a CloudFormation RecordSet or one entry of a
    RecordSetGroup, a Pulumi ``aws:route53:Record``)."""

    resource: Resource
    node: Node  # the mapping holding the name, type, TTL...
    label: str  # ``WwwRecord`` or ``Records.RecordSets[1]``
    name: str  # the owner name, '' when unknown
    type: str  # '' when unknown
    zone: str  # the hosted zone's name, '' when unknown
    private_zone: bool
    ttl: Value
    answers: list[str]
    keys: RecordKeys

    @property
    def routing(self) -> bool:
        return any(self.node.get(p) is not None for p in self.keys.routing)

    @property
    def alias(self) -> bool:
        return self.node.get(self.keys.alias) is not None

    @property
    def ttl_node(self) -> Node | None:
        return self.node.get(self.keys.ttl)

    @property
    def name_key(self) -> Node | None:
        return self.node.key_node(self.keys.name)

    @property
    def records_key(self) -> Node | None:
        return self.node.key_node(self.keys.records)


def record(evaluator: StackEvaluator, resource: Resource, props: Node, node: Node, label: str) -> Record:
    """The record written at ``node`` of a resource whose properties (naming the zone) are ``props``."""
    keys = evaluator.FORMAT.records
    name = evaluator.value(node.get(keys.name))
    rtype = evaluator.value(node.get(keys.type))
    zone, private = _zone(evaluator, props)
    answers, _ = evaluator.strings(node.get(keys.records))
    owner = text(name.value).rstrip(".").lower() if name.known else ""
    ttl = node.get(keys.ttl)
    return Record(
        resource,
        node,
        label,
        _fqdn(owner, zone) if keys.relative_names else owner,
        text(rtype.value).upper() if rtype.known else "",
        zone,
        private,
        evaluator.value(ttl) if ttl is not None else unknown("no TTL"),
        answers,
        keys,
    )


def _zone(evaluator: StackEvaluator, props: Node) -> tuple[str, bool]:
    """The hosted zone's name and whether it is private (a zone of this stack with VPCs)."""
    keys = evaluator.FORMAT.records
    target = evaluator.resources.get(evaluator.identifier_of(props.get(keys.zone_id)))
    if target is not None and target.is_a(keys.zone_type):
        name = evaluator.value(target.prop(keys.zone_label))
        return (text(name.value).rstrip(".").lower() if name.known else ""), target.prop(keys.zone_vpcs) is not None
    by_name = evaluator.value(props.get(keys.zone_name) if keys.zone_name else None)
    return (text(by_name.value).rstrip(".").lower() if by_name.known and by_name.value else ""), False


def _fqdn(name: str, zone: str) -> str:
    """A record's name as Route 53 completes it: ``www`` in zone ``example.com`` is ``www.example.com``."""
    if not zone or not name or name == zone or name.endswith("." + zone):
        return name
    return f"{name}.{zone}"


def nameservers(record: Record, evaluator: StackEvaluator) -> list[tuple[str, str, bool]] | None:
    """An NS record's servers as (label, provider, a whole zone list), None when any is unknown.
    The name servers of a hosted zone of the stack are Route 53's four servers."""
    node = record.node.get(record.keys.records)
    if node is None:
        return None
    zone = evaluator.zone_servers(node)
    if zone is not None:
        return [(zone, "Amazon Route 53", True)] if zone else None
    known, missing = evaluator.strings(node)
    if missing or not known:
        return None
    return [(host, "", False) for host in known]
