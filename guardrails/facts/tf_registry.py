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

from typing import Any, NamedTuple

from guardrails.facts.tf_sg_rules import GROUPS


class Input(NamedTuple):
    """One module input: the resource attribute it sets (dotted for nested blocks; empty when
    a module-specific fact reads the input, as ``facts.tf_security_group`` does) and its
    published default, written on ``line`` of the module's variables.tf."""

    attribute: str
    default: Any
    line: int


class PublishedModule(NamedTuple):
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
_BY_SOURCE = {m.source: m for m in (*PUBLISHED, *SECURITY_GROUPS)}


def published(source: str, version: str | None) -> PublishedModule | None:
    """The table for a registry ``source`` (``registry.terraform.io/`` prefix and sub-module
    allowed) when ``version`` (the call's constraint, if any) can select its major version."""
    address = source.removeprefix("registry.terraform.io/").split("?", 1)[0].rstrip("/")
    base, _, sub = address.partition("//")
    base = _ALIASES.get(base, base)
    found = _BY_SOURCE.get(f"{base}//{sub}" if sub else base)
    if found is None or version is None or selects(version, found.major):
        return found
    major = next((m for m in found.same_inputs if selects(version, m)), None)
    if major is None:
        return None
    reference = found.reference.replace(f" v{found.major}", f" v{major}", 1)
    return found._replace(major=major, reference=reference, defaults=False)


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
