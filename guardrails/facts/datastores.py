"""What guardrails knows about datastore images: ports and how authentication works.

Facts from the images' own documentation (docker-library docs, Bitnami READMEs,
vendor docs); see docs/datastores.md. Users add images through configuration
(``datastores:`` in .guardrails.yaml), which goes through ``Datastore.from_config``.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Datastore:
    """One datastore family.

    ``auth_env``: setting any of these enables authentication; ``auth_env_all``: all
    of these are needed together (mongo's root user and password); ``open_env``:
    variable=value pairs that disable authentication (compared case-insensitively);
    ``auth_flags``/``open_flags``: the same on the command line; ``secure_by_default``:
    what the image does when nothing is set (postgres refuses to start without a
    password, so it is not "open"; mongo and redis accept anyone).
    """

    name: str
    images: tuple[str, ...]
    ports: tuple[int, ...]
    auth_env: tuple[str, ...] = ()
    auth_env_all: tuple[str, ...] = ()
    open_env: tuple[tuple[str, str], ...] = ()
    auth_flags: tuple[str, ...] = ()
    open_flags: tuple[tuple[str, str], ...] = ()
    secure_by_default: bool = False
    default_credentials: tuple[tuple[str, str], ...] = field(default=())
    note: str = ""

    def matches(self, image: str) -> bool:
        repo = image_repository(image)
        return any(fnmatch.fnmatchcase(repo, pattern) for pattern in self.images)

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> Datastore:
        return cls(
            name=str(data["name"]),
            images=tuple(data.get("images", [])),
            ports=tuple(int(p) for p in data.get("ports", [])),
            auth_env=tuple(data.get("auth_env", [])),
            auth_env_all=tuple(data.get("auth_env_all", [])),
            open_env=tuple((str(k), str(v)) for k, v in data.get("open_env", {}).items()),
            auth_flags=tuple(data.get("auth_flags", [])),
            secure_by_default=bool(data.get("secure_by_default", False)),
        )


def image_repository(image: str) -> str:
    """``docker.io/library/mongo:6@sha256:…`` -> ``mongo``; ``bitnami/redis:7`` -> ``bitnami/redis``."""
    ref = image.strip().split("@", 1)[0]
    parts = ref.split("/")
    last = parts[-1].split(":", 1)[0]
    parts[-1] = last
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if parts and parts[0] == "library":
        parts = parts[1:]
    return "/".join(parts).lower()


def image_tag(image: str) -> str:
    ref = image.strip().split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else ""


BUILTIN: tuple[Datastore, ...] = (
    Datastore(
        "PostgreSQL",
        ("postgres", "postgis/postgis", "timescale/timescaledb*", "bitnami/postgresql*", "*/postgres"),
        (5432,),
        auth_env=("POSTGRES_PASSWORD", "POSTGRES_PASSWORD_FILE", "POSTGRESQL_PASSWORD"),
        open_env=(("POSTGRES_HOST_AUTH_METHOD", "trust"), ("ALLOW_EMPTY_PASSWORD", "yes")),
        secure_by_default=True,
        note="the official image refuses to start without POSTGRES_PASSWORD unless trust is chosen",
    ),
    Datastore(
        "MySQL",
        ("mysql", "mysql/mysql-server", "bitnami/mysql", "percona", "percona/percona-server"),
        (3306, 33060),
        auth_env=("MYSQL_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD_FILE", "MYSQL_RANDOM_ROOT_PASSWORD", "MYSQL_PASSWORD"),
        open_env=(("MYSQL_ALLOW_EMPTY_PASSWORD", "*"), ("ALLOW_EMPTY_PASSWORD", "yes")),
        secure_by_default=True,
    ),
    Datastore(
        "MariaDB",
        ("mariadb", "bitnami/mariadb*", "linuxserver/mariadb"),
        (3306,),
        auth_env=(
            "MARIADB_ROOT_PASSWORD",
            "MARIADB_ROOT_PASSWORD_HASH",
            "MARIADB_ROOT_PASSWORD_FILE",
            "MARIADB_RANDOM_ROOT_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "MYSQL_RANDOM_ROOT_PASSWORD",
        ),
        open_env=(
            ("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "*"),
            ("MYSQL_ALLOW_EMPTY_PASSWORD", "*"),
            ("ALLOW_EMPTY_PASSWORD", "yes"),
        ),
        secure_by_default=True,
    ),
    Datastore(
        "MongoDB",
        ("mongo", "mongodb/mongodb-community-server", "bitnami/mongodb*", "percona/percona-server-mongodb"),
        (27017,),
        auth_env_all=("MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD"),
        auth_env=("MONGODB_ROOT_PASSWORD", "MONGODB_PASSWORD"),
        open_env=(("ALLOW_EMPTY_PASSWORD", "yes"),),
        auth_flags=("--auth", "--keyFile"),
        note="the official image runs without authentication unless both MONGO_INITDB_ROOT_* are set",
    ),
    Datastore(
        "Redis",
        ("redis", "redis/redis-stack*", "bitnami/redis*", "valkey/valkey", "eqalpha/keydb"),
        (6379,),
        auth_env=("REDIS_PASSWORD", "REDIS_PASSWORD_FILE", "VALKEY_PASSWORD"),
        open_env=(("ALLOW_EMPTY_PASSWORD", "yes"),),
        auth_flags=("--requirepass", "--aclfile"),
        open_flags=(("--protected-mode", "no"),),
        note="the official image turns protected mode off: an exposed port is open to anyone",
    ),
)


def find_datastore(image: str, extra: tuple[Datastore, ...] = ()) -> Datastore | None:
    for store in (*extra, *BUILTIN):
        if store.matches(image):
            return store
    return None


_FALSE = {"", "0", "false", "no", "off"}


@dataclass(frozen=True, slots=True)
class AuthState:
    """``open`` is True when anyone reaching the port gets in; ``reason`` says why."""

    open: bool
    reason: str


def auth_state(store: Datastore, env: dict[str, str | None], words: list[str]) -> AuthState:
    """Decide from environment and command-line words whether the datastore asks for credentials.

    A variable whose value cannot be resolved here (``${DB_PASSWORD}`` with no default)
    counts as set: it is provided at deploy time.
    """
    for key, expected in store.open_env:
        if key in env and env[key] is not None:
            value = (env[key] or "").strip().lower()
            if (expected == "*" and value not in _FALSE) or value == expected.lower():
                return AuthState(True, f"{key}={env[key]} disables authentication")
    has_auth_flag = any(w.split("=", 1)[0] in store.auth_flags for w in words)
    for flag, value in store.open_flags:
        for i, word in enumerate(words):
            given = (
                word.split("=", 1)[1]
                if word.startswith(flag + "=")
                else (words[i + 1] if word == flag and i + 1 < len(words) else None)
            )
            if given is not None and given.lower() == value and not has_auth_flag:
                return AuthState(True, f"{flag} {value} without a password")
    if has_auth_flag:
        return AuthState(False, "authentication enabled on the command line")
    for key in store.auth_env:
        if key in env and (env[key] is None or env[key] != ""):
            return AuthState(False, f"{key} is set")
    if store.auth_env_all and all(k in env and env[k] != "" for k in store.auth_env_all):
        return AuthState(False, " and ".join(store.auth_env_all) + " are set")
    if store.secure_by_default:
        return AuthState(False, store.note or "the image requires credentials by default")
    needed = " and ".join(store.auth_env_all) if store.auth_env_all else " or ".join(store.auth_env + store.auth_flags)
    return AuthState(True, f"no authentication configured (set {needed})")
