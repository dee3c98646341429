"""CloudFormation and SAM templates: resources, parameters, conditions and intrinsic functions.

A template is evaluated the way CloudFormation would for the stack that matters: production.
Parameter values come from a production-named parameter file beside the template (``prod.json``
in the CLI form ``[{"ParameterKey": ..., "ParameterValue": ...}]`` or the CodePipeline form
``{"Parameters": {...}}``); without one, from a condition that compares a parameter with a
production name (``!Equals [!Ref Env, prod]``: the template says what production is); without
either, from the parameter defaults. A value that depends on something unknown at this point (a
parameter without a default, a resource attribute, ``AWS::Region``) is unknown, and nothing is
reported on it: never guessed.

The resource types map to the Terraform types of ``guardrails.facts.stateful`` (``EQUIVALENTS``),
so the tables of what holds data, which setting protects it and what its default is are shared
by both languages. Sources: AWS CloudFormation User Guide, "Intrinsic function reference",
"DeletionPolicy attribute" and the resource type reference of each type named here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any

from guardrails.documents import TreeDocument
from guardrails.facts.network import ALL_PORTS, NO_DATASTORE_BEHIND, is_world, port_range
from guardrails.facts.stateful import CACHE, STATEFUL_TYPES, names_production
from guardrails.facts.tf_network import ENGINE_PORTS, REDSHIFT_PORT, Permission, Reach
from guardrails.model import Node, Span
from guardrails.project import Project
from guardrails.records import Frozen

#: The YAML short forms and the function each stands for.
SHORT_FORMS: dict[str, str] = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "And",
            "Base64",
            "Cidr",
            "Equals",
            "FindInMap",
            "GetAZs",
            "GetAtt",
            "If",
            "ImportValue",
            "Join",
            "Length",
            "Not",
            "Or",
            "Select",
            "Split",
            "Sub",
            "ToJsonString",
            "Transform",
        )
    },
}
NO_VALUE = "AWS::NoValue"
_MAX_DEPTH = 32  # conditions naming conditions: a cycle is an invalid template, but input is hostile

#: Terraform type -> (CloudFormation type, {Terraform attribute: CloudFormation property}).
#: Defaults when absent are the same in both (the provider passes the API's): deletion
#: protection off on RDS, DocumentDB, Neptune and DynamoDB; a retention of 1 day.
EQUIVALENTS: dict[str, tuple[str, dict[str, str]]] = {
    "aws_db_instance": (
        "AWS::RDS::DBInstance",
        {
            "deletion_protection": "DeletionProtection",
            "backup_retention_period": "BackupRetentionPeriod",
            "publicly_accessible": "PubliclyAccessible",
        },
    ),
    "aws_rds_cluster_instance": ("AWS::RDS::DBInstance", {"publicly_accessible": "PubliclyAccessible"}),
    "aws_rds_cluster": ("AWS::RDS::DBCluster", {"deletion_protection": "DeletionProtection"}),
    "aws_docdb_cluster": ("AWS::DocDB::DBCluster", {"deletion_protection": "DeletionProtection"}),
    "aws_neptune_cluster": ("AWS::Neptune::DBCluster", {"deletion_protection": "DeletionProtection"}),
    "aws_redshift_cluster": (
        "AWS::Redshift::Cluster",
        {
            "automated_snapshot_retention_period": "AutomatedSnapshotRetentionPeriod",
            "publicly_accessible": "PubliclyAccessible",
        },
    ),
    "aws_dynamodb_table": ("AWS::DynamoDB::Table", {"deletion_protection_enabled": "DeletionProtectionEnabled"}),
    "aws_elasticache_replication_group": ("AWS::ElastiCache::ReplicationGroup", {}),
    "aws_memorydb_cluster": ("AWS::MemoryDB::Cluster", {}),
    "aws_opensearch_domain": ("AWS::OpenSearchService::Domain", {}),
    "aws_elasticsearch_domain": ("AWS::Elasticsearch::Domain", {}),
    "aws_timestreamwrite_table": ("AWS::Timestream::Table", {}),
    "aws_keyspaces_table": ("AWS::Cassandra::Table", {}),
    "aws_qldb_ledger": ("AWS::QLDB::Ledger", {"deletion_protection": "DeletionProtection"}),
    "aws_docdb_elastic_cluster": ("AWS::DocDBElastic::Cluster", {}),
    "aws_s3_bucket": ("AWS::S3::Bucket", {}),
    "aws_ebs_volume": ("AWS::EC2::Volume", {}),
    "aws_efs_file_system": ("AWS::EFS::FileSystem", {}),
    "aws_fsx_lustre_file_system": ("AWS::FSx::FileSystem", {}),
    "aws_backup_vault": ("AWS::Backup::BackupVault", {}),
}
_BY_CFN_TYPE: dict[str, str] = {
    cfn: tf for tf, (cfn, _) in EQUIVALENTS.items() if tf not in ("aws_rds_cluster_instance", "aws_db_instance")
}
#: Types whose DeletionPolicy defaults to Snapshot instead of Delete ("DeletionPolicy attribute":
#: AWS::RDS::DBCluster, and AWS::RDS::DBInstance without DBClusterIdentifier).
SNAPSHOT_BY_DEFAULT = frozenset({"aws_db_instance", "aws_rds_cluster"})
#: Types whose deletion protection is on when absent (QLDB ``DeletionProtection`` defaults to true).
PROTECTED_BY_DEFAULT = frozenset({"aws_qldb_ledger"})
#: Where a resource names the database it replicates (a read replica holds a copy).
REPLICA_SOURCES: dict[str, str] = {
    "aws_db_instance": "SourceDBInstanceIdentifier",
    "aws_rds_cluster": "ReplicationSourceIdentifier",
    "aws_neptune_cluster": "ReplicationSourceIdentifier",
}


class _Unknown:
    """A part of a value not known here (shown as ``<...>`` in data)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.text}>"


class Value(Frozen):
    """An evaluated expression: known or not, and the parameter origins it came through."""

    known: bool
    value: Any = None
    origins: tuple[str, ...] = ()

    @property
    def via(self) -> str:
        return f" (from {', '.join(dict.fromkeys(self.origins))})" if self.origins else ""

    def as_bool(self) -> bool | None:
        """CloudFormation reads ``"true"``/``"false"`` strings (every parameter is a string) as booleans."""
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


def _unknown(why: str, origins: tuple[str, ...] = ()) -> Value:
    return Value(False, _Unknown(why), origins)


def intrinsic(node: Node) -> tuple[str, Node] | None:
    """(function, argument node) for ``!Ref x`` / ``{"Ref": "x"}`` and every ``Fn::``; else None."""
    name = SHORT_FORMS.get(node.tag)
    if name is not None:
        return name, node
    if node.is_map and len(node.value) == 1:
        key, value = node.value[0]
        if key.text == "Ref" or key.text.startswith("Fn::"):
            return key.text, value
    return None


def _args(node: Node) -> list[Node]:
    return node.elements()


class Parameter(Frozen):
    name: str
    node: Node
    default: Node | None


class Resource(Frozen):
    logical_id: str
    type: str
    key: Node
    node: Node
    path: str

    @property
    def properties(self) -> Node | None:
        props = self.node.get("Properties")
        return props if props is not None and props.is_map else None

    def prop(self, name: str) -> Node | None:
        props = self.properties
        return props.get(name) if props is not None else None

    @property
    def span(self) -> Span:
        return Span.point(self.key.span.line, self.key.span.column)

    @property
    def terraform_type(self) -> str | None:
        """The Terraform type creating the same thing: an RDS instance in an Aurora cluster
        (``DBClusterIdentifier``) is a cluster instance, its data and settings the cluster's."""
        if self.type == "AWS::RDS::DBInstance":
            return "aws_rds_cluster_instance" if self.prop("DBClusterIdentifier") is not None else "aws_db_instance"
        return _BY_CFN_TYPE.get(self.type)

    def describe(self) -> str:
        """``Database (RDS DB instance)``."""
        tf_type = self.terraform_type or ""
        entry = STATEFUL_TYPES.get(tf_type)
        what = entry[0] if entry else "Aurora DB instance" if tf_type == "aws_rds_cluster_instance" else self.type
        return f"{self.logical_id} ({what})"


class Scenario(Frozen):
    """The parameter values of one stack: ``label`` says where they come from."""

    label: str
    values: dict[str, tuple[Any, str]]


class Template(Frozen):
    doc: TreeDocument
    root: Node
    parameters: dict[str, Parameter]
    conditions: dict[str, Node]
    mappings: Node | None
    resources: dict[str, Resource]

    @classmethod
    def of(cls, doc: TreeDocument) -> Template:
        root = doc.roots[0]
        parameters: dict[str, Parameter] = {}
        for name, _, node in _entries(root.get("Parameters")):
            parameters[name] = Parameter(name, node, node.get("Default") if node.is_map else None)
        conditions = {name: node for name, _, node in _entries(root.get("Conditions"))}
        resources: dict[str, Resource] = {}
        for name, key, node in _entries(root.get("Resources")):
            rtype = node.get("Type") if node.is_map else None
            if rtype is not None and rtype.is_scalar:
                resources[name] = Resource(name, rtype.text, key, node, doc.path)
        return cls(doc, root, parameters, conditions, root.get("Mappings"), resources)

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.type in types]

    def defaults(self) -> Scenario:
        values = {}
        for name, param in self.parameters.items():
            if param.default is not None and param.default.is_scalar:
                where = f"parameter {name} default ({self.doc.path}:{param.default.span.line})"
                values[name] = (param.default.text, where)
        return Scenario("the parameter defaults", values)

    def production_literals(self) -> list[tuple[str, str]]:
        """(parameter, value) where a condition compares a parameter with a production name, or where
        a parameter's ``AllowedValues`` list one (``[dev, prod]``: the template says what production is)."""
        found: dict[tuple[str, str], None] = {}
        for name, param in self.parameters.items():
            allowed = param.node.get("AllowedValues") if param.node.is_map else None
            for item in allowed.elements() if allowed is not None and allowed.is_seq else []:
                if item.is_scalar and intrinsic(item) is None and names_production(item.text):
                    found[(name, item.text)] = None
        for node in self.root.walk():
            call = intrinsic(node)
            if call is None or call[0] != "Fn::Equals" or len(_args(call[1])) != 2:
                continue
            left, right = _args(call[1])
            for ref, literal in ((left, right), (right, left)):
                inner = intrinsic(ref)
                if (
                    inner is not None
                    and inner[0] == "Ref"
                    and inner[1].text in self.parameters
                    and literal.is_scalar
                    and intrinsic(literal) is None
                    and names_production(literal.text)
                ):
                    found[(inner[1].text, literal.text)] = None
        return list(found)


def _entries(node: Node | None) -> Iterator[tuple[str, Node, Node]]:
    if node is not None and node.is_map:
        yield from node.items()


# --------------------------------------------------------------------------- parameter files

_PARAMETER_DIRECTORIES = ("parameters", "params", "parameter", "config", "env", "environments")


def parameter_files(template: Template, project: Project) -> list[tuple[str, dict[str, str]]]:
    """(display path, values) of the JSON parameter files beside the template (and in a
    ``parameters/`` directory there) whose every key is one of its parameters."""
    if not template.parameters:
        return []
    directory = (project.cwd / template.doc.host.path).parent
    found: list[tuple[str, dict[str, str]]] = []
    for path in project.directory_files(directory, (".json",)) + [
        p for sub in _PARAMETER_DIRECTORIES for p in project.directory_files(directory / sub, (".json",))
    ]:
        display = project.display_of(path)
        if display == template.doc.host.path:
            continue
        values = _parameter_values(project.read_bytes(path))
        if values and set(values) <= set(template.parameters):
            found.append((display, values))
    return found


def _parameter_values(data: bytes | None) -> dict[str, str]:
    if data is None:
        return {}
    try:
        parsed = json.loads(data)
    except ValueError:
        return {}
    values: dict[str, str] = {}
    if isinstance(parsed, dict) and isinstance(parsed.get("Parameters"), dict):
        for key, value in parsed["Parameters"].items():
            if isinstance(value, str | int | float | bool):
                values[str(key)] = str(value).lower() if isinstance(value, bool) else str(value)
        return values
    if isinstance(parsed, list) and parsed:
        for item in parsed:
            if not isinstance(item, dict) or "ParameterKey" not in item:
                return {}
            value = item.get("ParameterValue")
            if isinstance(value, str | int | float | bool):
                values[str(item["ParameterKey"])] = str(value).lower() if isinstance(value, bool) else str(value)
    return values


def scenarios(template: Template, project: Project) -> list[Scenario]:
    """The stacks a finding is judged on: each production parameter file, else each production
    value a condition names, else the defaults (see the module docstring)."""
    defaults = template.defaults()
    files = [(p, v) for p, v in parameter_files(template, project) if names_production(PurePosixPath(p).name)]
    if files:
        return [
            Scenario(path, {**defaults.values, **{k: (v, f"{k} in {path}") for k, v in values.items()}})
            for path, values in files
        ]
    literals = [
        (name, value)
        for name, value in template.production_literals()
        if not names_production(str(defaults.values.get(name, ("", ""))[0]))
    ]
    if literals:
        return [
            Scenario(
                f"{name} = {value}", {**defaults.values, name: (value, f"{name} = {value}, which names production")}
            )
            for name, value in literals
        ]
    return [defaults]


def template_for(doc: TreeDocument, project: Project) -> tuple[Template, list[Scenario]]:
    """The template of ``doc`` and its scenarios, built once per scan."""
    key = ("cloudformation", doc.path)
    if key not in project.cache:
        template = Template.of(doc)
        project.cache[key] = (template, scenarios(template, project))
    return project.cache[key]


# --------------------------------------------------------------------------- evaluation


class Evaluator:
    """Intrinsic functions evaluated with one scenario's parameter values."""

    def __init__(self, template: Template, scenario: Scenario) -> None:
        self.template = template
        self.scenario = scenario
        self._conditions: dict[str, Value] = {}

    def value(self, node: Node | None, depth: int = 0) -> Value:
        if node is None:
            return Value(True, None)
        if depth > _MAX_DEPTH:
            return _unknown("too deep")
        call = intrinsic(node)
        if call is None:
            if node.is_scalar:
                return Value(True, node.value)
            return _unknown("structure")
        name, arg = call
        handler = _FUNCTIONS.get(name)
        return handler(self, arg, depth + 1) if handler is not None else _unknown(name)

    def condition(self, name: str, depth: int = 0) -> Value:
        if name not in self._conditions:
            node = self.template.conditions.get(name)
            self._conditions[name] = _unknown(name)  # a cycle stays unknown
            self._conditions[name] = self._boolean(node, depth + 1) if node is not None else _unknown(name)
        return self._conditions[name]

    def exists(self, resource: Resource) -> bool:
        """False only when the resource's Condition is known false in this scenario."""
        cond = resource.node.get("Condition")
        return not (cond is not None and cond.is_scalar and self.condition(cond.text).value is False)

    def data(self, node: Node, depth: int = 0) -> Any:
        """Plain data with every intrinsic evaluated, unknown parts as placeholders."""
        if depth > _MAX_DEPTH:
            return _Unknown("too deep")
        if intrinsic(node) is not None:
            return self.value(node, depth).value
        if node.is_map:
            return {k: self.data(v, depth + 1) for k, _, v in node.items()}
        if node.is_seq:
            return [self.data(v, depth + 1) for v in node.elements()]
        return node.value

    def strings(self, node: Node | None) -> tuple[list[str], list[str]]:
        """A string or list of strings: (known values, unknown items as written)."""
        if node is None:
            return [], []
        items = node.elements() if node.is_seq and intrinsic(node) is None else [node]
        known: list[str] = []
        unknown: list[str] = []
        for item in items:
            found = self.value(item)
            if not found.known:
                unknown.append(written(item))
            elif isinstance(found.value, list):
                known.extend(str(v) for v in found.value)
            elif found.value is not None and found.value != NO_VALUE:
                known.append(str(found.value))
        return known, unknown

    # -- functions ------------------------------------------------------------------

    def _ref(self, arg: Node, depth: int) -> Value:
        name = arg.text
        if name == NO_VALUE:
            return Value(True, NO_VALUE)
        if name in self.template.parameters:
            given = self.scenario.values.get(name)
            if given is None:
                return _unknown(f"parameter {name} has no value here")
            return Value(True, given[0], (given[1],))
        return _unknown(name)

    def _if(self, arg: Node, depth: int) -> Value:
        args = _args(arg)
        if len(args) != 3 or not args[0].is_scalar:
            return _unknown("Fn::If")
        cond = self.condition(args[0].text, depth)
        if cond.known:
            chosen = self.value(args[1] if cond.value else args[2], depth)
            return Value(chosen.known, chosen.value, cond.origins + chosen.origins)
        then, other = self.value(args[1], depth), self.value(args[2], depth)
        if then.known and other.known and then.value == other.value:
            return then
        return _unknown(f"condition {args[0].text}", cond.origins)

    def _equals(self, arg: Node, depth: int) -> Value:
        args = _args(arg)
        if len(args) != 2:
            return _unknown("Fn::Equals")
        left, right = self.value(args[0], depth), self.value(args[1], depth)
        origins = left.origins + right.origins
        if not (left.known and right.known):
            return _unknown("Fn::Equals", origins)
        return Value(True, _text(left.value) == _text(right.value), origins)

    def _logic(self, arg: Node, depth: int, combine: Callable[[list[bool]], bool]) -> Value:
        values = [self._boolean(a, depth) for a in _args(arg)]
        origins = tuple(o for v in values for o in v.origins)
        if not values or not all(v.known for v in values):
            return _unknown("condition", origins)
        return Value(True, combine([bool(v.value) for v in values]), origins)

    def _boolean(self, node: Node, depth: int) -> Value:
        call = intrinsic(node)
        if call is not None and call[0] == "Condition":
            return self.condition(call[1].text, depth)
        if node.is_map and len(node.value) == 1 and node.value[0][0].text == "Condition":
            return self.condition(node.value[0][1].text, depth)
        found = self.value(node, depth)
        as_bool = found.as_bool()
        return Value(True, as_bool, found.origins) if as_bool is not None else _unknown("condition", found.origins)

    def _and(self, arg: Node, depth: int) -> Value:
        return self._logic(arg, depth, all)

    def _or(self, arg: Node, depth: int) -> Value:
        return self._logic(arg, depth, any)

    def _not(self, arg: Node, depth: int) -> Value:
        args = _args(arg)
        if len(args) != 1:
            return _unknown("Fn::Not")
        found = self._boolean(args[0], depth)
        return Value(True, not found.value, found.origins) if found.known else found

    def _condition(self, arg: Node, depth: int) -> Value:
        return self.condition(arg.text, depth)

    def _find_in_map(self, arg: Node, depth: int) -> Value:
        args = _args(arg)
        if len(args) < 3 or self.template.mappings is None:
            return _unknown("Fn::FindInMap")
        keys = [self.value(a, depth) for a in args[:3]]
        origins = tuple(o for k in keys for o in k.origins)
        if not all(k.known for k in keys):
            return _unknown("Fn::FindInMap", origins)
        found = self.template.mappings.path(*(_text(k.value) for k in keys))
        if found is None:
            return _unknown("Fn::FindInMap", origins)
        inner = self.value(found, depth)
        return Value(inner.known, inner.value, origins + inner.origins)

    def _join(self, arg: Node, depth: int) -> Value:
        args = _args(arg)
        if len(args) != 2:
            return _unknown("Fn::Join")
        sep = self.value(args[0], depth)
        items = self._list(args[1], depth)
        if not sep.known or not items.known:
            return _unknown("Fn::Join", sep.origins + items.origins)
        return Value(True, _text(sep.value).join(_text(v) for v in items.value), sep.origins + items.origins)

    def _select(self, arg: Node, depth: int) -> Value:
        args = _args(arg)
        if len(args) != 2:
            return _unknown("Fn::Select")
        index = self.value(args[0], depth).as_int()
        items = self._list(args[1], depth)
        if index is None or not items.known or not 0 <= index < len(items.value):
            return _unknown("Fn::Select", items.origins)
        return Value(True, items.value[index], items.origins)

    def _list(self, node: Node, depth: int) -> Value:
        if node.is_seq and intrinsic(node) is None:
            values = [self.value(item, depth) for item in node.elements()]
            origins = tuple(o for v in values for o in v.origins)
            if not all(v.known for v in values):
                return _unknown("list", origins)
            return Value(True, [v.value for v in values], origins)
        found = self.value(node, depth)
        if found.known and isinstance(found.value, list):
            return found
        if found.known and isinstance(found.value, str):  # a CommaDelimitedList parameter
            return Value(True, [part.strip() for part in found.value.split(",")], found.origins)
        return _unknown("list", found.origins)

    def _sub(self, arg: Node, depth: int) -> Value:
        template, variables = (arg, None) if arg.is_scalar else [*_args(arg), None, None][:2]
        if template is None or not template.is_scalar:
            return _unknown("Fn::Sub")
        text = template.text
        out: list[str] = []
        origins: list[str] = []
        pos = 0
        while True:
            start = text.find("${", pos)
            if start < 0:
                out.append(text[pos:])
                break
            end = text.find("}", start)
            if end < 0:
                out.append(text[pos:])
                break
            out.append(text[pos:start])
            name = text[start + 2 : end]
            if name.startswith("!"):
                out.append("${" + name[1:] + "}")
            else:
                bound = variables.get(name) if variables is not None and variables.is_map else None
                found = self.value(bound, depth) if bound is not None else self._ref_text(name, depth)
                origins.extend(found.origins)
                if not found.known:
                    return _unknown("Fn::Sub", tuple(origins))
                out.append(_text(found.value))
            pos = end + 1
        return Value(True, "".join(out), tuple(origins))

    def _ref_text(self, name: str, depth: int) -> Value:
        given = self.scenario.values.get(name) if name in self.template.parameters else None
        if given is None:
            return _unknown(name)
        return Value(True, given[0], (given[1],))


_FUNCTIONS: dict[str, Callable[[Evaluator, Node, int], Value]] = {
    "Ref": Evaluator._ref,
    "Condition": Evaluator._condition,
    "Fn::If": Evaluator._if,
    "Fn::Equals": Evaluator._equals,
    "Fn::And": Evaluator._and,
    "Fn::Or": Evaluator._or,
    "Fn::Not": Evaluator._not,
    "Fn::FindInMap": Evaluator._find_in_map,
    "Fn::Join": Evaluator._join,
    "Fn::Select": Evaluator._select,
    "Fn::Sub": Evaluator._sub,
}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def written(node: Node) -> str:
    """An expression as a reader would quote it: ``!Ref Env``, ``!If [IsProd, true, false]``."""
    call = intrinsic(node)
    if call is not None:
        name, arg = call
        short = "!" + name.removeprefix("Fn::")
        if arg.is_scalar:
            return f"{short} {arg.text}"
        if arg.is_seq:
            return f"{short} [{', '.join(written(a) for a in arg.elements())}]"
        return short
    if node.is_scalar:
        return node.text if node.raw is not None else _text(node.value)
    if node.is_seq:
        return f"[{', '.join(written(a) for a in node.elements())}]"
    return "{...}"


# --------------------------------------------------------------------------- protection settings


class Setting(Frozen):
    """A protection property of one resource, unsafe in a production scenario. ``where`` reads
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


def is_read_replica(resource: Resource, evaluator: Evaluator) -> bool:
    """A replica names its source: a reference to another resource always has a value; a
    parameter or condition is evaluated, and an empty or absent value makes a primary."""
    prop = REPLICA_SOURCES.get(resource.terraform_type or "")
    node = resource.prop(prop) if prop is not None else None
    if node is None:
        return False
    call = intrinsic(node)
    if call is not None and (
        call[0] == "Fn::GetAtt" or (call[0] == "Ref" and call[1].text in evaluator.template.resources)
    ):
        return True
    found = evaluator.value(node)
    return found.known and isinstance(found.value, str) and found.value.strip() not in ("", NO_VALUE)


def unsafe_settings(
    doc: TreeDocument,
    project: Project,
    paths: dict[str, str],
    default: Any,
    unsafe: Callable[[Any], bool],
) -> Iterator[Setting]:
    """Every resource of a type in ``paths`` (Terraform types and attributes, translated through
    ``EQUIVALENTS``) whose property is unsafe in a production scenario; read replicas left out.
    Absent (or ``AWS::NoValue``), the ``default`` applies (None: unknown when absent)."""
    template, stacks = template_for(doc, project)
    for resource in template.resources.values():
        tf_type = resource.terraform_type
        if tf_type is None or tf_type not in paths:
            continue
        prop = EQUIVALENTS[tf_type][1].get(paths[tf_type])
        if prop is None:
            continue
        found = _first_unsafe(resource, prop, stacks, template, default, unsafe)
        if found is not None:
            yield found


def _first_unsafe(
    resource: Resource,
    prop: str,
    stacks: list[Scenario],
    template: Template,
    default: Any,
    unsafe: Callable[[Any], bool],
) -> Setting | None:
    node = resource.prop(prop)
    for scenario in stacks:
        evaluator = Evaluator(template, scenario)
        if not evaluator.exists(resource) or is_read_replica(resource, evaluator):
            continue
        found = evaluator.value(node)
        if not found.known:
            continue
        value = _plain(found)
        if node is None or value == NO_VALUE:
            if default is None or not unsafe(default):
                continue
            span = Span.point(node.span.line, node.span.column) if node is not None else resource.span
            return Setting(resource, prop, span, default, f"is not set (default {_text(default)})", absent=True)
        if not unsafe(value):
            continue
        if intrinsic(node) is None:
            where = f"= {_text(value)}"
        else:
            where = f"= {written(node)}, which is {_text(value)}{found.via}"
        return Setting(resource, prop, node.span, value, where)
    return None


def _plain(found: Value) -> Any:
    as_bool = found.as_bool()
    if as_bool is not None:
        return as_bool
    as_int = found.as_int()
    return as_int if as_int is not None else found.value


#: Stateful types left out of the DeletionPolicy check: CloudFormation cannot delete a bucket
#: that holds objects or a vault that holds recovery points (the stack deletion fails), and a
#: cache is rebuilt rather than restored.
_DELETE_REFUSED = frozenset({"aws_s3_bucket", "aws_backup_vault"})
_PROTECTION = ("deletion_protection", "deletion_protection_enabled")


def deleted_with_stack(doc: TreeDocument, project: Project) -> Iterator[Setting]:
    """Stateful resources that CloudFormation deletes, data and all, when the stack is deleted or
    the resource leaves the template: ``DeletionPolicy: Delete`` written out, or no DeletionPolicy
    where the default is Delete. Not while the resource's deletion protection is on (the deletion
    fails); RDS defaults to Snapshot; an absent policy on a type whose protection a rule of its own
    reads when off (DynamoDB, DocumentDB, Neptune: DO050/DO053) is left to that rule."""
    template, stacks = template_for(doc, project)
    for resource in template.resources.values():
        tf_type = resource.terraform_type
        entry = STATEFUL_TYPES.get(tf_type or "")
        if tf_type is None or entry is None or entry[1] == CACHE or tf_type in _DELETE_REFUSED:
            continue
        node = resource.node.get("DeletionPolicy")
        protection = next((p for t, p in EQUIVALENTS[tf_type][1].items() if t in _PROTECTION), None)
        ruled = protection is not None and tf_type not in PROTECTED_BY_DEFAULT
        if node is None and (ruled or tf_type in SNAPSHOT_BY_DEFAULT):
            continue
        for scenario in stacks:
            evaluator = Evaluator(template, scenario)
            if not evaluator.exists(resource) or is_read_replica(resource, evaluator):
                continue
            if protection is not None:
                guard = resource.prop(protection)
                on = evaluator.value(guard).as_bool() if guard is not None else tf_type in PROTECTED_BY_DEFAULT
                if on is not False:
                    continue  # on, or unknown
            if node is None:
                yield Setting(
                    resource, "DeletionPolicy", resource.span, "Delete", "is not set (default Delete)", absent=True
                )
                break
            found = evaluator.value(node)
            if not found.known or found.value != "Delete":
                continue
            where = "= Delete" if intrinsic(node) is None else f"= {written(node)}, which is Delete{found.via}"
            yield Setting(resource, "DeletionPolicy", node.span, "Delete", where)
            break


# --------------------------------------------------------------------------- security groups

_TCP = {"tcp", "6", "-1", "all"}


def permissions(doc: TreeDocument, project: Project) -> list[Permission]:
    """Every ingress permission of the template's security groups (inline and standalone),
    in the first production scenario, with the sources that are the whole internet."""
    template, stacks = template_for(doc, project)
    evaluator = Evaluator(template, stacks[0])
    found: list[Permission] = []
    for resource in template.of_type("AWS::EC2::SecurityGroup"):
        if not evaluator.exists(resource):
            continue
        ingress = resource.prop("SecurityGroupIngress")
        for index, rule in enumerate(ingress.elements() if ingress is not None and ingress.is_seq else []):
            if rule.is_map:
                found.append(_permission(evaluator, resource, rule, resource.logical_id, f"ingress[{index}]"))
    for resource in template.of_type("AWS::EC2::SecurityGroupIngress"):
        props = resource.properties
        if props is None or not evaluator.exists(resource):
            continue
        group = props.get("GroupId") or props.get("GroupName")
        call = intrinsic(group) if group is not None else None
        owner = _get_att_target(call[1]) if call is not None and call[0] in ("Ref", "Fn::GetAtt") else ""
        found.append(_permission(evaluator, resource, props, owner or resource.logical_id, "ingress"))
    return found


#: The CloudFormation types of ``NO_DATASTORE_BEHIND``: load balancers, and functions (a SAM
#: function's ``VpcConfig.SecurityGroupIds`` too).
_AS_TERRAFORM = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "aws_lb",
    "AWS::ElasticLoadBalancing::LoadBalancer": "aws_elb",
    "AWS::Lambda::Function": "aws_lambda_function",
    "AWS::Serverless::Function": "aws_lambda_function",
}
#: Where a group is named without being attached to anything that listens.
_GROUP_PLUMBING = ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress", "AWS::EC2::SecurityGroup")


def load_balancer_groups(doc: TreeDocument, project: Project) -> set[str]:
    """Security groups of the template that only load balancers and functions use (other groups'
    rules and standalone ingress or egress rules naming them aside): they guard no datastore."""
    template, _ = template_for(doc, project)
    users: dict[str, set[str]] = {}
    for resource in template.resources.values():
        if resource.type in _GROUP_PLUMBING:
            continue
        for node in resource.node.walk():
            call = intrinsic(node)
            if call is not None and call[0] in ("Ref", "Fn::GetAtt"):
                users.setdefault(_get_att_target(call[1]), set()).add(_AS_TERRAFORM.get(resource.type, resource.type))
    groups = {r.logical_id for r in template.of_type("AWS::EC2::SecurityGroup")}
    return {g for g in groups if users.get(g) and users[g] <= NO_DATASTORE_BEHIND}


def _permission(evaluator: Evaluator, resource: Resource, rule: Node, group: str, anchor: str) -> Permission:
    world: list[str] = []
    unknown: list[str] = []
    origins: list[str] = []
    span = rule.span
    for key in ("CidrIp", "CidrIpv6"):
        value = evaluator.value(rule.get(key))
        origins.extend(value.origins if value.known and is_world(_text(value.value)) else ())
        known, missing = evaluator.strings(rule.get(key))
        unknown.extend(missing)
        if any(is_world(v) for v in known):
            world.extend(v for v in known if is_world(v))
            span = rule.key_node(key).span if rule.key_node(key) is not None else span  # type: ignore[union-attr]
    if rule.get("SourceSecurityGroupId") is not None or rule.get("SourcePrefixListId") is not None:
        world, unknown = [], []
    return Permission(
        origins=tuple(dict.fromkeys(origins)),
        group=group,
        owner=resource.logical_id,
        path=resource.path,
        line=rule.span.line,
        ports=_ports(evaluator, rule),
        world=tuple(world),
        unknown=tuple(unknown),
        span=span,
        anchor=anchor,
    )


def _ports(evaluator: Evaluator, rule: Node) -> tuple[int, int] | None:
    protocol = evaluator.value(rule.get("IpProtocol"))
    if not protocol.known:
        return None
    name = _text(protocol.value).lower()
    if name == "-1":
        return ALL_PORTS
    if name not in _TCP:
        return (-1, -1)  # udp, icmp: no TCP port
    low = evaluator.value(rule.get("FromPort")).as_int()
    high = evaluator.value(rule.get("ToPort")).as_int()
    if low is None or high is None:
        return None
    if low == -1 and high == -1:
        return ALL_PORTS
    return port_range(f"{low}-{high}")


SEARCH_DOMAINS = ("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain")
#: A domain's resource policy, and what puts its endpoint inside a VPC.
ACCESS_POLICIES = "AccessPolicies"
VPC_OPTIONS = "VPCOptions"


def public_search_policies(doc: TreeDocument, project: Project) -> Iterator[tuple[Resource, Node, Any]]:
    """(domain, AccessPolicies key, the policy as data) for search domains with a public endpoint
    (no ``VPCOptions``) and no fine-grained access control (``AdvancedSecurityOptions.Enabled``)
    in a production scenario; unknown parts of the policy are placeholders."""
    template, stacks = template_for(doc, project)
    for resource in template.of_type(*SEARCH_DOMAINS):
        node = resource.prop(ACCESS_POLICIES)
        if node is None or resource.prop(VPC_OPTIONS) is not None:
            continue
        evaluator = Evaluator(template, stacks[0])
        security = resource.prop("AdvancedSecurityOptions")
        if not evaluator.exists(resource) or evaluator.value(security.get("Enabled") if security else None).as_bool():
            continue
        policy = evaluator.data(node)
        if isinstance(policy, str):
            try:
                policy = json.loads(policy)
            except ValueError:
                continue
        yield resource, resource.properties.key_node(ACCESS_POLICIES) or node, policy  # type: ignore[union-attr]


#: The property that gives a database a public address.
PUBLICLY_ACCESSIBLE = "PubliclyAccessible"


class PublicDatabase(Frozen):
    """A database with ``PubliclyAccessible`` true in production, and whether the internet reaches it."""

    resource: Resource
    node: Node
    value: Value
    reach: Reach


def public_databases(doc: TreeDocument, project: Project) -> Iterator[PublicDatabase]:
    """RDS instances (Aurora ones included) and Redshift clusters whose ``PubliclyAccessible`` is
    true in a production scenario, with their reach through the template's security groups."""
    template, stacks = template_for(doc, project)
    groups = permissions(doc, project)
    for resource in template.of_type("AWS::RDS::DBInstance", "AWS::Redshift::Cluster"):
        node = resource.prop("PubliclyAccessible")
        if node is None:
            continue
        for scenario in stacks:
            evaluator = Evaluator(template, scenario)
            found = evaluator.value(node)
            if evaluator.exists(resource) and found.as_bool() is True:
                yield PublicDatabase(resource, node, found, database_reach(resource, evaluator, groups))
                break


def database_reach(resource: Resource, evaluator: Evaluator, groups: list[Permission]) -> Reach:
    """Whether the internet reaches an RDS instance or Redshift cluster on its port, through the
    template's security groups (``VPCSecurityGroups``)."""
    holder = resource
    if resource.terraform_type == "aws_rds_cluster_instance":
        cluster = resource.prop("DBClusterIdentifier")
        call = intrinsic(cluster) if cluster is not None else None
        target = evaluator.template.resources.get(call[1].text) if call is not None and call[0] == "Ref" else None
        if target is None:
            return Reach(
                None, "its cluster is not defined in this template, so its security groups cannot be told here"
            )
        holder = target
    port = _database_port(resource, holder, evaluator)
    node = holder.prop("VPCSecurityGroups") or holder.prop("VpcSecurityGroupIds")
    if node is None:
        return Reach(False, "no security group is attached, and the VPC default group admits only its own members")
    names: list[str] = []
    # A group passed in as a parameter (``!Ref SgId``) is defined elsewhere, but a standalone
    # ingress of this template (``GroupId: !Ref SgId``) still adds its rules to it.
    passed: list[str] = []
    outside: list[str] = []
    for item in node.elements() if node.is_seq and intrinsic(node) is None else [node]:
        call = intrinsic(item)
        target = _get_att_target(call[1]) if call is not None and call[0] in ("Ref", "Fn::GetAtt") else ""
        if target in evaluator.template.resources:
            names.append(target)
        else:
            outside.append(written(item))
            if call is not None and call[0] == "Ref" and target in evaluator.template.parameters:
                passed.append(target)
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
            maybe.append(
                f"{permission.owner} ({permission.path}:{permission.line}) admits sources or ports not known here"
            )
    if outside:
        return Reach(
            None,
            f"its security groups ({', '.join(outside)}) are not defined in this template, so whether they admit "
            f"0.0.0.0/0 on {on} cannot be told here",
        )
    if maybe:
        return Reach(None, f"whether the internet reaches {on} cannot be told here: {'; '.join(maybe)}")
    return Reach(False, f"{', '.join(names)} admit no internet source on {on}")


def _database_port(resource: Resource, holder: Resource, evaluator: Evaluator) -> int | None:
    for source in (holder, resource):
        port = evaluator.value(source.prop("Port")).as_int()
        if port is not None:
            return port
    if resource.type == "AWS::Redshift::Cluster":
        return REDSHIFT_PORT
    for source in (resource, holder):
        engine = evaluator.value(source.prop("Engine"))
        if engine.known and engine.value is not None:
            for prefix, number in ENGINE_PORTS:
                if str(engine.value).lower().startswith(prefix):
                    return number
    return None


# --------------------------------------------------------------------------- Route 53

RECORD_SET = "AWS::Route53::RecordSet"
RECORD_SET_GROUP = "AWS::Route53::RecordSetGroup"
HOSTED_ZONE = "AWS::Route53::HostedZone"
#: Properties that make a record part of a routing policy or health-checked: short on purpose.
ROUTING_PROPERTIES = (
    "SetIdentifier",
    "Failover",
    "Weight",
    "Region",
    "GeoLocation",
    "GeoProximityLocation",
    "MultiValueAnswer",
    "HealthCheckId",
    "CidrRoutingConfig",
)


class Record(Frozen):
    """One Route 53 record set as production gets it: a RecordSet, or one entry of a RecordSetGroup."""

    resource: Resource
    node: Node  # the mapping holding Name, Type, TTL...
    label: str  # ``WwwRecord`` or ``Records.RecordSets[1]``
    name: str  # the owner name, '' when unknown
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
        return self.node.get("AliasTarget") is not None

    @property
    def ttl_node(self) -> Node | None:
        return self.node.get("TTL")

    @property
    def name_key(self) -> Node | None:
        return self.node.key_node("Name")

    @property
    def records_key(self) -> Node | None:
        return self.node.key_node("ResourceRecords")


def records(doc: TreeDocument, project: Project) -> Iterator[Record]:
    """Every record set of the template, evaluated in its first production scenario."""
    template, stacks = template_for(doc, project)
    evaluator = Evaluator(template, stacks[0])
    for resource in template.of_type(RECORD_SET, RECORD_SET_GROUP):
        props = resource.properties
        if props is None or not evaluator.exists(resource):
            continue
        if resource.type == RECORD_SET:
            yield _record(evaluator, resource, props, props, resource.logical_id)
            continue
        sets = props.get("RecordSets")
        for index, entry in enumerate(sets.elements() if sets is not None and sets.is_seq else []):
            if entry.is_map:
                yield _record(evaluator, resource, props, entry, f"{resource.logical_id}.RecordSets[{index}]")


def _record(evaluator: Evaluator, resource: Resource, props: Node, node: Node, label: str) -> Record:
    name = evaluator.value(node.get("Name"))
    rtype = evaluator.value(node.get("Type"))
    zone, private = _zone(evaluator, props)
    answers, _ = evaluator.strings(node.get("ResourceRecords"))
    return Record(
        resource,
        node,
        label,
        _text(name.value).rstrip(".").lower() if name.known else "",
        _text(rtype.value).upper() if rtype.known else "",
        zone,
        private,
        evaluator.value(node.get("TTL")) if node.get("TTL") is not None else _unknown("no TTL"),
        answers,
    )


def _zone(evaluator: Evaluator, props: Node) -> tuple[str, bool]:
    """The hosted zone's name and whether it is private (a zone of this template with ``VPCs``)."""
    by_name = evaluator.value(props.get("HostedZoneName"))
    zone_id = props.get("HostedZoneId")
    call = intrinsic(zone_id) if zone_id is not None else None
    target = evaluator.template.resources.get(call[1].text) if call is not None and call[0] == "Ref" else None
    if target is not None and target.type == HOSTED_ZONE:
        name = evaluator.value(target.prop("Name"))
        return (_text(name.value).rstrip(".").lower() if name.known else ""), target.prop("VPCs") is not None
    return (_text(by_name.value).rstrip(".").lower() if by_name.known and by_name.value else ""), False


def nameservers(record: Record, evaluator: Evaluator) -> list[tuple[str, str, bool]] | None:
    """An NS record's servers as (label, provider, a whole zone list), None when any is unknown.
    ``!GetAtt Zone.NameServers`` of a hosted zone of the template is Route 53's four servers."""
    node = record.node.get("ResourceRecords")
    if node is None:
        return None
    call = intrinsic(node)
    if call is not None and call[0] == "Fn::GetAtt":
        target = _get_att_target(call[1])
        if target in evaluator.template.resources and evaluator.template.resources[target].type == HOSTED_ZONE:
            return [(f"{target}.NameServers", "Amazon Route 53", True)]
        return None
    known, unknown = evaluator.strings(node)
    if unknown or not known:
        return None
    return [(host, "", False) for host in known]


def _get_att_target(arg: Node) -> str:
    """The logical id a ``Ref`` or ``Fn::GetAtt`` names (``Db.Endpoint``, ``[Db, Endpoint]``)."""
    if arg.is_scalar:
        return arg.text.split(".", 1)[0]
    items = arg.elements()
    return items[0].text if items and items[0].is_scalar else ""


def first_scenario(doc: TreeDocument, project: Project) -> Evaluator:
    template, stacks = template_for(doc, project)
    return Evaluator(template, stacks[0])
