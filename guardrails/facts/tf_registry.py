"""Registry modules that are not on disk: which resource attribute each input sets, and
the input's published default.

A call such as ``module "db" { source = "terraform-aws-modules/rds/aws" }`` downloads
code we do not have offline. Each table below is read from the module's own
``variables.tf`` (the line of each variable is given, so a reviewer can check it) and
from its ``main.tf`` (the attribute the variable reaches). ``tests/test_tf_registry.py``
checks every entry against the module's files in the corpus. Only the inputs the rules
judge are listed; any other input is simply not modelled.

A call whose ``version`` constraint selects another major version than the one a table
was read from is not evaluated: defaults change between major versions.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Input(NamedTuple):
    """One module input: the resource attribute it sets (dotted for nested blocks) and its
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
)

#: Older registry namespaces that serve the same module.
_ALIASES = {"GoogleCloudPlatform/sql-db/google": "terraform-google-modules/sql-db/google"}
_BY_SOURCE = {m.source: m for m in PUBLISHED}


def published(source: str, version: str | None) -> PublishedModule | None:
    """The table for a registry ``source`` (``registry.terraform.io/`` prefix and sub-module
    allowed) when ``version`` (the call's constraint, if any) can select its major version."""
    address = source.removeprefix("registry.terraform.io/").split("?", 1)[0].rstrip("/")
    base, _, sub = address.partition("//")
    base = _ALIASES.get(base, base)
    found = _BY_SOURCE.get(f"{base}//{sub}" if sub else base)
    if found is None or (version is not None and not _selects(version, found.major)):
        return None
    return found


def _selects(constraint: str, major: int) -> bool:
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
