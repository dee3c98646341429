"""Registry modules that are not on disk: which resource attribute each input sets, and
the input's published default.

A call such as ``module "db" { source = "terraform-aws-modules/rds/aws" }`` downloads
code we do not have offline. Each table below is read from the module's own
``variables.tf`` (the line of each variable is given, so a reviewer can check it) and
from its ``main.tf`` (the attribute the variable reaches). ``tests/test_tf_registry.py``
checks every entry against the module's files in the corpus. Only the inputs the rules
judge are listed; any other input is simply not modelled.

Defaults change between major versions, so a module has one table per major read, each
checked at every release of that major (a default that changed within a major leaves that
major unread); a call whose ``version`` constraint selects no major read is not evaluated.
"""

from __future__ import annotations

import posixpath
from functools import cache
from typing import Any
from urllib.parse import parse_qs

from guardrails.facts.tf_sg_rules import groups_of
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


#: terraform-aws-modules/rds: major -> the tag read and the lines of deletion_protection,
#: skip_final_snapshot, backup_retention_period, replicate_source_db and publicly_accessible
#: in its variables.tf. Every release from v4.0.0 to v7.x declares the same defaults (false,
#: false, null, null, false; only their lines move), and main.tf passes each input unchanged
#: to modules/db_instance, which sets the attribute of the same name on its one
#: aws_db_instance.this (backup_retention_period: coalesce(var, 1) only when the input is null,
#: with blue/green updates on, from v5.1.0). Major 3 and older are not read: their
#: db_instance has a second resource, this_mssql, for SQL Server engines, and v2's
#: skip_final_snapshot and backup_retention_period defaults changed within the major.
_RDS: dict[int, tuple[str, tuple[int, int, int, int, int]]] = {
    7: ("v7", (578, 129, 322, 51, 236)),
    6: ("v6.13.1", (529, 129, 310, 51, 226)),
    5: ("v5.9.0", (460, 99, 259, 51, 181)),
    4: ("v4.7.0", (423, 84, 228, 36, 162)),
}
_RDS_INPUTS = (
    ("deletion_protection", False),
    ("skip_final_snapshot", False),
    ("backup_retention_period", None),
    ("replicate_source_db", None),
    ("publicly_accessible", False),
)

#: terraform-google-modules/sql-db: major -> the tag read and, per sub-module, the lines of
#: deletion_protection, deletion_protection_enabled, master_instance_name (0: not declared,
#: safer_mysql before v26), backup_configuration and availability_type in its variables.tf.
#: Every release from v20.0.0 to v28.1.1 declares the same defaults (true, false, null, {},
#: REGIONAL for mysql and safer_mysql, ZONAL for postgresql and mssql) and passes them to
#: the same attributes the same way (the backup expressions below are in every release).
_SQL_DB: dict[int, tuple[str, dict[str, tuple[int, int, int, int, int]]]] = {
    28: (
        "v28",
        {
            "mysql": (103, 226, 169, 320, 55),
            "postgresql": (101, 212, 158, 296, 59),
            "safer_mysql": (402, 136, 92, 235, 130),
            "mssql": (345, 110, 30, 234, 104),
        },
    ),
    27: (
        "v27.2.0",
        {
            "mysql": (103, 220, 169, 314, 55),
            "postgresql": (101, 212, 158, 296, 59),
            "safer_mysql": (395, 130, 92, 229, 124),
            "mssql": (345, 110, 30, 234, 104),
        },
    ),
    26: (
        "v26.2.2",
        {
            "mysql": (103, 220, 169, 314, 55),
            "postgresql": (101, 212, 158, 296, 59),
            "safer_mysql": (395, 130, 92, 229, 124),
            "mssql": (343, 110, 30, 233, 104),
        },
    ),
    25: (
        "v25.2.2",
        {
            "mysql": (103, 213, 169, 307, 55),
            "postgresql": (101, 206, 158, 290, 59),
            "safer_mysql": (368, 109, 0, 208, 103),
            "mssql": (337, 110, 30, 233, 104),
        },
    ),
    24: (
        "v24.0.1",
        {
            "mysql": (98, 208, 164, 303, 49),
            "postgresql": (89, 194, 146, 278, 53),
            "safer_mysql": (350, 103, 0, 202, 97),
            "mssql": (331, 104, 30, 227, 98),
        },
    ),
    23: (
        "v23.0.0",
        {
            "mysql": (414, 112, 56, 213, 106),
            "postgresql": (386, 108, 30, 201, 102),
            "safer_mysql": (350, 103, 0, 202, 97),
            "mssql": (331, 104, 30, 227, 98),
        },
    ),
    22: (
        "v22.1.0",
        {
            "mysql": (414, 112, 56, 213, 106),
            "postgresql": (385, 108, 30, 201, 102),
            "safer_mysql": (349, 103, 0, 202, 97),
            "mssql": (331, 104, 30, 227, 98),
        },
    ),
    21: (
        "v21.0.2",
        {
            "mysql": (415, 112, 56, 213, 106),
            "postgresql": (387, 108, 30, 201, 102),
            "safer_mysql": (350, 103, 0, 202, 97),
            "mssql": (325, 104, 30, 221, 98),
        },
    ),
    20: (
        "v20.2.0",
        {
            "mysql": (414, 112, 56, 213, 106),
            "postgresql": (386, 108, 30, 201, 102),
            "safer_mysql": (350, 103, 0, 202, 97),
            "mssql": (325, 104, 30, 221, 98),
        },
    ),
}

#: Cloud SQL backups: ``backup_configuration = { enabled = false }`` reaches the instance's
#: ``settings.backup_configuration.enabled`` through the module's locals (``backups_enabled``),
#: which a REGIONAL instance overrides. The object's ``optional(bool, false)`` field defaults
#: are not applied: an unset ``enabled`` reads as the ``lookup`` fallback the module wrote.
_SQL_BACKUPS = {
    "postgresql": (
        'var.availability_type == "REGIONAL" ? lookup(var.backup_configuration, "enabled", true)'
        ' : lookup(var.backup_configuration, "enabled", false)',
        "ZONAL",
    ),
    "mysql": (
        'var.availability_type == "REGIONAL" ? true : lookup(var.backup_configuration, "enabled", null)',
        "REGIONAL",
    ),
}
_SQL_DB_ADDRESS = {"safer_mysql": "module.safer_mysql.google_sql_database_instance.default"}


def _rds(major: int) -> PublishedModule:
    tag, lines = _RDS[major]
    return PublishedModule(
        "terraform-aws-modules/rds/aws",
        major,
        f"terraform-aws-modules/terraform-aws-rds {tag} variables.tf",
        "aws_db_instance",
        "module.db_instance.aws_db_instance.this",
        {name: Input(name, default, line) for (name, default), line in zip(_RDS_INPUTS, lines, strict=True)},
    )


def _sql_db(sub: str, major: int) -> PublishedModule:
    """A sql-db sub-module at ``major``; mysql and postgresql add their backup inputs, read by
    ``settings.backup_configuration.enabled``."""
    tag, by_sub = _SQL_DB[major]
    protection, enabled, master, backups, availability = by_sub[sub]
    inputs = {
        "deletion_protection": Input("deletion_protection", True, protection),
        "deletion_protection_enabled": Input("settings.deletion_protection_enabled", False, enabled),
    }
    if master:
        inputs["master_instance_name"] = Input("master_instance_name", None, master)
    if sub in _SQL_BACKUPS:
        value, zone = _SQL_BACKUPS[sub]
        inputs["backup_configuration"] = Input("settings.backup_configuration.enabled", {}, backups, value)
        inputs["availability_type"] = Input("settings.availability_type", zone, availability)
    return PublishedModule(
        f"terraform-google-modules/sql-db/google//modules/{sub}",
        major,
        f"terraform-google-modules/terraform-google-sql-db {tag} modules/{sub}/variables.tf",
        "google_sql_database_instance",
        _SQL_DB_ADDRESS.get(sub, "google_sql_database_instance.default"),
        inputs,
    )


PUBLISHED: tuple[PublishedModule, ...] = (
    *(_rds(major) for major in _RDS),
    *(_sql_db(sub, major) for major in _SQL_DB for sub in ("mysql", "postgresql", "safer_mysql", "mssql")),
    *(
        PublishedModule(
            "terraform-aws-modules/rds-aurora/aws",
            major,
            f"terraform-aws-modules/terraform-aws-rds-aurora {tag} variables.tf",
            "aws_rds_cluster",
            "aws_rds_cluster.this",
            {
                "deletion_protection": Input("deletion_protection", None, lines[0]),
                **({"skip_final_snapshot": Input("skip_final_snapshot", False, lines[1])} if lines[1] else {}),
                "backup_retention_period": Input("backup_retention_period", retention, lines[2]),
                "replication_source_identifier": Input("replication_source_identifier", None, lines[3]),
            },
        )
        # The same defaults at every release of each major (v7.0.0 to v10.2.0), but for
        # backup_retention_period: 7 through v8.5.0, null (the provider's 1) from v9.0.0; main.tf
        # passes each input unchanged to aws_rds_cluster.this. In major 7 skip_final_snapshot is
        # not read (line 0): its default changed between releases (null to v7.5.1, false from
        # v7.6.0), so a call that leaves it unset, or sets it, is not judged on it.
        for major, tag, retention, lines in (
            (10, "v10.2.0", None, (180, 384, 90, 332)),
            (9, "v9.16.1", None, (174, 348, 84, 318)),
            (8, "v8.5.0", 7, (126, 276, 84, 246)),
            (7, "v7.7.1", 7, (145, 0, 103, 247)),
        )
    ),
    *(
        PublishedModule(
            "terraform-aws-modules/s3-bucket/aws",
            major,
            f"terraform-aws-modules/terraform-aws-s3-bucket {tag} variables.tf",
            "aws_s3_bucket",
            "aws_s3_bucket.this",
            {"force_destroy": Input("force_destroy", False, line)},
        )
        # false at every release from v3.0.0 to v5.15.4, passed unchanged to aws_s3_bucket.this.
        for major, tag, line in ((5, "v5.15.4", 148), (4, "v4.11.0", 136), (3, "v3.15.2", 118))
    ),
    *(
        PublishedModule(
            "terraform-google-modules/cloud-storage/google//modules/simple_bucket",
            major,
            f"terraform-google-modules/terraform-google-cloud-storage {tag} modules/simple_bucket/variables.tf",
            "google_storage_bucket",
            "google_storage_bucket.bucket",
            {"force_destroy": Input("force_destroy", False, line)},
        )
        # false at every release from v2.0.0 to v12.3.0, passed unchanged to the one
        # google_storage_bucket.bucket (no count); the line moved within major 8 (66, then 35).
        for major, tag, line in (
            (12, "v12.3.0", 35),
            (11, "v11.1.2", 35),
            (10, "v10.0.2", 35),
            (9, "v9.1.0", 35),
            (8, "v8.0.3", 35),
            (7, "v7.0.0", 66),
            (6, "v6.1.0", 66),
            (5, "v5.0.0", 66),
            (4, "v4.0.1", 60),
            (3, "v3.4.1", 60),
            (2, "v2.2.0", 60),
        )
    ),
    *(
        PublishedModule(
            "terraform-aws-modules/dynamodb-table/aws",
            major,
            f"terraform-aws-modules/terraform-aws-dynamodb-table {tag} variables.tf",
            "aws_dynamodb_table",
            "aws_dynamodb_table.this",
            {"deletion_protection_enabled": Input("deletion_protection_enabled", None, line)},
        )
        # null (the provider's false) at every release from v3.2.0 to v5.5.0, passed unchanged;
        # v3.0.0 to v3.1.2 do not declare it and leave the attribute unset, which is the same.
        for major, tag, line in ((5, "v5.5.0", 174), (4, "v4.4.0", 174), (3, "v3.3.0", 168))
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
#: The security-group inputs that open ingress to CIDR blocks, with their default: the same in
#: the root module and every generated sub-module (one template), at every release from
#: v3.0.0 to v5.x.
_SG_DEFAULTS: dict[str, Any] = {
    "create": True,
    "ingress_rules": [],
    "ingress_cidr_blocks": [],
    "ingress_ipv6_cidr_blocks": [],
    "ingress_with_cidr_blocks": [],
    "ingress_with_ipv6_cidr_blocks": [],
    "computed_ingress_rules": [],
    "computed_ingress_with_cidr_blocks": [],
    "computed_ingress_with_ipv6_cidr_blocks": [],
    "number_of_computed_ingress_rules": 0,
    "number_of_computed_ingress_with_cidr_blocks": 0,
    "number_of_computed_ingress_with_ipv6_cidr_blocks": 0,
}
#: major -> the tag read, and the lines of those defaults (in the order above) in the root
#: module's variables.tf and in a sub-module's. From v3.0.0 to v5.x the root's CIDR rule
#: resources read these inputs the same way (from v4.9.0 ``create`` is also gated by
#: ``putin_khuylo``, default true; from v4.17.1 empty CIDR strings are dropped; v3.0.0 to
#: v3.5.0 also give the self and source-security-group rules the IPv6 CIDRs, not judged), and
#: every sub-module's main.tf passes them to the root the same way, adding its group's rules.
_SG_LINES: dict[int, tuple[str, tuple[int, ...], tuple[int, ...]]] = {
    5: (
        "v5",
        (7, 76, 106, 112, 88, 94, 133, 145, 151, 172, 184, 190),
        (7, 50, 86, 92, 62, 68, 107, 119, 125, 164, 176, 182),
    ),
    4: (
        "v4.17.2",
        (7, 76, 106, 112, 88, 94, 127, 139, 145, 160, 172, 178),
        (7, 50, 80, 86, 62, 68, 101, 113, 119, 152, 164, 170),
    ),
    3: (
        "v3.18.0",
        (7, 50, 80, 86, 62, 68, 101, 113, 119, 134, 146, 152),
        (7, 50, 80, 86, 62, 68, 101, 113, 119, 152, 164, 170),
    ),
}


def _security_group(sub: str, major: int) -> PublishedModule:
    """The security-group module (``sub`` empty) or one of its generated sub-modules, whose
    ``//modules/<group>`` adds the group's named rules (``tf_sg_rules.groups_of``)."""
    tag, root, generated = _SG_LINES[major]
    lines = generated if sub else root
    path = f"modules/{sub}/" if sub else ""
    return PublishedModule(
        f"{_SG}//modules/{sub}" if sub else _SG,
        major,
        f"terraform-aws-modules/terraform-aws-security-group {tag} {path}variables.tf",
        "aws_security_group",
        "module.sg.aws_security_group.this" if sub else "aws_security_group.this",
        {name: Input("", default, line) for (name, default), line in zip(_SG_DEFAULTS.items(), lines, strict=True)},
    )


@cache
def security_groups() -> tuple[PublishedModule, ...]:
    """The security-group module's tables, root and sub-modules, at every major read: some 170,
    made when a scan first meets a registry module call, not on every start (1 ms)."""
    return tuple(
        table
        for major in _SG_LINES
        for table in (_security_group("", major), *(_security_group(g, major) for g in groups_of(major)))
    )


def is_security_group(source: str) -> bool:
    """Whether a table's source is the security-group module or one of its sub-modules."""
    return source == _SG or source.startswith(f"{_SG}//modules/")


#: Older registry namespaces that serve the same module.
_ALIASES = {"GoogleCloudPlatform/sql-db/google": "terraform-google-modules/sql-db/google"}


@cache
def _by_source() -> dict[str, list[PublishedModule]]:
    found: dict[str, list[PublishedModule]] = {}
    for table in (*PUBLISHED, *security_groups()):
        found.setdefault(table.source, []).append(table)
    return found


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


def git_source(text: str) -> tuple[str, str | None] | None:
    """The registry address and version of a GitHub source of a published module, or None:
    ``git::https://github.com/terraform-aws-modules/terraform-aws-rds.git//modules/x?ref=v6.1.0``
    is ``terraform-aws-modules/rds/aws//modules/x`` at ``6.1.0``. The registry publishes a
    ``terraform-<provider>-<name>`` repository's version tags as its versions (Terraform docs,
    "Publishing Modules"), so a tag ref selects the same code; a branch or commit ref selects no
    major (``selects``), and no ref is the default branch."""
    base = text.split("::", 1)[-1]
    base, _, query = base.partition("?")
    if "://" in base:
        base = base.split("://", 1)[1]
    repository, _, sub = base.removeprefix("git@").partition("//")
    name = repository.rstrip("/").removesuffix(".git").replace(":", "/").split("/")
    if len(name) < 2 or not repository.split("/")[0].startswith("github.com"):
        return None
    pieces = name[-1].split("-", 2)
    if len(pieces) != 3 or pieces[0] != "terraform":
        return None
    sub = _sub_path(sub)
    address = f"{name[-2]}/{pieces[2]}/{pieces[1]}" + (f"//{sub}" if sub else "")
    ref = next(iter(parse_qs(query).get("ref", [])), None)
    return address, ref.removeprefix("v") if ref else None


def _address(source: str) -> str:
    """A registry source without its ``registry.terraform.io/`` prefix, query or trailing slash."""
    address = source.removeprefix("registry.terraform.io/").split("?", 1)[0].rstrip("/")
    base, _, sub = address.partition("//")
    base = _ALIASES.get(base, base)
    sub = _sub_path(sub)
    return f"{base}//{sub}" if sub else base


def _sub_path(sub: str) -> str:
    """``//modules/mysql`` -> ``modules/mysql``; ``//.`` and ``//`` name the module's own root
    (the form Terragrunt's docs use for a source without a sub-directory) -> ``""``."""
    path = posixpath.normpath(sub.strip("/")) if sub.strip("/") else ""
    return "" if path == "." else path


def published(source: str, version: str | None) -> PublishedModule | None:
    """The table for a registry ``source`` (``registry.terraform.io/`` prefix and sub-module
    allowed) that ``version`` (the call's constraint, if any) selects: the newest major read,
    as ``terraform init`` would download it."""
    tables = _by_source().get(_address(source), [])
    usable = [t for t in tables if version is None or selects(version, t.major)]
    return max(usable, key=lambda t: t.major, default=None)


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
