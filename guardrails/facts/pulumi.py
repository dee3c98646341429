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

What a CloudFormation template answers alike (security groups, public databases and search
domains, Route 53 records, protection settings) is read once by ``guardrails.facts.stacks``;
this module gives it the program's property and type names (``FORMAT``) and its interpolations
(``Evaluator``). A Pulumi Python program reaches it as the same tree, made from its resource
calls by ``guardrails.facts.pulumi_python``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any

from guardrails.detect import is_pulumi_stack
from guardrails.documents import TreeDocument
from guardrails.facts import stacks as shared
from guardrails.facts.environments import names_production
from guardrails.facts.pulumi_python import EXPRESSION
from guardrails.facts.stacks import Setting, Value, unsafe_setting
from guardrails.facts.stacks import text as _text
from guardrails.facts.stacks import unknown as _unknown
from guardrails.facts.stateful import CLOUDSQL_REPLICA_BLOCK, CLOUDSQL_REPLICA_TYPE, REPLICA_SOURCES
from guardrails.model import Node
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
#: A domain's resource policy, and what puts its endpoint inside a VPC.
ACCESS_POLICIES = "accessPolicies"
VPC_OPTIONS = "vpcOptions"
#: The property that gives a database a public address.
PUBLICLY_ACCESSIBLE = "publiclyAccessible"
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
#: The program's names for what ``guardrails.facts.stacks`` reads in every stack format: the
#: Terraform types (``TERRAFORM_TYPES``) and their attributes in camelCase.
FORMAT = shared.StackFormat(
    noun="program",
    ingress=shared.Ingress(
        group="aws_security_group",
        inline="ingress",
        standalone=("aws_security_group_rule", "aws_vpc_security_group_ingress_rule"),
        group_keys=("securityGroupId",),
        direction=("aws_security_group_rule", "type"),
        plumbing=frozenset({"aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"}),
        protocol=("protocol", "ipProtocol"),
        all_protocols=frozenset({"-1", "all"}),
        keeps_other_protocols=False,
        sources=("cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6"),
        named_sources=(),
        from_port="fromPort",
        to_port="toPort",
    ),
    databases=shared.Databases(
        types=("aws_db_instance", "aws_rds_cluster_instance", "aws_redshift_cluster"),
        publicly_accessible=PUBLICLY_ACCESSIBLE,
        security_groups=("vpcSecurityGroupIds",),
        cluster="clusterIdentifier",
        port="port",
        engine="engine",
    ),
    search=shared.SearchDomains(
        types=("aws_opensearch_domain", "aws_elasticsearch_domain"),
        access_policies=ACCESS_POLICIES,
        vpc_options=VPC_OPTIONS,
        security="advancedSecurityOptions",
        enabled="enabled",
    ),
    records=shared.RecordKeys(
        name="name",
        type="type",
        ttl="ttl",
        records="records",
        alias="aliases",
        routing=ROUTING_PROPERTIES,
        zone_id="zoneId",
        zone_name="",
        zone_type="aws_route53_zone",
        zone_label="name",
        zone_vpcs="vpcs",
        relative_names=True,
    ),
)


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


class Resource(shared.Resource):
    """A resource of ``resources``: its tables are read by the Terraform type it wraps."""

    __slots__ = ()

    @staticmethod
    def keys() -> tuple[str, str]:
        return "type", "properties"

    @property
    def terraform_type(self) -> str | None:
        return TERRAFORM_TYPES.get(normal_token(self.type))

    def is_a(self, *types: str) -> bool:
        return self.terraform_type in types


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
            for key, _, node in shared.entries(root.get(section)):
                config[key] = _default(node)
        project_name = name.text if name is not None and name.is_scalar else ""
        if root.get("runtime") is None:  # Main.yaml: the project file beside it names the project and its config
            sibling = _project_file(doc, project)
            if sibling is not None:
                found = sibling.get("name")
                project_name = found.text if found is not None and found.is_scalar else project_name
                for key, _, node in shared.entries(sibling.get("config")):
                    config.setdefault(key, _default(node))
        variables = {key: node for key, _, node in shared.entries(root.get("variables"))}
        resources = Resource.declared(root.get("resources"), doc.path)
        return cls(doc, root, project_name, config, variables, resources)

    def of_type(self, *tf_types: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.terraform_type in tf_types]

    def defaults(self) -> Stack:
        values: dict[str, tuple[Any, str] | None] = {}
        for name, node in self.config.items():
            if node is not None and node.is_scalar:
                values[name] = (node.value, f"config {name} default ({self.doc.path}:{node.span.line})")
        return Stack("the config defaults", None, values)


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
    for key, _, node in shared.entries(stack.roots[0].get("config")):
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


class Evaluator(shared.StackEvaluator):
    """Interpolations (``${...}``) evaluated with one stack's config values."""

    FORMAT = FORMAT

    def __init__(self, program: Program, stack: Stack) -> None:
        super().__init__(program.resources)
        self.program = program
        self.stack = stack

    def evaluate(self, node: Node, depth: int) -> Value:
        if node.tag == EXPRESSION:
            return _unknown(node.text)
        if _is_function(node):
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

    def data(self, node: Node, depth: int = 0) -> Any:
        """Plain data with interpolations evaluated (a variable named alone is followed, ``fn::toJSON``
        read as the data it encodes), unknown parts as ``<...>`` placeholders."""
        if depth > shared.MAX_DEPTH:
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

    def protected(self, resource: shared.Resource) -> bool:
        """``options.protect`` or ``options.retainOnDelete`` true: Pulumi will not delete it.
        Options that are an expression not read here (a Python program's ``opts=opts``) may
        say so: counted as protecting, never guessed otherwise."""
        options = resource.node.get("options")
        if options is not None and options.tag == EXPRESSION:
            return True
        if options is None or not options.is_map:
            return False
        return any(self.flag(options.get(name)) is True for name in ("protect", "retainOnDelete"))

    # -- what the shared readers ask (guardrails.facts.stacks) ------------------------

    def setting_of(
        self, resource: shared.Resource, path: str, default: Any, unsafe: Callable[[Any], bool]
    ) -> Setting | None:
        """The property (the attribute in camelCase); read replicas left out, and, for settings
        that matter only on deletion, resources Pulumi will not delete (``protect``,
        ``retainOnDelete``)."""
        if is_read_replica(resource, self):
            return None
        if path.split(".")[-1] in DELETION_SETTINGS and self.protected(resource):
            return None
        return setting(resource, self, path, default, unsafe)

    def is_expression(self, node: Node) -> bool:
        if node.tag == EXPRESSION:
            return True
        return (node.is_scalar and isinstance(node.value, str) and "${" in node.value) or _is_function(node)

    def written(self, node: Node) -> str:
        return written(node)

    def refers_to(self, node: Node | None) -> str:
        return _target(node)

    def identifier_of(self, node: Node | None) -> str:
        """``${cluster.id}`` (or ``${cluster}``): a reference reads the resource's outputs."""
        return _target(node)

    def zone_servers(self, node: Node) -> str | None:
        """``${zone.nameServers}`` of an ``aws:route53:Zone`` of the program."""
        if not (node.is_scalar and isinstance(node.value, str) and "${" in node.value):
            return None
        target = self.program.resources.get(_target(node))
        whole = re.fullmatch(r"\$\{\s*[A-Za-z0-9_-]+\.nameServers\s*\}", node.value.strip())
        return (
            f"{target.logical_id}.nameServers"
            if target is not None and target.is_a("aws_route53_zone") and whole
            else ""
        )


def _is_function(node: Node) -> bool:
    """``fn::invoke``, ``fn::toJSON``...: a built-in function call (its key in any case)."""
    return node.is_map and any(key.lower().startswith("fn::") for key, _, _ in node.items())


def written(node: Node) -> str:
    """A value as written: ``${protect}``, ``false``, ``[...]``."""
    return shared.written_plain(node, written)


def _target(node: Node | None) -> str:
    """The resource a ``${name}`` or ``${name.property}`` reference names, else ''."""
    if node is None or not node.is_scalar or not isinstance(node.value, str):
        return ""
    match = re.fullmatch(r"\$\{\s*([A-Za-z0-9_-]+)(?:[.\[][^}]*)?\}", node.value.strip())
    return match.group(1) if match else ""


# --------------------------------------------------------------------------- protection settings


def _at(resource: shared.Resource, path: str) -> tuple[Node | None, bool]:
    """The property at a camelCase dotted path, and whether the path is knowable (a nested
    block is an object, or a list of one; properties that are an expression not read here, a
    Python program's ``**settings``, may hold any)."""
    node = resource.properties
    if node is None and resource.node.get("properties") is not None:
        return None, False
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


def is_read_replica(resource: shared.Resource, evaluator: Evaluator) -> bool:
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
    resource: shared.Resource, evaluator: Evaluator, path: str, default: Any, unsafe: Callable[[Any], bool]
) -> Setting | None:
    """The property at a Terraform attribute ``path`` of one resource when unsafe in this stack."""
    name = camel(path)
    node, knowable = _at(resource, name)
    if not knowable:
        return None
    return unsafe_setting(evaluator, resource, name, node, default, unsafe)


def also_unsafe(
    doc: TreeDocument, project: Project, found: Setting, path: str, default: Any, unsafe: Callable[[Any], bool]
) -> Setting | None:
    """A second setting of the resource ``found`` is on, unsafe in a production stack too."""
    for evaluator in evaluators(doc, project):
        other = setting(found.resource, evaluator, path, default, unsafe)
        if other is not None:
            return other
    return None


# --------------------------------------------------------------------------- Route 53


def records(doc: TreeDocument, project: Project) -> Iterator[shared.Record]:
    """Every Route 53 record of the program, evaluated in its first production stack."""
    evaluator = evaluators(doc, project)[0]
    for resource in evaluator.of_type("aws_route53_record"):
        props = resource.properties
        if props is not None:
            yield shared.record(evaluator, resource, props, props, resource.logical_id)


def evaluators(doc: TreeDocument, project: Project) -> list[Evaluator]:
    """One evaluator per stack the program is judged for, the first production one first."""
    program, found = program_for(doc, project)
    return [Evaluator(program, stack) for stack in found]
