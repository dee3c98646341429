"""Registry modules that are not on disk: which resource attribute each input sets, and
the input's published default.

A call such as ``module "db" { source = "terraform-aws-modules/rds/aws" }`` downloads
code we do not have offline. Each table below is read from the module's own
``variables.tf`` (the line of each variable is given, so a reviewer can check it) and
from its ``main.tf`` (the attribute the variable reaches). ``tests/test_tf_registry.py``
checks every entry against the module's files in the corpus. Only the inputs the rules
judge are listed; any other input is simply not modelled.

A call whose ``version`` constraint selects another major version than the one a table
was read from is evaluated only where a table says that major's inputs reach the same
attributes (``same_inputs``, checked at every release of that major): then an input the
call sets is judged, while an input it leaves unset is unknown, since defaults change
between major versions. Any other major is not evaluated.
"""

from __future__ import annotations

from typing import Any

from guardrails.facts.tf_sg_rules import GROUPS
from guardrails.records import Frozen


class Input(Frozen):
    """One module input: the resource attribute it sets (dotted for nested blocks; empty when
    a module-specific fact reads the input, as ``facts.tf_security_group`` does) and its
    published default, written on ``line`` of the module's variables.tf. ``value`` is the
    module's own expression for the attribute, copied from its main.tf, when the attribute is
    more than the input itself (a field of an object input, a choice on another input)."""

    attribute: str
    default: Any
    line: int
    value: str = ""


class PublishedModule(Frozen):
    source: str  # registry address, with ``//sub-module`` when the table is for one
    major: int  # the major version the table was read from
    reference: str  # the file the defaults come from
    resource: str  # the resource type the inputs land on
    address: str  # where the resource sits inside the module
    inputs: dict[str, Input]
    #: Other major versions whose every release passes each input to the same attribute
    #: the same way: their calls are judged on what they set; their defaults were not read.
    same_inputs: tuple[int, ...] = ()
    #: False for such another major: no input has a known default.
    defaults: bool = True


_RDS_SOURCE = "terraform-aws-modules/terraform-aws-rds v7 variables.tf"
_SQL_DB = "terraform-google-modules/terraform-google-sql-db v28 modules/{}/variables.tf"

#: Cloud SQL backups: ``backup_configuration = { enabled = false }`` reaches the instance's
#: ``settings.backup_configuration.enabled`` through the module's locals (``backups_enabled``),
#: which a REGIONAL instance overrides. The object's ``optional(bool, false)`` field defaults
#: are not applied: an unset ``enabled`` reads as the ``lookup`` fallback the module wrote.
_SQL_BACKUPS = {
    "postgresql": (
        'var.availability_type == "REGIONAL" ? lookup(var.backup_configuration, "enabled", true)'
        ' : lookup(var.backup_configuration, "enabled", false)',
        ("ZONAL", 59),
        296,
    ),
    "mysql": (
        'var.availability_type == "REGIONAL" ? true : lookup(var.backup_configuration, "enabled", null)',
        ("REGIONAL", 55),
        320,
    ),
}


def _sql_backups(sub: str) -> dict[str, Input]:
    """The backup inputs of a sql-db sub-module (v28.1.1), read by ``settings.backup_configuration.enabled``."""
    value, (availability, availability_line), line = _SQL_BACKUPS[sub]
    attribute = "settings.backup_configuration.enabled"
    return {
        "backup_configuration": Input(attribute, {}, line, value),
        "availability_type": Input("settings.availability_type", availability, availability_line),
    }


PUBLISHED: tuple[PublishedModule, ...] = (
    PublishedModule(
        "terraform-aws-modules/rds/aws",
        7,
        _RDS_SOURCE,
        "aws_db_instance",
        "module.db_instance.aws_db_instance.this",
        {
            "deletion_protection": Input("deletion_protection", False, 578),
            "skip_final_snapshot": Input("skip_final_snapshot", False, 129),
            "backup_retention_period": Input("backup_retention_period", None, 322),
            "replicate_source_db": Input("replicate_source_db", None, 51),
            "publicly_accessible": Input("publicly_accessible", False, 236),
        },
        # v6.0.0 to v6.13.1: main.tf passes each input unchanged to modules/db_instance, which
        # sets the attribute of the same name (backup_retention_period: coalesce(var, 1) only
        # when the input is null, with blue/green updates on).
        same_inputs=(6,),
    ),
    PublishedModule(
        "terraform-google-modules/sql-db/google//modules/mysql",
        28,
        _SQL_DB.format("mysql"),
        "google_sql_database_instance",
        "google_sql_database_instance.default",
        {
            **_sql_backups("mysql"),
            "deletion_protection": Input("deletion_protection", True, 103),
            "deletion_protection_enabled": Input("settings.deletion_protection_enabled", False, 226),
            "master_instance_name": Input("master_instance_name", None, 169),
        },
    ),
    PublishedModule(
        "terraform-google-modules/sql-db/google//modules/postgresql",
        28,
        _SQL_DB.format("postgresql"),
        "google_sql_database_instance",
        "google_sql_database_instance.default",
        {
            **_sql_backups("postgresql"),
            "deletion_protection": Input("deletion_protection", True, 101),
            "deletion_protection_enabled": Input("settings.deletion_protection_enabled", False, 212),
            "master_instance_name": Input("master_instance_name", None, 158),
        },
    ),
    PublishedModule(
        "terraform-google-modules/sql-db/google//modules/safer_mysql",
        28,
        _SQL_DB.format("safer_mysql"),
        "google_sql_database_instance",
        "module.safer_mysql.google_sql_database_instance.default",
        {
            "deletion_protection": Input("deletion_protection", True, 402),
            "deletion_protection_enabled": Input("settings.deletion_protection_enabled", False, 136),
            "master_instance_name": Input("master_instance_name", None, 92),
        },
    ),
    PublishedModule(
        "terraform-google-modules/sql-db/google//modules/mssql",
        28,
        _SQL_DB.format("mssql"),
        "google_sql_database_instance",
        "google_sql_database_instance.default",
        {
            "deletion_protection": Input("deletion_protection", True, 345),
            "deletion_protection_enabled": Input("settings.deletion_protection_enabled", False, 110),
            "master_instance_name": Input("master_instance_name", None, 30),
        },
    ),
    PublishedModule(
        "terraform-aws-modules/rds-aurora/aws",
        10,
        "terraform-aws-modules/terraform-aws-rds-aurora v10.2.0 variables.tf",
        "aws_rds_cluster",
        "aws_rds_cluster.this",
        {
            "deletion_protection": Input("deletion_protection", None, 180),
            "skip_final_snapshot": Input("skip_final_snapshot", False, 384),
            "backup_retention_period": Input("backup_retention_period", None, 90),
            "replication_source_identifier": Input("replication_source_identifier", None, 332),
        },
    ),
    PublishedModule(
        "terraform-aws-modules/s3-bucket/aws",
        5,
        "terraform-aws-modules/terraform-aws-s3-bucket v5.15.4 variables.tf",
        "aws_s3_bucket",
        "aws_s3_bucket.this",
        {"force_destroy": Input("force_destroy", False, 148)},
    ),
    PublishedModule(
        "terraform-aws-modules/dynamodb-table/aws",
        5,
        "terraform-aws-modules/terraform-aws-dynamodb-table v5.5.0 variables.tf",
        "aws_dynamodb_table",
        "aws_dynamodb_table.this",
        {"deletion_protection_enabled": Input("deletion_protection_enabled", None, 174)},
    ),
    PublishedModule(
        "cloudposse/rds/aws",
        1,
        "cloudposse/terraform-aws-rds v1.3.0 variables.tf",
        "aws_db_instance",
        "aws_db_instance.default",
        {
            "deletion_protection": Input("deletion_protection", False, 75),
            "skip_final_snapshot": Input("skip_final_snapshot", True, 227),
            "backup_retention_period": Input("backup_retention_period", 0, 239),
            "replicate_source_db": Input("replicate_source_db", None, 368),
            "publicly_accessible": Input("publicly_accessible", False, 174),
        },
    ),
    PublishedModule(
        "cloudposse/rds-cluster/aws",
        1,
        "cloudposse/terraform-aws-rds-cluster v1.18.0 variables.tf",
        "aws_rds_cluster",
        "aws_rds_cluster.primary",
        {
            "deletion_protection": Input("deletion_protection", False, 318),
            "skip_final_snapshot": Input("skip_final_snapshot", True, 306),
            "retention_period": Input("backup_retention_period", 5, 94),
            "replication_source_identifier": Input("replication_source_identifier", "", 354),
        },
    ),
    *(
        PublishedModule(
            "cloudposse/documentdb-cluster/aws",
            major,
            f"cloudposse/terraform-aws-documentdb-cluster {tag} variables.tf",
            "aws_docdb_cluster",
            "aws_docdb_cluster.default",
            {
                "deletion_protection": Input("deletion_protection", False, lines[0]),
                "skip_final_snapshot": Input("skip_final_snapshot", True, lines[1]),
                "retention_period": Input("backup_retention_period", 5, lines[2]),
            },
        )
        # The defaults are the same in both majors (0.x from 0.14.0 to v0.30.2); their lines moved.
        for major, tag, lines in ((0, "0.14.0", (133, 127, 68)), (1, "v1.1.0", (196, 190, 114)))
    ),
    *(
        PublishedModule(
            "cloudposse/elasticache-redis/aws",
            major,
            f"cloudposse/terraform-aws-elasticache-redis {tag} variables.tf, variables-deprecated.tf, "
            "security_group_inputs.tf, context.tf",
            "aws_elasticache_replication_group",
            "aws_elasticache_replication_group.default",
            {
                "port": Input("port", 6379, 38),
                "allowed_cidr_blocks": Input("", [], 32),
                "create_security_group": Input("", True, 7),
                "enabled": Input("", None, 99),
            },
        )
        # The same defaults, on the same lines, at v1.10.0 and v2.1.0.
        for major, tag in ((1, "v1.10.0"), (2, "v2.1.0"))
    ),
    PublishedModule(
        "terraform-aws-modules/elasticache/aws",
        1,
        "terraform-aws-modules/terraform-aws-elasticache v1.10.3 variables.tf",
        "aws_elasticache_replication_group",
        "aws_elasticache_replication_group.this",
        {
            "create": Input("", True, 4),
            "engine": Input("", "redis", 62),
            "create_security_group": Input("", True, 399),
            "security_group_rules": Input("", {}, 429),
        },
        # The same defaults at every release from v1.0.0 to v1.10.3 (only the last two moved).
    ),
    PublishedModule(
        "cloudposse/dynamodb/aws",
        0,
        "cloudposse/terraform-aws-dynamodb v0.37.0 variables.tf",
        "aws_dynamodb_table",
        "aws_dynamodb_table.default",
        {"deletion_protection_enabled": Input("deletion_protection_enabled", False, 186)},
    ),
)

_SG = "terraform-aws-modules/security-group/aws"
_SG_SOURCE = "terraform-aws-modules/terraform-aws-security-group v5 {}variables.tf"
#: The security-group inputs that open ingress to CIDR blocks, with the line of their default
#: in the root module's variables.tf and in every generated sub-module's (one template).
_SG_INPUTS: dict[str, tuple[Any, int, int]] = {
    "create": (True, 7, 7),
    "ingress_rules": ([], 76, 50),
    "ingress_cidr_blocks": ([], 106, 86),
    "ingress_ipv6_cidr_blocks": ([], 112, 92),
    "ingress_with_cidr_blocks": ([], 88, 62),
    "ingress_with_ipv6_cidr_blocks": ([], 94, 68),
    "computed_ingress_rules": ([], 133, 107),
    "computed_ingress_with_cidr_blocks": ([], 145, 119),
    "computed_ingress_with_ipv6_cidr_blocks": ([], 151, 125),
    "number_of_computed_ingress_rules": (0, 172, 164),
    "number_of_computed_ingress_with_cidr_blocks": (0, 184, 176),
    "number_of_computed_ingress_with_ipv6_cidr_blocks": (0, 190, 182),
}


def _security_group(sub: str) -> PublishedModule:
    """The security-group module (``sub`` empty) or one of its generated sub-modules, whose
    ``//modules/<group>`` adds the group's named rules (``tf_sg_rules.GROUPS``)."""
    column = 2 if sub else 1
    return PublishedModule(
        f"{_SG}//modules/{sub}" if sub else _SG,
        5,
        _SG_SOURCE.format(f"modules/{sub}/" if sub else ""),
        "aws_security_group",
        "module.sg.aws_security_group.this" if sub else "aws_security_group.this",
        {name: Input("", row[0], row[column]) for name, row in _SG_INPUTS.items()},
        # v4.0.0 to v4.17.2 declare every input above, and their rule resources read them as
        # v5 does (v5 only drops empty CIDR strings). Sub-modules add rule groups that differ.
        same_inputs=() if sub else (4,),
    )


SECURITY_GROUPS: tuple[PublishedModule, ...] = (_security_group(""), *(_security_group(g) for g in GROUPS))

#: Older registry namespaces that serve the same module.
_ALIASES = {"GoogleCloudPlatform/sql-db/google": "terraform-google-modules/sql-db/google"}
_BY_SOURCE: dict[str, list[PublishedModule]] = {}
for _table in (*PUBLISHED, *SECURITY_GROUPS):
    _BY_SOURCE.setdefault(_table.source, []).append(_table)


class DatastoreIngress(Frozen):
    """A datastore module that creates its own security group admitting ``cidrs`` (an input
    listing CIDR blocks) on TCP ``port`` (an input), unless one of ``switches`` is false."""

    cidrs: str
    port: str
    switches: tuple[str, ...]


#: cloudposse/elasticache-redis main.tf (v1.10.0, v2.1.0): ``legacy_cidr_ingress_rule`` and the
#: ``rule_matrix`` of its ``cloudposse/security-group`` call open ``var.port`` to
#: ``var.allowed_cidr_blocks``; ``module.this.enabled`` and ``create_security_group`` gate it.
DATASTORE_INGRESS: dict[str, DatastoreIngress] = {
    "cloudposse/elasticache-redis/aws": DatastoreIngress(
        "allowed_cidr_blocks", "port", ("enabled", "create_security_group")
    ),
}


class RuleMapIngress(Frozen):
    """A datastore module that creates its own security group with one rule per entry of
    ``rules`` (a map input of objects whose fields are named after the arguments of
    ``aws_vpc_security_group_ingress_rule``), unless one of ``switches`` is false. An entry
    whose ``type`` is ``ingress`` (when absent) admits its ``cidr_ipv4`` and ``cidr_ipv6`` on
    ``ip_protocol`` (``tcp`` when absent) from ``from_port`` to ``to_port``; either port, when
    absent, is the engine's: ``ports`` by the value of the ``engine`` input, else ``port``."""

    rules: str
    engine: str
    ports: dict[str, int]
    port: int
    switches: tuple[str, ...]


#: terraform-aws-modules/elasticache main.tf, the same at every release from v1.0.0 to v1.10.3:
#: ``aws_vpc_security_group_ingress_rule.this`` iterates ``var.security_group_rules`` where
#: ``local.create_security_group`` (``var.create && var.create_security_group``) and
#: ``try(v.type, "ingress") == "ingress"``, with ``ip_protocol = try(each.value.ip_protocol, "tcp")``,
#: ``cidr_ipv4``/``cidr_ipv6`` from ``lookup(each.value, ...)`` and ``from_port``/``to_port``
#: ``try(each.value.from_port, local.port)``, where ``local.port = var.engine == "memcached" ?
#: 11211 : 6379`` (not the ``port`` input, which only the cache's own port reads).
RULE_MAP_INGRESS: dict[str, RuleMapIngress] = {
    "terraform-aws-modules/elasticache/aws": RuleMapIngress(
        "security_group_rules", "engine", {"memcached": 11211}, 6379, ("create", "create_security_group")
    ),
}


class RecordsModule(Frozen):
    """A DNS module whose ``input`` lists records as objects with the resource's own argument
    names (``name``, ``type``, ``ttl``, ``records``, ``alias``, routing policies): each entry
    becomes one ``resource`` of the module, read like a record written directly."""

    source: str
    majors: tuple[int, ...]
    reference: str  # where the entry's fields reach the resource
    resource: str
    address: str
    input: str
    keyed: bool  # a map whose key names the record, rather than a list


RECORD_MODULES: tuple[RecordsModule, ...] = (
    RecordsModule(
        "terraform-aws-modules/route53/aws//modules/records",
        (2, 3, 4, 5),
        "terraform-aws-modules/terraform-aws-route53 v2.0.0 to v5.0.0 modules/records/main.tf"
        ' (ttl = lookup(each.value, "ttl", null))',
        "aws_route53_record",
        "aws_route53_record.this",
        "records",
        False,
    ),
    RecordsModule(
        "terraform-aws-modules/route53/aws",
        (6,),
        "terraform-aws-modules/terraform-aws-route53 v6.4.0 main.tf (ttl = each.value.ttl)",
        "aws_route53_record",
        "aws_route53_record.this",
        "records",
        True,
    ),
)


class FirewallRulesModule(Frozen):
    """An Azure database module that creates one firewall rule per entry of ``input`` (objects
    with ``start``/``end`` address fields) on its server, whose public network access is the
    ``public`` input (default ``public_default``; None: not set, the provider's default true)."""

    source: str
    majors: tuple[int, ...]
    reference: str
    server: str  # the server's address inside the module
    input: str
    start: str
    end: str
    public: str
    public_default: bool | None


FIREWALL_RULE_MODULES: tuple[FirewallRulesModule, ...] = (
    FirewallRulesModule(
        "Azure/postgresql/azurerm",
        (3,),
        "Azure/terraform-azurerm-postgresql 3.2.0 variables.tf (firewall_rules line 78,"
        " public_network_access_enabled line 102) and main.tf",
        "azurerm_postgresql_server.server",
        "firewall_rules",
        "start_ip",
        "end_ip",
        "public_network_access_enabled",
        False,
    ),
    FirewallRulesModule(
        "Azure/postgresql/azurerm",
        (2,),
        "Azure/terraform-azurerm-postgresql 2.1.0 variables.tf (firewall_rules line 89) and main.tf"
        " (no public_network_access_enabled)",
        "azurerm_postgresql_server.server",
        "firewall_rules",
        "start_ip",
        "end_ip",
        "",
        None,
    ),
)


def firewall_rules_module(source: str, version: str | None) -> FirewallRulesModule | None:
    """The Azure database module (at the newest major the constraint selects), if any."""
    address = _address(source)
    found = [
        (major, module)
        for module in FIREWALL_RULE_MODULES
        for major in module.majors
        if module.source == address and (version is None or selects(version, major))
    ]
    return max(found, key=lambda pair: pair[0])[1] if found else None


def records_module(source: str, version: str | None) -> RecordsModule | None:
    """The records module a call's ``source`` and ``version`` constraint select, if any."""
    address = _address(source)
    for module in RECORD_MODULES:
        if module.source == address and (version is None or any(selects(version, m) for m in module.majors)):
            return module
    return None


def _address(source: str) -> str:
    """A registry source without its ``registry.terraform.io/`` prefix, query or trailing slash."""
    address = source.removeprefix("registry.terraform.io/").split("?", 1)[0].rstrip("/")
    base, _, sub = address.partition("//")
    base = _ALIASES.get(base, base)
    return f"{base}//{sub}" if sub else base


def published(source: str, version: str | None) -> PublishedModule | None:
    """The table for a registry ``source`` (``registry.terraform.io/`` prefix and sub-module
    allowed) that ``version`` (the call's constraint, if any) selects: the newest major read,
    as ``terraform init`` would download it; else a major a table lists in ``same_inputs``,
    whose defaults are unknown."""
    tables = _BY_SOURCE.get(_address(source), [])
    usable = [t for t in tables if version is None or selects(version, t.major)]
    if usable or version is None:
        return max(usable, key=lambda t: t.major, default=None)
    for table in sorted(tables, key=lambda t: -t.major):
        major = next((m for m in table.same_inputs if selects(version, m)), None)
        if major is not None:
            reference = table.reference.replace(f" v{table.major}", f" v{major}", 1)
            return table._replace(major=major, reference=reference, defaults=False)
    return None


def selects(constraint: str, major: int) -> bool:
    """Whether a version constraint can pick ``major``: ``~> 6.0``, ``6.1.0`` and ``= 6``
    pin the major, ``>=``/``>``/``<``/``<=`` bound it; anything else (``!=``) is not modelled."""
    for part in constraint.split(","):
        text = part.strip()
        operator = text.rstrip("0123456789.- ").strip() if text else ""
        number = text[len(operator) :].strip()
        first = number.split(".", 1)[0]
        if not first.isdigit():
            return False
        if operator in ("", "=", "~>") and int(first) != major:
            return False
        if operator in (">=", ">") and int(first) > major:
            return False
        if (operator == "<" and int(first) <= major) or (operator == "<=" and int(first) < major):
            return False
        if operator not in ("", "=", "~>", ">=", ">", "<", "<="):
            return False
    return True
