"""Which infrastructure holds data, and whether its protection settings are on.

One table of stateful Terraform resource types (databases, buckets, disks, tables,
file systems) shared by the Terraform, plan and lifecycle rules, and one helper that
resolves a protection setting the way Terraform would (literal, variable default,
locals, tfvars) so that each rule states only *which* value is unsafe.

Provider defaults used here (the value when the attribute is absent) come from the
provider documentation: ``deletion_protection`` false on AWS RDS/DocumentDB/Neptune,
``deletion_protection_enabled`` false on DynamoDB, ``deletion_protection`` true on
``google_sql_database_instance``; see docs in LESSONS.md B3.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any

from guardrails.documents import Attribute, Block, Expr, TerraformDocument
from guardrails.facts.environments import names_production
from guardrails.facts.terraform import (
    TFVARS,
    Instance,
    Module,
    Origin,
    Resolved,
    Scope,
    beside_production,
    placement,
    resources,
)
from guardrails.model import Span
from guardrails.project import Project
from guardrails.records import Record

DATABASE = "database"
STORAGE = "storage"
CACHE = "cache"

#: Terraform resource type -> (what it is, DATABASE / STORAGE / CACHE). Caches count as
#: stateful (a replacement empties them) but not as databases: their content is usually rebuilt.
STATEFUL_TYPES: dict[str, tuple[str, str]] = {
    # AWS databases
    "aws_db_instance": ("RDS DB instance", DATABASE),
    "aws_rds_cluster": ("RDS/Aurora cluster", DATABASE),
    "aws_rds_global_cluster": ("Aurora global cluster", DATABASE),
    "aws_docdb_cluster": ("DocumentDB cluster", DATABASE),
    "aws_docdb_elastic_cluster": ("DocumentDB elastic cluster", DATABASE),
    "aws_neptune_cluster": ("Neptune cluster", DATABASE),
    "aws_redshift_cluster": ("Redshift cluster", DATABASE),
    "aws_dynamodb_table": ("DynamoDB table", DATABASE),
    "aws_dynamodb_global_table": ("DynamoDB global table", DATABASE),
    "aws_elasticache_replication_group": ("ElastiCache replication group", CACHE),
    "aws_memorydb_cluster": ("MemoryDB cluster (durable)", DATABASE),
    "aws_opensearch_domain": ("OpenSearch domain", DATABASE),
    "aws_elasticsearch_domain": ("Elasticsearch domain", DATABASE),
    "aws_timestreamwrite_table": ("Timestream table", DATABASE),
    "aws_keyspaces_table": ("Keyspaces table", DATABASE),
    "aws_qldb_ledger": ("QLDB ledger", DATABASE),
    # AWS storage
    "aws_s3_bucket": ("S3 bucket", STORAGE),
    "aws_ebs_volume": ("EBS volume", STORAGE),
    "aws_efs_file_system": ("EFS file system", STORAGE),
    "aws_fsx_lustre_file_system": ("FSx for Lustre file system", STORAGE),
    "aws_fsx_ontap_file_system": ("FSx for ONTAP file system", STORAGE),
    "aws_fsx_openzfs_file_system": ("FSx for OpenZFS file system", STORAGE),
    "aws_fsx_windows_file_system": ("FSx for Windows file system", STORAGE),
    "aws_backup_vault": ("AWS Backup vault", STORAGE),
    "aws_kms_key": ("KMS key (data encrypted with it becomes unreadable)", STORAGE),
    # Google Cloud
    "google_sql_database_instance": ("Cloud SQL instance", DATABASE),
    "google_sql_database": ("Cloud SQL database", DATABASE),
    "google_spanner_instance": ("Spanner instance", DATABASE),
    "google_spanner_database": ("Spanner database", DATABASE),
    "google_bigtable_instance": ("Bigtable instance", DATABASE),
    "google_bigtable_table": ("Bigtable table", DATABASE),
    "google_bigquery_dataset": ("BigQuery dataset", DATABASE),
    "google_bigquery_table": ("BigQuery table", DATABASE),
    "google_firestore_database": ("Firestore database", DATABASE),
    "google_alloydb_cluster": ("AlloyDB cluster", DATABASE),
    "google_redis_instance": ("Memorystore Redis instance", CACHE),
    "google_storage_bucket": ("Cloud Storage bucket", STORAGE),
    "google_compute_disk": ("persistent disk", STORAGE),
    "google_compute_region_disk": ("regional persistent disk", STORAGE),
    "google_filestore_instance": ("Filestore instance", STORAGE),
    # Azure
    "azurerm_mssql_server": ("Azure SQL server", DATABASE),
    "azurerm_mssql_database": ("Azure SQL database", DATABASE),
    "azurerm_mssql_managed_instance": ("Azure SQL managed instance", DATABASE),
    "azurerm_sql_server": ("Azure SQL server (legacy)", DATABASE),
    "azurerm_sql_database": ("Azure SQL database (legacy)", DATABASE),
    "azurerm_postgresql_server": ("Azure Database for PostgreSQL server", DATABASE),
    "azurerm_postgresql_flexible_server": ("Azure PostgreSQL flexible server", DATABASE),
    "azurerm_postgresql_database": ("Azure PostgreSQL database", DATABASE),
    "azurerm_postgresql_flexible_server_database": ("Azure PostgreSQL flexible database", DATABASE),
    "azurerm_mysql_server": ("Azure Database for MySQL server", DATABASE),
    "azurerm_mysql_flexible_server": ("Azure MySQL flexible server", DATABASE),
    "azurerm_mysql_flexible_database": ("Azure MySQL flexible database", DATABASE),
    "azurerm_mysql_database": ("Azure Database for MySQL database", DATABASE),
    "azurerm_mariadb_server": ("Azure MariaDB server", DATABASE),
    "azurerm_cosmosdb_account": ("Cosmos DB account", DATABASE),
    "azurerm_cosmosdb_sql_database": ("Cosmos DB SQL database", DATABASE),
    "azurerm_cosmosdb_mongo_database": ("Cosmos DB Mongo database", DATABASE),
    "azurerm_redis_cache": ("Azure Cache for Redis", CACHE),
    "azurerm_storage_account": ("storage account", STORAGE),
    "azurerm_storage_container": ("storage container", STORAGE),
    "azurerm_managed_disk": ("managed disk", STORAGE),
    "azurerm_key_vault": ("key vault", STORAGE),
    # Others
    "digitalocean_database_cluster": ("DigitalOcean database cluster", DATABASE),
    "digitalocean_volume": ("DigitalOcean volume", STORAGE),
    "digitalocean_spaces_bucket": ("Spaces bucket", STORAGE),
}


#: Buckets whose attribute, when true, makes Terraform delete every object (and object version)
#: before deleting the bucket; without it the provider refuses to delete a bucket that is not
#: empty. Each defaults to false. Sources, the providers' resource documentation:
#: hashicorp/aws ``aws_s3_bucket`` ("all objects (including any locked objects) should be deleted
#: from the bucket when the bucket is destroyed"); hashicorp/google ``google_storage_bucket``
#: ("When deleting a bucket, this boolean option will delete all contained objects. If you try to
#: delete a bucket that contains objects, Terraform will fail that run"; Pulumi's
#: ``gcp:storage:Bucket`` ``forceDestroy`` is the same attribute); digitalocean/digitalocean
#: ``digitalocean_spaces_bucket`` ("Unless true, the bucket will only be destroyed if empty").
#: Azure has no such attribute (a storage account or container is deleted with its content).
EMPTIED_ON_DESTROY: dict[str, str] = {
    "aws_s3_bucket": "force_destroy",
    "google_storage_bucket": "force_destroy",
    "digitalocean_spaces_bucket": "force_destroy",
}


def stateful(resource_type: str) -> tuple[str, str] | None:
    """(description, DATABASE, STORAGE or CACHE) for a stateful resource type, else None."""
    return STATEFUL_TYPES.get(resource_type)


def is_database(resource_type: str) -> bool:
    entry = STATEFUL_TYPES.get(resource_type)
    return entry is not None and entry[1] == DATABASE


#: Where a resource names the database it replicates, per type: set to a real source, the
#: resource is a read replica (provider docs: ``replicate_source_db`` of ``aws_db_instance``,
#: ``replication_source_identifier`` of ``aws_rds_cluster``/``aws_neptune_cluster``,
#: ``master_instance_name`` of ``google_sql_database_instance``).
REPLICA_SOURCES: dict[str, str] = {
    "aws_db_instance": "replicate_source_db",
    "aws_rds_cluster": "replication_source_identifier",
    "aws_neptune_cluster": "replication_source_identifier",
    "google_sql_database_instance": "master_instance_name",
}
#: Cloud SQL also says it in a block of its own and in ``instance_type``.
CLOUDSQL_REPLICA_BLOCK = "replica_configuration"
CLOUDSQL_REPLICA_TYPE = "READ_REPLICA_INSTANCE"
#: Reference heads that are inputs, not other resources: their value is resolved, not assumed.
_INPUT_HEADS = frozenset({"var", "local", "each", "count", "self", "path", "terraform"})


def is_read_replica(block: Block, module: Module | Scope) -> bool:
    """A read replica holds a copy of its source: losing it, or its backups, loses no data.

    A replica names its source. A reference to another resource or module output
    (``aws_db_instance.main.identifier``, ``module.primary.instance_name``) always has a
    value, so it makes a replica. A variable or local is resolved: a non-empty value makes
    a replica, while ``null`` (the usual module default), ``""`` or an unresolvable value is
    a primary until shown otherwise. A literal ``replica_configuration`` block or
    ``instance_type = "READ_REPLICA_INSTANCE"`` marks a Cloud SQL replica too; a ``dynamic``
    one is unknown.
    """
    source = REPLICA_SOURCES.get(block.labels[0]) if block.labels else None
    if source is None:
        return False
    attr = block.get(source)
    if attr is not None and _names_a_source(attr.expr, module):
        return True
    if block.labels[0] != "google_sql_database_instance":
        return False
    if block.child(CLOUDSQL_REPLICA_BLOCK) is not None:
        return True
    instance_type = block.get("instance_type")
    return instance_type is not None and module.resolve(instance_type.expr).value == CLOUDSQL_REPLICA_TYPE


def is_replica_state(resource_type: str, values: Any) -> bool:
    """The same judgment over planned or recorded values (``change.before`` of a plan)."""
    source = REPLICA_SOURCES.get(resource_type)
    if source is None or not isinstance(values, dict):
        return False
    named = values.get(source)
    if isinstance(named, str) and named.strip():
        return True
    if resource_type != "google_sql_database_instance":
        return False
    return bool(values.get(CLOUDSQL_REPLICA_BLOCK)) or values.get("instance_type") == CLOUDSQL_REPLICA_TYPE


def _names_a_source(expr: Expr, module: Module | Scope) -> bool:
    if isinstance(module, Scope):
        expr, module = module.bound(expr)
    if expr.kind == "reference" and str(expr.value).split(".", 1)[0] not in _INPUT_HEADS:
        return True
    if expr.kind == "template":
        return True  # interpolating null is an error, so a template always yields a string
    resolved = module.resolve(expr)
    return resolved.known and isinstance(resolved.value, str) and resolved.value.strip() != ""


# --------------------------------------------------------------------------- protection settings


class Setting(Record):
    """A protection setting of one resource as Terraform would apply it.

    ``attribute`` is None when the setting is absent (then ``value`` is the provider
    default and ``span`` the resource's first line); ``where`` says how the value was
    obtained, for messages: ``= false``, ``= var.protect (from var.protect default
    (variables.tf:3))``, ``is not set (default false)``.
    """

    __slots__ = ("attribute", "instance", "name", "placed", "resolved", "resource", "value", "where")

    def __init__(
        self,
        resource: Block,
        name: str,
        attribute: Attribute | None,
        value: Any,
        where: str,
        resolved: Resolved | None = None,
        instance: Instance | None = None,
        placed: Span | None = None,
    ) -> None:
        self.resource = resource
        self.name = name
        self.attribute = attribute
        self.value = value
        self.where = where
        self.resolved = resolved
        self.instance = instance
        self.placed = placed

    @property
    def span(self) -> Span:
        """Where the finding goes (``terraform.placement``: a module call's input for a
        value it passed), else the attribute, else the resource."""
        if self.placed is not None:
            return self.placed
        if self.attribute is not None:
            return self.attribute.span
        return Span.point(self.resource.span.line, self.resource.span.column)

    @property
    def address(self) -> str:
        return self.instance.address if self.instance is not None else self.resource.address

    @property
    def anchor(self) -> str:
        return f"{self.address}.{self.name}"

    @property
    def scope(self) -> Scope | None:
        """Where the resource's other attributes are evaluated (None outside ``unsafe_settings``)."""
        return self.instance.scope if self.instance is not None else None

    @property
    def related(self) -> list[dict[str, Any]]:
        """The resource inside the child module when the finding is on a module call."""
        return self.instance.related() if self.instance is not None else []


def find_attribute(block: Block, path: str) -> tuple[Attribute | None, bool]:
    """The attribute at a dotted path (``settings.deletion_protection_enabled``) and
    whether the path is knowable: a ``dynamic`` block on the way makes it unknown, and so does
    an absence in a plan's resource that the plan does not list as unset (a plan lists every
    argument, ``null`` when unset: one it leaves out was cut from the file, not unset)."""
    *blocks, name = path.split(".")
    current = block
    for part in blocks:
        child = current.child(part)
        if child is None:
            dynamic = any(b.type == "dynamic" and b.labels[:1] == [part] for b in current.blocks)
            return None, not dynamic and (not block.instance or part in current.unset)
        current = child
    found = current.get(name)
    return found, found is not None or not block.instance or name in current.unset


def setting(
    block: Block, path: str, module: Module | Scope, default: Any, unsafe: Callable[[Any], bool]
) -> Setting | None:
    """The setting at ``path`` when its effective value is ``unsafe``; None when safe or unknown.

    Absent: the provider ``default`` applies (None means "unknown when absent").
    A literal is judged as written. A variable is judged by the value production
    would get: when a ``.tfvars`` file of the directory names production
    (``prod.tfvars``), its value wins; otherwise the value without ``-var-file``
    (default, ``terraform.tfvars``, ``*.auto.tfvars``). An unresolvable value (no
    default, a resource attribute, ``each.value``) is unknown: no finding.
    """
    attr, knowable = find_attribute(block, path)
    if attr is None or (attr.expr.kind == "literal" and attr.expr.value is None):
        if not knowable or default is None or not unsafe(default):
            return None
        if attr is not None:  # ``= null`` leaves the argument unset
            return Setting(block, path, attr, default, f"= null (default {_show(default)})")
        return Setting(block, path, None, default, f"is not set (default {_show(default)})")
    chosen = _effective(module, attr, unsafe)
    if chosen is None:
        return None
    value = plain_value(chosen)
    if attr.expr.kind == "literal":
        return Setting(block, path, attr, value, f"= {_show(value)}", chosen)
    where = f"= {attr.expr.text.strip()}, which is {_show(value)}{chosen.via}"
    return Setting(block, path, attr, value, where, chosen)


def _effective(module: Module | Scope, attr: Attribute, unsafe: Callable[[Any], bool]) -> Resolved | None:
    """The unsafe value production gets, if any (see ``setting``)."""
    candidates = module.candidates(attr.expr)
    production = [c for c in candidates[1:] if any(_production_file(o) for o in c.origins)]
    for candidate in production or candidates[:1]:
        if candidate.known and unsafe(plain_value(candidate)):
            return candidate
    return None


def _production_file(origin: Origin) -> bool:
    """A value set by a production-named .tfvars file (``prod.tfvars``), directly or through module inputs."""
    return origin.kind == TFVARS and names_production(origin.label or PurePosixPath(origin.path).name)


def unsafe_settings(
    doc: TerraformDocument,
    project: Project,
    paths: dict[str, str],
    default: Any,
    unsafe: Callable[[Any], bool],
) -> Iterator[Setting]:
    """Every resource whose type is in ``paths`` and whose setting there is unsafe: those
    ``doc`` declares and those its module calls create (``terraform.resources``), each
    reported where ``terraform.placement`` puts it.

    Read replicas are left out: their source holds the data and the backups. A resource
    with ``count`` or ``for_each`` is one block, reported once. A root configuration of
    another environment beside production's (``terraform.beside_production``) is left out:
    what may be disposable there is judged where production gets it.
    """
    if beside_production(doc, project):
        return
    for instance in resources(doc, project, *paths):
        block = instance.block
        if is_read_replica(block, instance.scope):
            continue
        found = setting(block, paths[block.labels[0]], instance.scope, default, unsafe)
        if found is None:
            continue
        found.placed = placement(instance, found.attribute, found.resolved, project)
        if found.placed is None:
            continue
        found.instance = instance
        if instance.called and found.resolved is not None:  # the child's expression would only distract
            found.where = f"= {_show(found.value)}{found.resolved.via}"
        yield found


def describe(found: Block | Setting) -> str:
    """``aws_db_instance.main (RDS DB instance)``, ``module.db.aws_db_instance.this (...)``."""
    block = found.resource if isinstance(found, Setting) else found
    address = found.address if isinstance(found, Setting) else block.address
    entry = STATEFUL_TYPES.get(block.labels[0]) if block.labels else None
    return f"{address} ({entry[0]})" if entry else address


def plain_value(resolved: Any) -> Any:
    """Booleans and numbers as Terraform converts them (``"true"``, ``"0"``): of a resolved
    Terraform value, or of any evaluated value with ``as_bool``/``as_int`` (the stack formats')."""
    as_bool = resolved.as_bool()
    if as_bool is not None:
        return as_bool
    as_int = resolved.as_int()
    return as_int if as_int is not None else resolved.value


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def is_true(value: Any) -> bool:
    return value is True


def is_false(value: Any) -> bool:
    return value is False


def is_zero(value: Any) -> bool:
    return value == 0 and not isinstance(value, bool)
