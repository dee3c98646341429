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

What a Pulumi YAML program answers alike (security groups, public databases and search domains,
Route 53 records, protection settings) is read once by ``guardrails.facts.stacks``; this module
gives it the template's property and type names (``FORMAT``) and its intrinsic functions
(``Evaluator``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any

from guardrails.documents import TreeDocument
from guardrails.facts import stacks as shared
from guardrails.facts.environments import names_production
from guardrails.facts.stacks import Setting, Unknown, Value, unsafe_setting
from guardrails.facts.stacks import text as _text
from guardrails.facts.stacks import unknown as _unknown
from guardrails.facts.stateful import CACHE, STATEFUL_TYPES
from guardrails.model import Node
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
#: The CloudFormation types of ``NO_DATASTORE_BEHIND``: load balancers, and functions (a SAM
#: function's ``VpcConfig.SecurityGroupIds`` too).
_AS_TERRAFORM = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "aws_lb",
    "AWS::ElasticLoadBalancing::LoadBalancer": "aws_elb",
    "AWS::Lambda::Function": "aws_lambda_function",
    "AWS::Serverless::Function": "aws_lambda_function",
}
SEARCH_DOMAINS = ("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain")
#: A domain's resource policy, and what puts its endpoint inside a VPC.
ACCESS_POLICIES = "AccessPolicies"
VPC_OPTIONS = "VPCOptions"
#: The property that gives a database a public address.
PUBLICLY_ACCESSIBLE = "PubliclyAccessible"
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
#: The template's names for what ``guardrails.facts.stacks`` reads in every stack format.
FORMAT = shared.StackFormat(
    noun="template",
    ingress=shared.Ingress(
        group="AWS::EC2::SecurityGroup",
        inline="SecurityGroupIngress",
        standalone=("AWS::EC2::SecurityGroupIngress",),
        group_keys=("GroupId", "GroupName"),
        direction=None,
        # Where a group is named without being attached to anything that listens.
        plumbing=frozenset(
            {"AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress", "AWS::EC2::SecurityGroup"}
        ),
        protocol=("IpProtocol",),
        all_protocols=frozenset({"-1"}),
        keeps_other_protocols=True,
        sources=("CidrIp", "CidrIpv6"),
        named_sources=("SourceSecurityGroupId", "SourcePrefixListId"),
        from_port="FromPort",
        to_port="ToPort",
    ),
    databases=shared.Databases(
        types=("AWS::RDS::DBInstance", "AWS::Redshift::Cluster"),
        publicly_accessible=PUBLICLY_ACCESSIBLE,
        security_groups=("VPCSecurityGroups", "VpcSecurityGroupIds"),
        cluster="DBClusterIdentifier",
        port="Port",
        engine="Engine",
    ),
    search=shared.SearchDomains(
        types=SEARCH_DOMAINS,
        access_policies=ACCESS_POLICIES,
        vpc_options=VPC_OPTIONS,
        security="AdvancedSecurityOptions",
        enabled="Enabled",
    ),
    records=shared.RecordKeys(
        name="Name",
        type="Type",
        ttl="TTL",
        records="ResourceRecords",
        alias="AliasTarget",
        routing=ROUTING_PROPERTIES,
        zone_id="HostedZoneId",
        zone_name="HostedZoneName",
        zone_type=HOSTED_ZONE,
        zone_label="Name",
        zone_vpcs="VPCs",
        relative_names=False,
    ),
)


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


class Resource(shared.Resource):
    """A resource of ``Resources``: its tables are read by CloudFormation type."""

    __slots__ = ()

    @staticmethod
    def keys() -> tuple[str, str]:
        return "Type", "Properties"

    @property
    def terraform_type(self) -> str | None:
        """The Terraform type creating the same thing: an RDS instance in an Aurora cluster
        (``DBClusterIdentifier``) is a cluster instance, its data and settings the cluster's."""
        if self.type == "AWS::RDS::DBInstance":
            return "aws_rds_cluster_instance" if self.prop("DBClusterIdentifier") is not None else "aws_db_instance"
        return _BY_CFN_TYPE.get(self.type)

    def is_a(self, *types: str) -> bool:
        return self.type in types

    @property
    def user_type(self) -> str:
        return _AS_TERRAFORM.get(self.type, self.type)


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
        for name, _, node in shared.entries(root.get("Parameters")):
            parameters[name] = Parameter(name, node, node.get("Default") if node.is_map else None)
        conditions = {name: node for name, _, node in shared.entries(root.get("Conditions"))}
        resources = Resource.declared(root.get("Resources"), doc.path)
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


class Evaluator(shared.StackEvaluator):
    """Intrinsic functions evaluated with one scenario's parameter values."""

    FORMAT = FORMAT

    def __init__(self, template: Template, scenario: Scenario) -> None:
        super().__init__(template.resources)
        self.template = template
        self.scenario = scenario
        self._conditions: dict[str, Value] = {}

    def evaluate(self, node: Node, depth: int) -> Value:
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

    def exists(self, resource: shared.Resource) -> bool:
        """False only when the resource's Condition is known false in this scenario."""
        cond = resource.node.get("Condition")
        return not (cond is not None and cond.is_scalar and self.condition(cond.text).value is False)

    def data(self, node: Node, depth: int = 0) -> Any:
        """Plain data with every intrinsic evaluated, unknown parts as placeholders."""
        if depth > shared.MAX_DEPTH:
            return Unknown("too deep")
        if intrinsic(node) is not None:
            return self.value(node, depth).value
        if node.is_map:
            return {k: self.data(v, depth + 1) for k, _, v in node.items()}
        if node.is_seq:
            return [self.data(v, depth + 1) for v in node.elements()]
        return node.value

    # -- what the shared readers ask (guardrails.facts.stacks) ------------------------

    def setting_of(
        self, resource: shared.Resource, path: str, default: Any, unsafe: Callable[[Any], bool]
    ) -> Setting | None:
        """The property ``EQUIVALENTS`` translates the attribute to; read replicas and resources
        whose Condition is false left out. Absent (or ``AWS::NoValue``), the default applies."""
        prop = EQUIVALENTS[resource.terraform_type or ""][1].get(path)
        if prop is None or not self.exists(resource) or is_read_replica(resource, self):
            return None
        return unsafe_setting(self, resource, prop, resource.prop(prop), default, unsafe)

    def is_expression(self, node: Node) -> bool:
        return intrinsic(node) is not None

    def written(self, node: Node) -> str:
        return written(node)

    def refers_to(self, node: Node | None) -> str:
        """``!Ref Db``, ``!GetAtt Db.Endpoint.Address``: ``Db``."""
        call = intrinsic(node) if node is not None else None
        return _get_att_target(call[1]) if call is not None and call[0] in ("Ref", "Fn::GetAtt") else ""

    def identifier_of(self, node: Node | None) -> str:
        """``!Ref Cluster``: a resource's ``Ref`` is its identifier."""
        call = intrinsic(node) if node is not None else None
        return call[1].text if call is not None and call[0] == "Ref" else ""

    def passed_in(self, node: Node) -> str:
        call = intrinsic(node)
        name = self.refers_to(node)
        return name if call is not None and call[0] == "Ref" and name in self.template.parameters else ""

    def zone_servers(self, node: Node) -> str | None:
        """``!GetAtt Zone.NameServers`` of a hosted zone of the template."""
        call = intrinsic(node)
        if call is None or call[0] != "Fn::GetAtt":
            return None
        target = self.refers_to(node)
        zone = self.resources.get(target)
        return f"{target}.NameServers" if zone is not None and zone.is_a(HOSTED_ZONE) else ""

    def absent(self, value: Any) -> bool:
        return value == NO_VALUE

    def item_text(self, value: Any) -> str:
        return str(value)

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


def written(node: Node) -> str:
    """An expression as a reader would quote it: ``!Ref Env``, ``!If [IsProd, true, false]``."""
    call = intrinsic(node)
    if call is None:
        return shared.written_plain(node, written)
    name, arg = call
    short = "!" + name.removeprefix("Fn::")
    if arg.is_scalar:
        return f"{short} {arg.text}"
    if arg.is_seq:
        return f"{short} [{', '.join(written(a) for a in arg.elements())}]"
    return short


# --------------------------------------------------------------------------- protection settings


def is_read_replica(resource: shared.Resource, evaluator: Evaluator) -> bool:
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
    found_evaluators = evaluators(doc, project)
    for resource in found_evaluators[0].template.resources.values():
        tf_type = resource.terraform_type
        entry = STATEFUL_TYPES.get(tf_type or "")
        if tf_type is None or entry is None or entry[1] == CACHE or tf_type in _DELETE_REFUSED:
            continue
        node = resource.node.get("DeletionPolicy")
        protection = next((p for t, p in EQUIVALENTS[tf_type][1].items() if t in _PROTECTION), None)
        ruled = protection is not None and tf_type not in PROTECTED_BY_DEFAULT
        if node is None and (ruled or tf_type in SNAPSHOT_BY_DEFAULT):
            continue
        for evaluator in found_evaluators:
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


# --------------------------------------------------------------------------- Route 53


def records(doc: TreeDocument, project: Project) -> Iterator[shared.Record]:
    """Every record set of the template (a RecordSet, or each entry of a RecordSetGroup),
    evaluated in its first production scenario."""
    evaluator = evaluators(doc, project)[0]
    for resource in evaluator.of_type(RECORD_SET, RECORD_SET_GROUP):
        props = resource.properties
        if props is None or not evaluator.exists(resource):
            continue
        if resource.type == RECORD_SET:
            yield shared.record(evaluator, resource, props, props, resource.logical_id)
            continue
        sets = props.get("RecordSets")
        for index, entry in enumerate(sets.elements() if sets is not None and sets.is_seq else []):
            if entry.is_map:
                yield shared.record(evaluator, resource, props, entry, f"{resource.logical_id}.RecordSets[{index}]")


def _get_att_target(arg: Node) -> str:
    """The logical id a ``Ref`` or ``Fn::GetAtt`` names (``Db.Endpoint``, ``[Db, Endpoint]``)."""
    if arg.is_scalar:
        return arg.text.split(".", 1)[0]
    items = arg.elements()
    return items[0].text if items and items[0].is_scalar else ""


def evaluators(doc: TreeDocument, project: Project) -> list[Evaluator]:
    """One evaluator per scenario of the template, the first production one first."""
    template, found = template_for(doc, project)
    return [Evaluator(template, scenario) for scenario in found]
