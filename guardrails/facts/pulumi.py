"""Pulumi YAML programs and their stack configurations (``Pulumi.<stack>.yaml``).

A program (``Pulumi.yaml`` with ``runtime: yaml``, or ``Main.yaml``) declares ``resources`` by
type token (``aws:rds:Instance``, ``aws:rds/instance:Instance``) with ``properties`` and
``options``. Pulumi's AWS and Google Cloud providers are bridged from the Terraform providers:
each type is a Terraform resource type and each property its attribute in camelCase, with the
same defaults (Pulumi Registry, "aws" and "gcp" package API docs: every resource page names the
Terraform resource it wraps). So ``TERRAFORM_TYPES`` maps type tokens onto the Terraform types of
``guardrails.facts.stateful`` and ``camel`` the attribute paths, and the rules that read a
Terraform attribute read the Pulumi property without a table of their own.

A program is evaluated the way ``pulumi up`` would for the stack that matters: each production
stack file beside it (``Pulumi.prod.yaml``), its ``config`` values over the program's defaults;
without one, the defaults. ``${name}`` reads a config value or a variable, ``${pulumi.stack}``
the stack's name; ``${resource.property}``, ``fn::invoke`` and a config value with no default
and no stack value are unknown, and nothing is reported on them. ``secure:`` values are
ciphertext: never read, never compared (Pulumi docs, "Configuration" and "Pulumi YAML reference").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any

from guardrails.detect import is_pulumi_stack
from guardrails.documents import TreeDocument
from guardrails.facts.cloudformation import PublicDatabase, Setting, Value
from guardrails.facts.network import ALL_PORTS, NO_DATASTORE_BEHIND, is_world, port_range
from guardrails.facts.stateful import (
    CLOUDSQL_REPLICA_BLOCK,
    CLOUDSQL_REPLICA_TYPE,
    REPLICA_SOURCES,
    STATEFUL_TYPES,
    names_production,
)
from guardrails.facts.tf_network import ENGINE_PORTS, REDSHIFT_PORT, Permission, Reach
from guardrails.model import Node, Span
from guardrails.project import Project
from guardrails.records import Frozen

#: Pulumi type token (module without its ``/file`` part) -> the Terraform resource type it wraps
#: (Pulumi Registry, each resource's API docs: "aws.rds.Instance ... aws_db_instance").
TERRAFORM_TYPES: dict[str, str] = {
    "aws:rds:Instance": "aws_db_instance",
    "aws:rds:Cluster": "aws_rds_cluster",
    "aws:rds:ClusterInstance": "aws_rds_cluster_instance",
    "aws:rds:GlobalCluster": "aws_rds_global_cluster",
    "aws:docdb:Cluster": "aws_docdb_cluster",
    "aws:docdb:ElasticCluster": "aws_docdb_elastic_cluster",
    "aws:neptune:Cluster": "aws_neptune_cluster",
    "aws:redshift:Cluster": "aws_redshift_cluster",
    "aws:dynamodb:Table": "aws_dynamodb_table",
    "aws:elasticache:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:memorydb:Cluster": "aws_memorydb_cluster",
    "aws:opensearch:Domain": "aws_opensearch_domain",
    "aws:elasticsearch:Domain": "aws_elasticsearch_domain",
    "aws:qldb:Ledger": "aws_qldb_ledger",
    "aws:s3:Bucket": "aws_s3_bucket",
    "aws:s3:BucketV2": "aws_s3_bucket",
    "aws:ebs:Volume": "aws_ebs_volume",
    "aws:efs:FileSystem": "aws_efs_file_system",
    "aws:backup:Vault": "aws_backup_vault",
    "aws:kms:Key": "aws_kms_key",
    "aws:ec2:SecurityGroup": "aws_security_group",
    "aws:ec2:SecurityGroupRule": "aws_security_group_rule",
    "aws:vpc:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:route53:Record": "aws_route53_record",
    "aws:route53:Zone": "aws_route53_zone",
    "aws:lb:LoadBalancer": "aws_lb",
    "aws:alb:LoadBalancer": "aws_lb",
    "aws:elb:LoadBalancer": "aws_elb",
    "aws:lambda:Function": "aws_lambda_function",
    "gcp:sql:DatabaseInstance": "google_sql_database_instance",
    "gcp:storage:Bucket": "google_storage_bucket",
    "gcp:spanner:Instance": "google_spanner_instance",
    "gcp:spanner:Database": "google_spanner_database",
    "gcp:bigtable:Instance": "google_bigtable_instance",
    "gcp:alloydb:Cluster": "google_alloydb_cluster",
}
#: Terraform attributes that matter only when the resource is deleted: ``options.protect``
#: (Pulumi refuses to delete the resource) and ``options.retainOnDelete`` (Pulumi deletes it from
#: the stack, not from the cloud) stand for them. Backups are not among them: they also guard
#: against corruption.
DELETION_SETTINGS = frozenset(
    {"deletion_protection", "deletion_protection_enabled", "skip_final_snapshot", "force_destroy"}
)
_MAX_DEPTH = 32


def camel(path: str) -> str:
    """``settings.backup_configuration.enabled`` -> ``settings.backupConfiguration.enabled``:
    how the Pulumi bridge names a Terraform attribute."""
    return ".".join(re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), part) for part in path.split("."))


def normal_token(token: str) -> str:
    """``aws:rds/instance:Instance`` -> ``aws:rds:Instance`` (the YAML short form)."""
    parts = token.split(":")
    if len(parts) != 3:
        return token
    return f"{parts[0]}:{parts[1].split('/')[0]}:{parts[2]}"


def stack_name(path: str) -> str:
    name = PurePosixPath(path).name
    return name[len("Pulumi.") :].rsplit(".", 1)[0]


# --------------------------------------------------------------------------- the program


class Resource(Frozen):
    logical_id: str
    type: str
    key: Node
    node: Node
    path: str

    @property
    def properties(self) -> Node | None:
        props = self.node.get("properties")
        return props if props is not None and props.is_map else None

    def prop(self, name: str) -> Node | None:
        props = self.properties
        return props.get(name) if props is not None else None

    def option(self, name: str) -> Node | None:
        options = self.node.get("options")
        return options.get(name) if options is not None and options.is_map else None

    @property
    def span(self) -> Span:
        return Span.point(self.key.span.line, self.key.span.column)

    @property
    def terraform_type(self) -> str | None:
        return TERRAFORM_TYPES.get(normal_token(self.type))

    def describe(self) -> str:
        """``db (RDS DB instance)``."""
        tf_type = self.terraform_type or ""
        entry = STATEFUL_TYPES.get(tf_type)
        what = entry[0] if entry else "Aurora DB instance" if tf_type == "aws_rds_cluster_instance" else self.type
        return f"{self.logical_id} ({what})"


class Stack(Frozen):
    """The config values of one stack: ``label`` says where they come from."""

    label: str
    name: str | None  # the stack's name, None for the program's defaults
    values: dict[str, tuple[Any, str] | None]  # None: a value that is not known here (ciphertext)


class Program(Frozen):
    doc: TreeDocument
    root: Node
    project: str
    config: dict[str, Node | None]  # name -> its default (None: none)
    variables: dict[str, Node]
    resources: dict[str, Resource]

    @classmethod
    def of(cls, doc: TreeDocument, project: Project) -> Program:
        root = doc.roots[0]
        name = root.get("name")
        config: dict[str, Node | None] = {}
        for section in ("configuration", "config"):
            for key, _, node in _entries(root.get(section)):
                config[key] = _default(node)
        project_name = name.text if name is not None and name.is_scalar else ""
        if root.get("runtime") is None:  # Main.yaml: the project file beside it names the project and its config
            sibling = _project_file(doc, project)
            if sibling is not None:
                found = sibling.get("name")
                project_name = found.text if found is not None and found.is_scalar else project_name
                for key, _, node in _entries(sibling.get("config")):
                    config.setdefault(key, _default(node))
        variables = {key: node for key, _, node in _entries(root.get("variables"))}
        resources: dict[str, Resource] = {}
        for key_text, key, node in _entries(root.get("resources")):
            rtype = node.get("type") if node.is_map else None
            if rtype is not None and rtype.is_scalar:
                resources[key_text] = Resource(key_text, rtype.text, key, node, doc.path)
        return cls(doc, root, project_name, config, variables, resources)

    def of_type(self, *tf_types: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.terraform_type in tf_types]

    def defaults(self) -> Stack:
        values: dict[str, tuple[Any, str] | None] = {}
        for name, node in self.config.items():
            if node is not None and node.is_scalar:
                values[name] = (node.value, f"config {name} default ({self.doc.path}:{node.span.line})")
        return Stack("the config defaults", None, values)


def _entries(node: Node | None) -> Iterator[tuple[str, Node, Node]]:
    if node is not None and node.is_map:
        yield from node.items()


def _default(node: Node) -> Node | None:
    """A config declaration's default: ``{type: boolean, default: true}``, or a plain value."""
    if node.is_scalar:
        return node
    if node.is_map:
        return node.get("default") if node.get("default") is not None else node.get("value")
    return None


def _project_file(doc: TreeDocument, project: Project) -> Node | None:
    directory = (project.cwd / doc.host.path).parent
    for path in project.directory_files(directory, (".yaml", ".yml")):
        if path.name in ("Pulumi.yaml", "Pulumi.yml"):
            found = project.document(path)
            if isinstance(found, TreeDocument) and found.roots and found.roots[0].is_map:
                return found.roots[0]
    return None


def stack_files(doc: TreeDocument, project: Project) -> list[tuple[str, TreeDocument]]:
    """(display path, document) of the ``Pulumi.<stack>.yaml`` files beside the program."""
    directory = (project.cwd / doc.host.path).parent
    found: list[tuple[str, TreeDocument]] = []
    for path in project.directory_files(directory, (".yaml", ".yml")):
        if is_pulumi_stack(path.name):
            stack = project.document(path)
            if isinstance(stack, TreeDocument) and stack.roots and stack.roots[0].is_map:
                found.append((project.display_of(path), stack))
    return found


def stack_values(program: Program, path: str, stack: TreeDocument) -> dict[str, tuple[Any, str] | None]:
    """A stack file's config, keyed as the program reads it: ``proj:protect`` is ``protect``
    in project ``proj``; a provider's (``aws:region``) keeps its namespace."""
    values: dict[str, tuple[Any, str] | None] = {}
    for key, _, node in _entries(stack.roots[0].get("config")):
        namespace, _, name = key.rpartition(":")
        local = (
            name
            if namespace == program.project or (namespace and not program.project and name in program.config)
            else key
        )
        values[local] = None if not node.is_scalar else (node.value, f"{key} in {path}")
    return values


def stacks(program: Program, project: Project) -> list[Stack]:
    """Each production stack (its file's values over the defaults), else the defaults alone."""
    defaults = program.defaults()
    found = [
        Stack(path, stack_name(path), {**defaults.values, **stack_values(program, path, doc)})
        for path, doc in stack_files(program.doc, project)
        if names_production(stack_name(path))
    ]
    return found or [defaults]


def program_for(doc: TreeDocument, project: Project) -> tuple[Program, list[Stack]]:
    """The program of ``doc`` and the stacks it is judged for, built once per scan."""
    key = ("pulumi", doc.path)
    if key not in project.cache:
        program = Program.of(doc, project)
        project.cache[key] = (program, stacks(program, project))
    return project.cache[key]


# --------------------------------------------------------------------------- evaluation


def _unknown(why: str, origins: tuple[str, ...] = ()) -> Value:
    return Value(False, why, origins)


class Evaluator:
    """Interpolations (``${...}``) evaluated with one stack's config values."""

    def __init__(self, program: Program, stack: Stack) -> None:
        self.program = program
        self.stack = stack

    def value(self, node: Node | None, depth: int = 0) -> Value:
        if node is None:
            return Value(True, None)
        if depth > _MAX_DEPTH:
            return _unknown("too deep")
        if node.is_map and any(key.lower().startswith("fn::") for key, _, _ in node.items()):
            return _unknown("function")
        if not node.is_scalar:
            return _unknown("structure")
        if not isinstance(node.value, str) or "${" not in node.value:
            return Value(True, node.value)
        return self._interpolate(node.value, depth)

    def _interpolate(self, text: str, depth: int) -> Value:
        parts: list[Any] = []
        origins: list[str] = []
        pos = 0
        while pos < len(text):
            start = text.find("${", pos)
            if start < 0:
                parts.append(text[pos:])
                break
            if start > 0 and text[start - 1] == "$":  # $${: a literal ${
                parts.append(text[pos : start - 1] + "${")
                pos = start + 2
                continue
            end = text.find("}", start)
            if end < 0:
                parts.append(text[pos:])
                break
            parts.append(text[pos:start])
            found = self.reference(text[start + 2 : end].strip(), depth)
            origins.extend(found.origins)
            if not found.known:
                return _unknown(text, tuple(origins))
            parts.append(found.value)
            pos = end + 1
        parts = [p for p in parts if p != ""]
        if len(parts) == 1:  # "${x}" alone keeps x's type
            return Value(True, parts[0], tuple(origins))
        return Value(True, "".join(_text(p) for p in parts), tuple(origins))

    def reference(self, expr: str, depth: int) -> Value:
        """``protect`` (config or variable), ``aws:region``, ``pulumi.stack``; a resource's
        outputs and anything with a property access are unknown."""
        if expr == "pulumi.stack":
            return Value(True, self.stack.name) if self.stack.name is not None else _unknown(expr)
        if expr == "pulumi.project" and self.program.project:
            return Value(True, self.program.project)
        if expr in self.program.config or expr in self.stack.values:
            given = self.stack.values.get(expr)
            return Value(True, given[0], (given[1],)) if given is not None else _unknown(expr)
        if expr in self.program.variables:
            return self.value(self.program.variables[expr], depth + 1)
        return _unknown(expr)

    def flag(self, node: Node | None) -> bool | None:
        return self.value(node).as_bool() if node is not None else None

    def strings(self, node: Node | None) -> tuple[list[str], list[str]]:
        """A string or list of strings: (known values, unknown items as written)."""
        if node is None:
            return [], []
        items = node.elements() if node.is_seq else [node]
        known: list[str] = []
        unknown: list[str] = []
        for item in items:
            found = self.value(item)
            if not found.known:
                unknown.append(written(item))
            elif isinstance(found.value, list):
                known.extend(str(v) for v in found.value)
            elif found.value is not None:
                known.append(_text(found.value))
        return known, unknown

    def data(self, node: Node, depth: int = 0) -> Any:
        """Plain data with interpolations evaluated (a variable named alone is followed, ``fn::toJSON``
        read as the data it encodes), unknown parts as ``<...>`` placeholders."""
        if depth > _MAX_DEPTH:
            return "<too deep>"
        if node.is_map and len(node.value) == 1 and node.value[0][0].text.lower().startswith("fn::"):
            name, arg = node.value[0][0].text, node.value[0][1]
            return self.data(arg, depth + 1) if name.lower() == "fn::tojson" else f"<{name}>"
        if node.is_map:
            return {key: self.data(value, depth + 1) for key, _, value in node.items()}
        if node.is_seq:
            return [self.data(item, depth + 1) for item in node.elements()]
        alone = re.fullmatch(r"\$\{\s*([A-Za-z0-9_-]+)\s*\}", node.text.strip()) if node.raw is not None else None
        if alone is not None and alone.group(1) in self.program.variables:
            return self.data(self.program.variables[alone.group(1)], depth + 1)
        found = self.value(node, depth)
        return found.value if found.known else f"<{written(node)}>"

    def protected(self, resource: Resource) -> bool:
        """``options.protect`` or ``options.retainOnDelete`` true: Pulumi will not delete it."""
        return any(self.flag(resource.option(name)) is True for name in ("protect", "retainOnDelete"))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def written(node: Node) -> str:
    """A value as written: ``${protect}``, ``false``, ``[...]``."""
    if node.is_scalar:
        return node.text if node.raw is not None else _text(node.value)
    if node.is_seq:
        return f"[{', '.join(written(a) for a in node.elements())}]"
    return "{...}"


def _target(node: Node | None) -> str:
    """The resource a ``${name}`` or ``${name.property}`` reference names, else ''."""
    if node is None or not node.is_scalar or not isinstance(node.value, str):
        return ""
    match = re.fullmatch(r"\$\{\s*([A-Za-z0-9_-]+)(?:[.\[][^}]*)?\}", node.value.strip())
    return match.group(1) if match else ""


# --------------------------------------------------------------------------- protection settings


def _at(resource: Resource, path: str) -> tuple[Node | None, bool]:
    """The property at a camelCase dotted path, and whether the path is knowable (a nested
    block is an object, or a list of one)."""
    node = resource.properties
    parts = path.split(".")
    for index, part in enumerate(parts):
        if node is not None and node.is_seq:
            items = node.elements()
            if len(items) != 1:
                return None, False
            node = items[0]
        if node is None or not node.is_map:
            return None, node is None
        child = node.get(part)
        if child is None:
            return None, True
        node = child
        if index < len(parts) - 1 and not (node.is_map or node.is_seq):
            return None, False
    return node, True


def is_read_replica(resource: Resource, evaluator: Evaluator) -> bool:
    """A replica names its source: a reference to a resource always has a value; a config
    value or variable is evaluated, and an empty one makes a primary. Cloud SQL also says it in
    ``replicaConfiguration`` and ``instanceType``."""
    if resource.terraform_type == "google_sql_database_instance" and (
        resource.prop(camel(CLOUDSQL_REPLICA_BLOCK)) is not None
        or evaluator.value(resource.prop("instanceType")).value == CLOUDSQL_REPLICA_TYPE
    ):
        return True
    source = REPLICA_SOURCES.get(resource.terraform_type or "")
    node = _at(resource, camel(source))[0] if source is not None else None
    if node is None:
        return False
    if _target(node) in evaluator.program.resources:
        return True
    found = evaluator.value(node)
    return found.known and isinstance(found.value, str) and found.value.strip() != ""


def setting(
    resource: Resource, evaluator: Evaluator, path: str, default: Any, unsafe: Callable[[Any], bool]
) -> Setting | None:
    """The property at a Terraform attribute ``path`` of one resource when unsafe in this stack."""
    name = camel(path)
    node, knowable = _at(resource, name)
    if not knowable:
        return None
    found = evaluator.value(node)
    if not found.known:
        return None
    value = _plain(found)
    if node is None:
        if default is None or not unsafe(default):
            return None
        return Setting(resource, name, resource.span, default, f"is not set (default {_text(default)})", absent=True)  # type: ignore[arg-type]
    if not unsafe(value):
        return None
    if isinstance(node.value, str) and "${" in node.value:
        where = f"= {written(node)}, which is {_text(value)}{found.via}"
    else:
        where = f"= {_text(value)}"
    return Setting(resource, name, node.span, value, where)  # type: ignore[arg-type]


def unsafe_settings(
    doc: TreeDocument, project: Project, paths: dict[str, str], default: Any, unsafe: Callable[[Any], bool]
) -> Iterator[Setting]:
    """Every resource of a Terraform type in ``paths`` whose property (the attribute in camelCase)
    is unsafe in a production stack; read replicas left out, and, for settings that matter only
    on deletion, resources Pulumi will not delete (``protect``, ``retainOnDelete``)."""
    program, found_stacks = program_for(doc, project)
    for resource in program.resources.values():
        tf_type = resource.terraform_type
        if tf_type is None or tf_type not in paths:
            continue
        for stack in found_stacks:
            evaluator = Evaluator(program, stack)
            if is_read_replica(resource, evaluator):
                continue
            if paths[tf_type].split(".")[-1] in DELETION_SETTINGS and evaluator.protected(resource):
                continue
            found = setting(resource, evaluator, paths[tf_type], default, unsafe)
            if found is not None:
                yield found
                break


def also_unsafe(
    doc: TreeDocument, project: Project, found: Setting, path: str, default: Any, unsafe: Callable[[Any], bool]
) -> Setting | None:
    """A second setting of the resource ``found`` is on, unsafe in a production stack too."""
    program, found_stacks = program_for(doc, project)
    for stack in found_stacks:
        other = setting(found.resource, Evaluator(program, stack), path, default, unsafe)  # type: ignore[arg-type]
        if other is not None:
            return other
    return None


def _plain(found: Value) -> Any:
    as_bool = found.as_bool()
    if as_bool is not None:
        return as_bool
    as_int = found.as_int()
    return as_int if as_int is not None else found.value


# --------------------------------------------------------------------------- security groups

_TCP = {"tcp", "6", "-1", "all"}


def permissions(doc: TreeDocument, project: Project) -> list[Permission]:
    """Every ingress permission of the program's security groups (inline ``ingress``,
    ``aws:ec2:SecurityGroupRule`` of type ingress, ``aws:vpc:SecurityGroupIngressRule``) in the
    first production stack, with the sources that are the whole internet."""
    program, found_stacks = program_for(doc, project)
    evaluator = Evaluator(program, found_stacks[0])
    found: list[Permission] = []
    for resource in program.of_type("aws_security_group"):
        ingress = resource.prop("ingress")
        for index, rule in enumerate(ingress.elements() if ingress is not None and ingress.is_seq else []):
            if rule.is_map:
                found.extend(_permission(evaluator, resource, rule, resource.logical_id, f"ingress[{index}]"))
    for resource in program.of_type("aws_security_group_rule", "aws_vpc_security_group_ingress_rule"):
        props = resource.properties
        if props is None:
            continue
        if resource.terraform_type == "aws_security_group_rule":
            direction = evaluator.value(props.get("type"))
            if direction.known and direction.value != "ingress":
                continue
        group = _target(props.get("securityGroupId")) or resource.logical_id
        found.extend(_permission(evaluator, resource, props, group, "ingress"))
    return found


def _permission(evaluator: Evaluator, resource: Resource, rule: Node, group: str, anchor: str) -> list[Permission]:
    protocol = evaluator.value(rule.get("protocol") or rule.get("ipProtocol"))
    name = _text(protocol.value).lower() if protocol.known else None
    if name is not None and name not in _TCP:
        return []  # udp, icmp: no datastore connection gets in
    world: list[str] = []
    unknown: list[str] = []
    origins: list[str] = []
    span = rule.span
    for key in ("cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6"):
        node = rule.get(key)
        known, missing = evaluator.strings(node)
        unknown.extend(missing)
        if node is not None and any(is_world(v) for v in known):
            world.extend(v for v in known if is_world(v))
            origins.extend(evaluator.value(node).origins)
            span = rule.key_node(key).span if rule.key_node(key) is not None else span  # type: ignore[union-attr]
    return [
        Permission(
            origins=tuple(dict.fromkeys(origins)),
            group=group,
            owner=resource.logical_id,
            path=resource.path,
            line=rule.span.line,
            ports=_ports(evaluator, rule, name),
            world=tuple(world),
            unknown=tuple(unknown),
            span=span,
            anchor=anchor,
        )
    ]


def _ports(evaluator: Evaluator, rule: Node, protocol: str | None) -> tuple[int, int] | None:
    if protocol is None:
        return None
    if protocol in ("-1", "all"):
        return ALL_PORTS
    low = evaluator.value(rule.get("fromPort")).as_int()
    high = evaluator.value(rule.get("toPort")).as_int()
    if low is None or high is None:
        return None
    if low == -1 and high == -1:
        return ALL_PORTS
    return port_range(f"{low}-{high}")


def load_balancer_groups(doc: TreeDocument, project: Project) -> set[str]:
    """Security groups of the program that only load balancers and functions use (rules naming
    them aside): they guard no datastore."""
    program, _ = program_for(doc, project)
    plumbing = {"aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"}
    users: dict[str, set[str]] = {}
    for resource in program.resources.values():
        if resource.terraform_type in plumbing:
            continue
        for node in resource.node.walk():
            target = _target(node)
            if target:
                users.setdefault(target, set()).add(resource.terraform_type or resource.type)
    groups = {r.logical_id for r in program.of_type("aws_security_group")}
    return {g for g in groups if users.get(g) and users[g] <= NO_DATASTORE_BEHIND}


# --------------------------------------------------------------------------- public databases

#: The property that gives a database a public address.
PUBLICLY_ACCESSIBLE = "publiclyAccessible"


def public_databases(doc: TreeDocument, project: Project) -> Iterator[PublicDatabase]:
    """RDS instances (Aurora ones included) and Redshift clusters whose ``publiclyAccessible`` is
    true in a production stack, with their reach through the program's security groups."""
    program, found_stacks = program_for(doc, project)
    groups = permissions(doc, project)
    for resource in program.of_type("aws_db_instance", "aws_rds_cluster_instance", "aws_redshift_cluster"):
        node = resource.prop(PUBLICLY_ACCESSIBLE)
        if node is None:
            continue
        for stack in found_stacks:
            evaluator = Evaluator(program, stack)
            found = evaluator.value(node)
            if found.as_bool() is True:
                yield PublicDatabase(resource, node, found, _reach(resource, evaluator, groups))  # type: ignore[arg-type]
                break


def _reach(resource: Resource, evaluator: Evaluator, groups: list[Permission]) -> Reach:
    holder = resource
    if resource.terraform_type == "aws_rds_cluster_instance":
        target = evaluator.program.resources.get(_target(resource.prop("clusterIdentifier")))
        if target is None:
            return Reach(None, "its cluster is not defined in this program, so its security groups cannot be told here")
        holder = target
    port = _database_port(resource, holder, evaluator)
    node = holder.prop("vpcSecurityGroupIds")
    if node is None:
        return Reach(False, "no security group is attached, and the VPC default group admits only its own members")
    names: list[str] = []
    outside: list[str] = []
    for item in node.elements() if node.is_seq else [node]:
        target = _target(item)
        if target in evaluator.program.resources:
            names.append(target)
        else:
            outside.append(written(item))
    on = f"port {port}" if port is not None else "its port"
    maybe: list[str] = []
    for permission in groups:
        if permission.group not in names:
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
            f"its security groups ({', '.join(outside)}) are not defined in this program, so whether they admit "
            f"0.0.0.0/0 on {on} cannot be told here",
        )
    if maybe:
        return Reach(None, f"whether the internet reaches {on} cannot be told here: {'; '.join(maybe)}")
    return Reach(False, f"{', '.join(names)} admit no internet source on {on}")


def _database_port(resource: Resource, holder: Resource, evaluator: Evaluator) -> int | None:
    for source in (holder, resource):
        port = evaluator.value(source.prop("port")).as_int()
        if port is not None:
            return port
    if resource.terraform_type == "aws_redshift_cluster":
        return REDSHIFT_PORT
    for source in (resource, holder):
        engine = evaluator.value(source.prop("engine"))
        if engine.known and engine.value is not None:
            for prefix, number in ENGINE_PORTS:
                if str(engine.value).lower().startswith(prefix):
                    return number
    return None


# --------------------------------------------------------------------------- search domains

#: A domain's resource policy, and what puts its endpoint inside a VPC.
ACCESS_POLICIES = "accessPolicies"
VPC_OPTIONS = "vpcOptions"


def public_search_policies(doc: TreeDocument, project: Project) -> Iterator[tuple[Resource, Node, Any]]:
    """(domain, accessPolicies key, the policy as data) for OpenSearch and Elasticsearch domains with a
    public endpoint (no ``vpcOptions``) and no fine-grained access control
    (``advancedSecurityOptions.enabled``) in the first production stack."""
    program, found_stacks = program_for(doc, project)
    evaluator = Evaluator(program, found_stacks[0])
    for resource in program.of_type("aws_opensearch_domain", "aws_elasticsearch_domain"):
        node = resource.prop(ACCESS_POLICIES)
        if node is None or resource.prop(VPC_OPTIONS) is not None:
            continue
        security = resource.prop("advancedSecurityOptions")
        if evaluator.flag(security.get("enabled") if security is not None and security.is_map else None):
            continue
        policy = evaluator.data(node)
        if isinstance(policy, str):
            try:
                policy = json.loads(policy)
            except ValueError:
                continue
        yield resource, resource.properties.key_node(ACCESS_POLICIES) or node, policy  # type: ignore[union-attr]


# --------------------------------------------------------------------------- Route 53

#: Properties that make a record part of a routing policy or health-checked: short on purpose.
ROUTING_PROPERTIES = (
    "setIdentifier",
    "failoverRoutingPolicies",
    "weightedRoutingPolicies",
    "latencyRoutingPolicies",
    "geolocationRoutingPolicies",
    "geoproximityRoutingPolicy",
    "multivalueAnswerRoutingPolicy",
    "cidrRoutingPolicy",
    "healthCheckId",
)


class Record(Frozen):
    """One ``aws:route53:Record`` as the production stack gets it."""

    resource: Resource
    node: Node  # the properties mapping
    label: str
    name: str  # '' when unknown
    type: str  # '' when unknown
    zone: str  # the hosted zone's name, '' when unknown
    private_zone: bool
    ttl: Value
    answers: list[str]

    @property
    def routing(self) -> bool:
        return any(self.node.get(p) is not None for p in ROUTING_PROPERTIES)

    @property
    def alias(self) -> bool:
        return self.node.get("aliases") is not None

    @property
    def ttl_node(self) -> Node | None:
        return self.node.get("ttl")

    @property
    def name_key(self) -> Node | None:
        return self.node.key_node("name")

    @property
    def records_key(self) -> Node | None:
        return self.node.key_node("records")


def records(doc: TreeDocument, project: Project) -> Iterator[Record]:
    """Every Route 53 record of the program, evaluated in its first production stack."""
    program, found_stacks = program_for(doc, project)
    evaluator = Evaluator(program, found_stacks[0])
    for resource in program.of_type("aws_route53_record"):
        props = resource.properties
        if props is None:
            continue
        name = evaluator.value(props.get("name"))
        rtype = evaluator.value(props.get("type"))
        zone = evaluator.program.resources.get(_target(props.get("zoneId")))
        zone_name = (
            evaluator.value(zone.prop("name"))
            if zone is not None and zone.terraform_type == "aws_route53_zone"
            else None
        )
        answers, _ = evaluator.strings(props.get("records"))
        ttl = props.get("ttl")
        zone_text = _text(zone_name.value).rstrip(".").lower() if zone_name is not None and zone_name.known else ""
        yield Record(
            resource,
            props,
            resource.logical_id,
            _fqdn(_text(name.value).rstrip(".").lower(), zone_text) if name.known else "",
            _text(rtype.value).upper() if rtype.known else "",
            zone_text,
            zone is not None and zone.prop("vpcs") is not None,
            evaluator.value(ttl) if ttl is not None else _unknown("no TTL"),
            answers,
        )


def first_scenario(doc: TreeDocument, project: Project) -> Evaluator:
    program, found_stacks = program_for(doc, project)
    return Evaluator(program, found_stacks[0])


def nameservers(record: Record, evaluator: Evaluator) -> list[tuple[str, str, bool]] | None:
    """An NS record's servers as (label, provider, a whole zone list), None when any is unknown.
    ``${zone.nameServers}`` of an ``aws:route53:Zone`` of the program is Route 53's four servers."""
    node = record.node.get("records")
    if node is None:
        return None
    if node.is_scalar and isinstance(node.value, str) and "${" in node.value:
        target = evaluator.program.resources.get(_target(node))
        whole = re.fullmatch(r"\$\{\s*[A-Za-z0-9_-]+\.nameServers\s*\}", node.value.strip())
        if target is not None and target.terraform_type == "aws_route53_zone" and whole:
            return [(f"{target.logical_id}.nameServers", "Amazon Route 53", True)]
        return None
    known, unknown = evaluator.strings(node)
    if unknown or not known:
        return None
    return [(host, "", False) for host in known]


def _fqdn(name: str, zone: str) -> str:
    """A record's name as Route 53 completes it: ``www`` in zone ``example.com`` is ``www.example.com``."""
    if not zone or not name or name == zone or name.endswith("." + zone):
        return name
    return f"{name}.{zone}"
