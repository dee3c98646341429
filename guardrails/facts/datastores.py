"""What guardrails knows about datastore images: ports and how authentication works.

One data table (``BUILTIN``), documented in docs/datastores.md, with facts from the
images' own documentation (docker-library docs, Bitnami READMEs, vendor docs). Users
add or override families through configuration (``datastores:``), which goes through
``Datastore.from_config``; entries given there are looked up before the built-in ones.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from guardrails import deferred_re
from guardrails.fingerprint import secret_fingerprint
from guardrails.model import Incident
from guardrails.records import Frozen

NEWSBLUR = Incident(
    "NewsBlur: MongoDB published by Docker past the firewall, database dropped by a bot",
    "2021-06-23",
    "https://blog.newsblur.com/2021/06/28/story-of-a-hacking/",
)

# Ports a datastore family is recognised by when no image says what listens there
# (a security group, a Service with no matching workload). Generic web ports such as
# 8080 or 9000 are left out: on their own they say nothing about a datastore.
_GENERIC_PORTS = frozenset({80, 443, 8080, 8000, 9000, 9001, 9009, 9600, 8181, 7000, 7001, 7199, 2888, 3888, 2380})


def glob(name: str, pattern: str) -> bool:
    """``fnmatch.fnmatchcase``, without a regular expression for a pattern whose only wildcard is
    ``*`` (all but one of the table's image, variable and flag patterns): fnmatch compiles one
    per pattern, 5M instructions for the families a small manifest's three images are looked up in."""
    if "?" in pattern or "[" in pattern:
        return fnmatch.fnmatchcase(name, pattern)
    if "*" not in pattern:
        return name == pattern
    first, *middle, last = pattern.split("*")
    if len(name) < len(first) + len(last) or not name.startswith(first) or not name.endswith(last):
        return False
    position, end = len(first), len(name) - len(last)
    for part in middle:  # each in turn, leftmost, between the fixed start and end
        found = name.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


class Datastore(Frozen):
    """One datastore family and how its images handle authentication.

    ``auth_env``: any of these set (``KEY``) or matching (``KEY=glob``) enables
    authentication; ``auth_env_all``: all are needed together (mongo's root user and
    password); ``open_env``: (KEY, glob) pairs that disable it, compared
    case-insensitively; ``auth_flags``/``open_flags``: the same on the command line.
    ``password_flags`` are the command-line flags whose value is the password
    (``--requirepass``), ``args_env`` the variables whose value the image's entrypoint
    adds to the server's command line (redis-stack's ``REDIS_ARGS``).
    ``secure_by_default``: the image refuses anonymous access (or refuses to start)
    when nothing is set; ``open_before``: a version (``"8"``, ``"2.12"``) below which
    the image is open by default whatever ``secure_by_default`` says, read from the
    image tag. ``default_user`` is the account the image creates when no user is
    named, ``default_credentials`` the documented (user, password) pairs anyone can
    try. ``commands`` are the server binaries, recognised in scripts and Dockerfiles.
    ``tokens`` are the words of an image name (``acme/postgres-custom``) that make an
    image outside the table this family, when it also listens on one of ``ports``
    (``find_datastore``).
    """

    name: str
    images: tuple[str, ...]
    ports: tuple[int, ...]
    commands: tuple[str, ...] = ()
    auth_env: tuple[str, ...] = ()
    auth_env_all: tuple[str, ...] = ()
    open_env: tuple[tuple[str, str], ...] = ()
    auth_flags: tuple[str, ...] = ()
    open_flags: tuple[tuple[str, str], ...] = ()
    secure_by_default: bool = False
    open_before: str = ""
    default_user: str = ""
    user_env: tuple[str, ...] = ()
    password_env: tuple[str, ...] = ()
    credential_env: tuple[str, ...] = ()
    password_flags: tuple[str, ...] = ()
    args_env: tuple[str, ...] = ()
    default_credentials: tuple[tuple[str, str], ...] = ()
    default_behaviour: str = ""
    bind_flags: tuple[str, ...] = ()
    command_listens_all: bool = False
    command_secure_by_default: bool = False
    tokens: tuple[str, ...] = ()

    def matches(self, image: str) -> bool:
        repo = image_repository(image)
        return any(glob(repo, pattern) for pattern in self.images)

    @property
    def signature_ports(self) -> tuple[int, ...]:
        """The ports that identify this family without an image (see ``_GENERIC_PORTS``)."""
        return tuple(p for p in self.ports if p not in _GENERIC_PORTS)

    @classmethod
    def from_config(cls, data: Mapping[str, Any]) -> Datastore:
        """A family from configuration; unknown keys are an error, not silently ignored.

        ``open_env`` is a mapping ``{KEY: glob}`` or a list of ``KEY=glob``;
        ``open_flags`` a mapping ``{flag: value}``; ``default_credentials`` a list of
        ``user/password`` strings or ``[user, password]`` pairs.
        """
        known = set(cls._fields)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"datastore {data.get('name', '?')!r}: unknown keys {sorted(unknown)}")
        if not data.get("name") or not data.get("images"):
            raise ValueError("a datastore needs a name and at least one image pattern")

        def strings(key: str) -> tuple[str, ...]:
            value = data.get(key, ())
            if isinstance(value, str):
                return (value,)
            return tuple(str(v) for v in value)

        def pairs(key: str, sep: str) -> tuple[tuple[str, str], ...]:
            value = data.get(key, ())
            if isinstance(value, Mapping):
                return tuple((str(k), str(v).lower() if isinstance(v, bool) else str(v)) for k, v in value.items())
            out: list[tuple[str, str]] = []
            for item in value:
                if isinstance(item, str):
                    left, found, right = item.partition(sep)
                    if not found:
                        raise ValueError(f"datastore {data['name']!r}: {key} entry {item!r} needs {sep!r}")
                    out.append((left, right))
                else:
                    left, right = item
                    out.append((str(left), str(right)))
            return tuple(out)

        return cls(
            name=str(data["name"]),
            images=strings("images"),
            ports=tuple(int(p) for p in data.get("ports", ())),
            commands=strings("commands"),
            auth_env=strings("auth_env"),
            auth_env_all=strings("auth_env_all"),
            open_env=pairs("open_env", "="),
            auth_flags=strings("auth_flags"),
            open_flags=pairs("open_flags", "="),
            secure_by_default=bool(data.get("secure_by_default", False)),
            open_before=str(data.get("open_before", "")),
            default_user=str(data.get("default_user", "")),
            user_env=strings("user_env"),
            password_env=strings("password_env"),
            credential_env=strings("credential_env"),
            password_flags=strings("password_flags"),
            args_env=strings("args_env"),
            default_credentials=pairs("default_credentials", "/"),
            default_behaviour=str(data.get("default_behaviour", "")),
            bind_flags=strings("bind_flags"),
            command_listens_all=bool(data.get("command_listens_all", False)),
            command_secure_by_default=bool(data.get("command_secure_by_default", False)),
            tokens=strings("tokens"),
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


_VERSION = deferred_re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def tag_version(tag: str) -> tuple[int, ...] | None:
    """``7.17.10`` -> (7, 17, 10); ``8-alpine`` -> (8,); ``latest`` or '' -> None (unknown)."""
    match = _VERSION.match(tag.strip())
    if not match:
        return None
    return tuple(int(g) for g in match.groups() if g is not None)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def _bitnami_yes(key: str) -> tuple[tuple[str, str], ...]:
    """A Bitnami switch turned on: the images' scripts read it with ``is_boolean_yes``, which
    takes yes, true and 1 in any case (bitnami/containers, libvalidations.sh)."""
    return tuple((key, value) for value in ("yes", "true", "1"))


_BITNAMI_OPEN = _bitnami_yes("ALLOW_EMPTY_PASSWORD")
_BITNAMI_NOTE = "Bitnami images refuse to start without a password unless ALLOW_EMPTY_PASSWORD=yes"

BUILTIN: tuple[Datastore, ...] = (
    # -- Bitnami first: the same software with other variables and safer defaults.
    Datastore(
        "PostgreSQL (Bitnami)",
        ("bitnami/postgresql*",),
        (5432,),
        commands=(),
        auth_env=("POSTGRESQL_PASSWORD", "POSTGRESQL_PASSWORD_FILE", "POSTGRES_PASSWORD"),
        open_env=_BITNAMI_OPEN,
        secure_by_default=True,
        default_user="postgres",
        user_env=("POSTGRESQL_USERNAME", "POSTGRES_USER"),
        password_env=("POSTGRESQL_PASSWORD", "POSTGRESQL_POSTGRES_PASSWORD", "POSTGRES_PASSWORD"),
        default_behaviour=_BITNAMI_NOTE,
    ),
    Datastore(
        "MySQL (Bitnami)",
        ("bitnami/mysql",),
        (3306,),
        auth_env=("MYSQL_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD_FILE"),
        open_env=_BITNAMI_OPEN,
        secure_by_default=True,
        default_user="root",
        user_env=("MYSQL_ROOT_USER", "MYSQL_USER"),
        password_env=("MYSQL_ROOT_PASSWORD", "MYSQL_PASSWORD"),
        default_behaviour=_BITNAMI_NOTE,
    ),
    Datastore(
        "MariaDB (Bitnami)",
        ("bitnami/mariadb*",),
        (3306,),
        auth_env=("MARIADB_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD_FILE"),
        open_env=_BITNAMI_OPEN,
        secure_by_default=True,
        default_user="root",
        user_env=("MARIADB_ROOT_USER", "MARIADB_USER"),
        password_env=("MARIADB_ROOT_PASSWORD", "MARIADB_PASSWORD"),
        default_behaviour=_BITNAMI_NOTE,
    ),
    Datastore(
        "MongoDB (Bitnami)",
        ("bitnami/mongodb*",),
        (27017,),
        auth_env=("MONGODB_ROOT_PASSWORD", "MONGODB_ROOT_PASSWORD_FILE"),
        open_env=_BITNAMI_OPEN,
        secure_by_default=True,
        default_user="root",
        user_env=("MONGODB_ROOT_USER", "MONGODB_USERNAME"),
        password_env=("MONGODB_ROOT_PASSWORD", "MONGODB_PASSWORD"),
        default_behaviour=_BITNAMI_NOTE,
    ),
    Datastore(
        "Redis (Bitnami)",
        ("bitnami/redis*", "bitnami/valkey*"),
        (6379,),
        auth_env=("REDIS_PASSWORD", "REDIS_PASSWORD_FILE", "VALKEY_PASSWORD", "VALKEY_PASSWORD_FILE"),
        open_env=_BITNAMI_OPEN,
        secure_by_default=True,
        password_env=("REDIS_PASSWORD", "VALKEY_PASSWORD"),
        default_behaviour=_BITNAMI_NOTE + "; Bitnami Redis is always configured with remote access enabled",
    ),
    # -- Official images and vendors.
    Datastore(
        "PostgreSQL",
        (
            "postgres",
            "postgis/postgis",
            "mdillon/postgis",
            "timescale/timescaledb*",
            "*/postgres",
            "pgvector/pgvector",
            "ankane/pgvector",
        ),
        (5432,),
        commands=("postgres", "postmaster"),
        tokens=("postgres", "postgresql", "postgis", "timescaledb", "pgvector"),
        auth_env=("POSTGRES_PASSWORD", "POSTGRES_PASSWORD_FILE"),
        open_env=(("POSTGRES_HOST_AUTH_METHOD", "trust"),),
        secure_by_default=True,
        default_user="postgres",
        user_env=("POSTGRES_USER",),
        password_env=("POSTGRES_PASSWORD",),
        default_behaviour="the image exits unless POSTGRES_PASSWORD is set or trust is chosen",
    ),
    Datastore(
        "MySQL",
        (
            "mysql",
            "mysql/mysql-server",
            "mysql/community-server",
            "percona",
            "percona/percona-server",
            "percona/percona-xtradb-cluster",
        ),
        (3306, 33060),
        commands=("mysqld",),
        tokens=("mysql", "percona"),
        auth_env=("MYSQL_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD_FILE", "MYSQL_RANDOM_ROOT_PASSWORD"),
        # Any non-empty value, "no" and "false" included: the entrypoint only tests that the variable
        # is not empty, then gives root the empty MYSQL_ROOT_PASSWORD, on every host by default
        # (docker-library/mysql docker-entrypoint.sh; the image's docs: "Set to a non-empty value, like yes").
        open_env=(("MYSQL_ALLOW_EMPTY_PASSWORD", "?*"),),
        secure_by_default=True,
        default_user="root",
        user_env=("MYSQL_USER",),
        password_env=("MYSQL_ROOT_PASSWORD", "MYSQL_PASSWORD"),
        default_behaviour="the image exits unless a root password option is chosen",
    ),
    Datastore(
        "MariaDB",
        ("mariadb", "linuxserver/mariadb"),
        (3306,),
        commands=("mariadbd",),
        tokens=("mariadb",),
        auth_env=(
            "MARIADB_ROOT_PASSWORD",
            "MARIADB_ROOT_PASSWORD_HASH",
            "MARIADB_ROOT_PASSWORD_FILE",
            "MARIADB_RANDOM_ROOT_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "MYSQL_ROOT_PASSWORD_FILE",
            "MYSQL_RANDOM_ROOT_PASSWORD",
        ),
        # Any non-empty value, as for MySQL (MariaDB/mariadb-docker docker-entrypoint.sh tests `-z`).
        open_env=(("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "?*"), ("MYSQL_ALLOW_EMPTY_PASSWORD", "?*")),
        secure_by_default=True,
        default_user="root",
        user_env=("MARIADB_USER", "MYSQL_USER"),
        password_env=("MARIADB_ROOT_PASSWORD", "MARIADB_PASSWORD", "MYSQL_ROOT_PASSWORD", "MYSQL_PASSWORD"),
        default_behaviour="the image exits unless a root password option is chosen",
    ),
    Datastore(
        "MongoDB",
        (
            "mongo",
            "mongodb/mongodb-community-server",
            "mongodb/mongodb-enterprise-server",
            "percona/percona-server-mongodb",
        ),
        (27017,),
        commands=("mongod",),
        tokens=("mongo", "mongodb"),
        auth_env_all=("MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD"),
        auth_env=("MONGO_INITDB_ROOT_PASSWORD_FILE",),
        auth_flags=("--auth", "--keyFile"),
        open_flags=(("--noauth", ""),),
        bind_flags=("--bind_ip_all", "--bind_ip"),
        user_env=("MONGO_INITDB_ROOT_USERNAME",),
        password_env=("MONGO_INITDB_ROOT_PASSWORD",),
        default_behaviour="the image runs without authentication unless both MONGO_INITDB_ROOT_USERNAME "
        "and MONGO_INITDB_ROOT_PASSWORD are set",
    ),
    Datastore(
        "Redis",
        (
            "redis",
            "redis/redis-stack*",
            "valkey/valkey",
            "eqalpha/keydb",
            "redislabs/redismod",
            "redislabs/redisearch",
            "redislabs/rejson",
        ),
        (6379,),
        commands=("redis-server", "valkey-server", "keydb-server"),
        tokens=("redis", "valkey", "keydb"),
        auth_env=("REDIS_ARGS=*requirepass*",),
        auth_flags=("--requirepass", "--aclfile"),
        open_flags=(("--protected-mode", "no"),),
        bind_flags=("--bind",),
        command_listens_all=True,
        command_secure_by_default=True,
        password_env=("REDIS_PASSWORD",),
        # redis.io/docs/latest/operate/oss_and_stack/management/config: every redis.conf
        # directive is also a ``--name value`` argument; redis-stack's entrypoint appends
        # REDIS_ARGS to the redis-server command line (redis/redis-stack README).
        password_flags=("--requirepass", "--masterauth"),
        args_env=("REDIS_ARGS",),
        default_behaviour="the image turns protected mode off: without --requirepass anyone can connect",
    ),
    Datastore(
        "Elasticsearch (Bitnami)",
        ("bitnami/elasticsearch*",),
        (9200, 9300),
        auth_env=tuple(f"{key}={value}" for key, value in _bitnami_yes("ELASTICSEARCH_ENABLE_SECURITY")),
        open_env=(("ELASTICSEARCH_ENABLE_SECURITY", "no"), ("ELASTICSEARCH_ENABLE_SECURITY", "false")),
        user_env=(),
        password_env=("ELASTICSEARCH_PASSWORD",),
        default_user="elastic",
        default_behaviour="Bitnami Elasticsearch runs without security unless ELASTICSEARCH_ENABLE_SECURITY=yes",
    ),
    Datastore(
        "Elasticsearch",
        ("elasticsearch", "elasticsearch/elasticsearch", "elastic/elasticsearch", "blacktop/elasticsearch"),
        (9200, 9300),
        commands=("elasticsearch",),
        tokens=("elasticsearch",),
        auth_env=("ELASTIC_PASSWORD", "ELASTIC_PASSWORD_FILE", "xpack.security.enabled=true"),
        open_env=(("xpack.security.enabled", "false"), ("ES_SETTING_XPACK_SECURITY_ENABLED", "false")),
        open_flags=(("-Expack.security.enabled", "false"),),
        bind_flags=("-Enetwork.host",),
        secure_by_default=True,
        open_before="8",
        default_user="elastic",
        password_env=("ELASTIC_PASSWORD",),
        default_credentials=(("elastic", "changeme"),),
        default_behaviour="security is on by default from 8.0; before 8.0 it is off unless xpack.security.enabled=true",
    ),
    Datastore(
        "OpenSearch",
        ("opensearchproject/opensearch", "bitnami/opensearch", "amazon/opendistro-for-elasticsearch"),
        (9200, 9600),
        commands=("opensearch",),
        tokens=("opensearch",),
        auth_env=("OPENSEARCH_INITIAL_ADMIN_PASSWORD",),
        open_env=(("DISABLE_SECURITY_PLUGIN", "true"), ("plugins.security.disabled", "true")),
        secure_by_default=True,
        open_before="2.12",
        default_user="admin",
        password_env=("OPENSEARCH_INITIAL_ADMIN_PASSWORD",),
        default_credentials=(("admin", "admin"),),
        default_behaviour="2.12+ refuses to start without OPENSEARCH_INITIAL_ADMIN_PASSWORD; before 2.12 the demo "
        "security configuration accepts admin/admin",
    ),
    Datastore(
        "CouchDB",
        ("couchdb", "apache/couchdb", "bitnami/couchdb"),
        (5984,),
        tokens=("couchdb",),
        auth_env_all=("COUCHDB_USER", "COUCHDB_PASSWORD"),
        user_env=("COUCHDB_USER",),
        password_env=("COUCHDB_PASSWORD",),
        default_behaviour="without COUCHDB_USER and COUCHDB_PASSWORD the node starts in admin party mode",
    ),
    Datastore(
        "RabbitMQ",
        ("rabbitmq", "bitnami/rabbitmq"),
        (5672, 15672),
        commands=("rabbitmq-server",),
        tokens=("rabbitmq",),
        auth_env=("RABBITMQ_DEFAULT_PASS", "RABBITMQ_DEFAULT_PASS_FILE", "RABBITMQ_PASSWORD"),
        default_user="guest",
        user_env=("RABBITMQ_DEFAULT_USER", "RABBITMQ_USERNAME"),
        password_env=("RABBITMQ_DEFAULT_PASS", "RABBITMQ_PASSWORD"),
        default_credentials=(("guest", "guest"),),
        default_behaviour="without RABBITMQ_DEFAULT_USER/PASS the image keeps guest/guest, which its default "
        "configuration lets in from any address",
    ),
    Datastore(
        "Neo4j",
        ("neo4j", "bitnami/neo4j"),
        (7474, 7687),
        commands=("neo4j",),
        tokens=("neo4j",),
        auth_env=("NEO4J_AUTH", "NEO4J_PASSWORD"),
        open_env=(("NEO4J_AUTH", "none"), ("NEO4J_dbms_security_auth__enabled", "false")),
        secure_by_default=True,
        default_user="neo4j",
        credential_env=("NEO4J_AUTH",),
        password_env=("NEO4J_PASSWORD",),
        default_credentials=(("neo4j", "neo4j"),),
        default_behaviour="neo4j/neo4j must be changed at first login",
    ),
    Datastore(
        "ClickHouse (Yandex image)",
        ("yandex/clickhouse-server",),
        (8123, 9000, 9009),
        auth_env=("CLICKHOUSE_PASSWORD",),
        default_user="default",
        user_env=("CLICKHOUSE_USER",),
        password_env=("CLICKHOUSE_PASSWORD",),
        default_behaviour="the retired Yandex image lets the password-less default user in from any address",
    ),
    Datastore(
        "ClickHouse",
        ("clickhouse/clickhouse-server", "clickhouse", "bitnami/clickhouse"),
        (8123, 9000),
        commands=("clickhouse-server",),
        tokens=("clickhouse",),
        auth_env=("CLICKHOUSE_PASSWORD", "CLICKHOUSE_ADMIN_PASSWORD"),
        open_env=_BITNAMI_OPEN,
        secure_by_default=True,
        default_user="default",
        user_env=("CLICKHOUSE_USER", "CLICKHOUSE_ADMIN_USER"),
        password_env=("CLICKHOUSE_PASSWORD", "CLICKHOUSE_ADMIN_PASSWORD"),
        default_behaviour="the password-less default user has no network access unless CLICKHOUSE_USER, "
        "CLICKHOUSE_PASSWORD or CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT is set",
    ),
    Datastore(
        "InfluxDB",
        ("influxdb", "bitnami/influxdb"),
        (8086, 8181),
        commands=("influxd",),
        tokens=("influxdb",),
        auth_env=(
            "INFLUXDB_HTTP_AUTH_ENABLED=true",
            "DOCKER_INFLUXDB_INIT_MODE=setup",
            "DOCKER_INFLUXDB_INIT_PASSWORD",
            "INFLUXDB_ADMIN_USER_PASSWORD",
        ),
        open_env=(("INFLUXDB_HTTP_AUTH_ENABLED", "false"),),
        secure_by_default=True,
        open_before="2",
        user_env=("DOCKER_INFLUXDB_INIT_USERNAME", "INFLUXDB_ADMIN_USER"),
        password_env=("DOCKER_INFLUXDB_INIT_PASSWORD", "INFLUXDB_ADMIN_USER_PASSWORD"),
        default_behaviour="InfluxDB 1.x serves its HTTP API without authentication unless "
        "INFLUXDB_HTTP_AUTH_ENABLED=true; 2.x and 3.x use tokens",
    ),
    Datastore(
        "Memcached",
        ("memcached", "bitnami/memcached"),
        (11211,),
        commands=("memcached",),
        tokens=("memcached",),
        auth_flags=("-S", "--enable-sasl"),
        bind_flags=("-l", "--listen"),
        auth_env=("MEMCACHED_PASSWORD",),
        password_env=("MEMCACHED_PASSWORD",),
        default_behaviour="memcached has no authentication unless SASL is enabled (-S)",
    ),
    Datastore(
        "Cassandra",
        ("cassandra", "bitnami/cassandra", "datastax/dse-server"),
        (9042, 9160, 7000, 7001, 7199),
        commands=("cassandra",),
        tokens=("cassandra",),
        auth_env=("CASSANDRA_PASSWORD", "CASSANDRA_AUTHENTICATOR=PasswordAuthenticator"),
        open_env=(("CASSANDRA_AUTHENTICATOR", "AllowAllAuthenticator"),),
        default_user="cassandra",
        user_env=("CASSANDRA_USER",),
        password_env=("CASSANDRA_PASSWORD",),
        default_credentials=(("cassandra", "cassandra"),),
        default_behaviour="the default AllowAllAuthenticator accepts every client",
    ),
    # Sources: Elastic's -oss distribution ships without X-Pack security (elastic.co, 7.10 docs);
    # Dragonfly reads every flag from a DFLY_<flag> variable (dragonflydb.io, "Server flags");
    # `cockroach start --insecure` (cockroachlabs.com, "cockroach start"); MinIO's root user
    # defaults to minioadmin/minioadmin (min.io, "MINIO_ROOT_USER").
    Datastore(
        "Elasticsearch OSS",
        ("elasticsearch/elasticsearch-oss",),
        (9200, 9300),
        default_behaviour="the -oss distribution has no security features: anyone reaching it reads and deletes",
    ),
    Datastore(
        "Dragonfly",
        ("dragonflydb/dragonfly",),
        (6379,),
        commands=("dragonfly",),
        auth_env=("DFLY_requirepass",),
        auth_flags=("--requirepass",),
        bind_flags=("--bind",),
        password_env=("DFLY_requirepass",),
        # dragonflydb.io/docs/managing-dragonfly/flags: --requirepass, --masterauth.
        password_flags=("--requirepass", "--masterauth"),
        tokens=("dragonfly", "dragonflydb"),
        default_behaviour="Dragonfly accepts every client unless --requirepass (DFLY_requirepass) is set",
    ),
    Datastore(
        "CockroachDB",
        ("cockroachdb/cockroach*",),
        (26257, 8080),
        commands=("cockroach",),
        open_flags=(("--insecure", ""),),
        secure_by_default=True,
        default_user="root",
        tokens=("cockroach", "cockroachdb"),
        default_behaviour="a secure node needs certificates to start; --insecure turns authentication and TLS off",
    ),
    Datastore(
        "MinIO",
        ("minio/minio",),
        (9000, 9001),
        commands=("minio",),
        auth_env=("MINIO_ROOT_PASSWORD", "MINIO_ROOT_PASSWORD_FILE", "MINIO_SECRET_KEY", "MINIO_SECRET_KEY_FILE"),
        default_user="minioadmin",
        user_env=("MINIO_ROOT_USER", "MINIO_ACCESS_KEY"),
        password_env=("MINIO_ROOT_PASSWORD", "MINIO_SECRET_KEY"),
        default_credentials=(("minioadmin", "minioadmin"),),
        tokens=("minio",),
        default_behaviour="without MINIO_ROOT_USER/MINIO_ROOT_PASSWORD the server accepts minioadmin/minioadmin",
    ),
    Datastore(
        "ZooKeeper",
        ("zookeeper", "bitnami/zookeeper", "confluentinc/cp-zookeeper"),
        (2181, 2888, 3888, 8080),
        commands=("zkServer.sh",),
        auth_env=("ZOO_ENABLE_AUTH=yes", "ZOO_ENABLE_AUTH=true", "ZOO_SERVER_PASSWORDS", "ZOO_CLIENT_PASSWORD"),
        open_env=_bitnami_yes("ALLOW_ANONYMOUS_LOGIN"),
        default_behaviour="ZooKeeper accepts unauthenticated clients by default",
    ),
    Datastore(
        "Kafka",
        ("apache/kafka*", "confluentinc/cp-kafka", "confluentinc/cp-server", "bitnami/kafka", "wurstmeister/kafka"),
        (9092,),
        commands=("kafka-server-start.sh",),
        auth_env=(
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=*SASL*",
            "KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP=*SASL*",
            "KAFKA_SSL_CLIENT_AUTH=required",
            "KAFKA_CFG_SSL_CLIENT_AUTH=required",
        ),
        open_env=_bitnami_yes("ALLOW_PLAINTEXT_LISTENER"),
        default_behaviour="Kafka listeners are PLAINTEXT without client authentication by default",
    ),
    Datastore(
        "Redpanda",
        ("vectorized/redpanda", "redpandadata/redpanda"),
        (9092, 8082),
        commands=("redpanda", "rpk"),
        auth_flags=("*enable_sasl=true*", "*kafka_enable_authorization=true*"),
        default_behaviour="the Kafka API and HTTP proxy accept any client unless SASL is enabled "
        "(redpanda.enable_sasl=true)",
    ),
    Datastore(
        "etcd",
        ("coreos/etcd", "etcd-development/etcd", "bitnami/etcd", "etcd"),
        (2379, 2380),
        commands=("etcd",),
        auth_env=("ETCD_ROOT_PASSWORD", "ETCD_CLIENT_CERT_AUTH=true"),
        auth_flags=("--client-cert-auth",),
        bind_flags=("--listen-client-urls",),
        open_env=_bitnami_yes("ALLOW_NONE_AUTHENTICATION"),
        password_env=("ETCD_ROOT_PASSWORD",),
        default_user="root",
        default_behaviour="etcd serves clients without authentication unless auth or client certificates are enabled",
    ),
)


# Words that make an image a tool around a datastore rather than the datastore it names
# (postgres-exporter, mongo-express, redis-commander, pgbouncer, elasticsearch-curator...).
_NOT_THE_SERVER = frozenset(
    {
        "admin",
        "adminer",
        "agent",
        "backup",
        "backups",
        "beat",
        "bouncer",
        "browser",
        "cli",
        "client",
        "commander",
        "connector",
        "curator",
        "dashboard",
        "dump",
        "exporter",
        "express",
        "gui",
        "init",
        "insight",
        "kibana",
        "logstash",
        "metrics",
        "migrate",
        "migration",
        "migrations",
        "monitor",
        "operator",
        "pgbouncer",
        "pgpool",
        "proxy",
        "restore",
        "sentinel",
        "sidecar",
        "tools",
        "ui",
        "web",
    }
)


def find_datastore(image: str, extra: Iterable[Datastore] = (), ports: Iterable[int] = ()) -> Datastore | None:
    """The family an image belongs to; configured families first, then the built-in table.

    An image outside the table (``ghcr.io/acme/postgres-pgaudit``) is recognised by a
    family's name token *and* a container port of that family in ``ports`` (both, so
    that ``postgres-exporter`` on 9187 stays a web app). Its defaults are not the
    official image's: the family returned claims no default, only what the
    configuration says (secure unless an opening variable or flag is set).
    """
    families = (*extra, *BUILTIN)
    for store in families:
        if store.matches(image):
            return store
    wanted = set(ports)
    if not wanted:
        return None
    words = set(re.split(r"[/_.\-]+", image_repository(image)))
    if words & _NOT_THE_SERVER:
        return None
    for store in families:
        if words & set(store.tokens) and wanted & set(store.ports):
            return store._replace(
                name=f"{store.name}, recognised by name and port",
                secure_by_default=True,
                open_before="",
                default_behaviour="an image outside the table, assumed to ask for credentials",
            )
    return None


#: Programs that talk to a datastore rather than serve one: the clients, dump and readiness tools
#: the official images ship (PostgreSQL client applications, MySQL/MariaDB client programs,
#: MongoDB Database Tools and mongosh, redis-cli, cqlsh, influx, clickhouse-client). A container
#: whose command is one of them starts no server (facts/container_command.py).
CLIENT_PROGRAMS = frozenset(
    {
        "psql",
        "pg_dump",
        "pg_dumpall",
        "pg_restore",
        "pg_isready",
        "pg_basebackup",
        "createdb",
        "dropdb",
        "createuser",
        "mysql",
        "mysqldump",
        "mysqladmin",
        "mysqlimport",
        "mariadb",
        "mariadb-dump",
        "mariadb-admin",
        "mongosh",
        "mongo",
        "mongodump",
        "mongorestore",
        "mongoimport",
        "mongoexport",
        "redis-cli",
        "valkey-cli",
        "cqlsh",
        "influx",
        "clickhouse-client",
    }
)

#: Entrypoint scripts that start the server when given its command (docker-library's
#: ``docker-entrypoint.sh``, Bitnami's ``entrypoint.sh`` and ``run.sh``): a script that runs one
#: may start the datastore.
ENTRYPOINT_PROGRAMS = frozenset({"docker-entrypoint.sh", "entrypoint.sh", "run.sh"})


def server_programs(extra: Iterable[Datastore] = ()) -> frozenset[str]:
    """Every server binary ``find_by_command`` knows: a script naming none starts no datastore."""
    return frozenset(command for store in (*extra, *BUILTIN) for command in store.commands)


def find_by_command(command: str, extra: Iterable[Datastore] = ()) -> Datastore | None:
    """The family whose server binary is ``command`` (``mongod``, ``redis-server``)."""
    base = command.rsplit("/", 1)[-1]
    for store in (*extra, *BUILTIN):
        if base in store.commands:
            return store
    return None


def stores_on_port(port: int, extra: Iterable[Datastore] = ()) -> list[Datastore]:
    """Families whose signature ports include ``port`` (official entries, no duplicates by name)."""
    found: dict[str, Datastore] = {}
    for store in (*extra, *BUILTIN):
        base = store.name.split(" (", 1)[0]
        if port in store.signature_ports and base not in found:
            found[base] = store
    return list(found.values())


def signature_ports(extra: Iterable[Datastore] = ()) -> dict[int, str]:
    """{port: "PostgreSQL"} for every signature port, for port-only checks."""
    return dict(_signature_ports(tuple(extra)))


@lru_cache(maxsize=16)
def _signature_ports(extra: tuple[Datastore, ...]) -> dict[int, str]:
    """Built once per configuration, not once per file checked (copied out: callers own theirs)."""
    ports: dict[int, str] = {}
    for store in (*extra, *BUILTIN):
        for port in store.signature_ports:
            ports.setdefault(port, store.name.split(" (", 1)[0])
    return dict(sorted(ports.items()))


DATASTORES_OPTION_HELP = (
    "extra datastore families, checked before the built-in table (keys as in docs/datastores.md: "
    "name, images, ports, auth_env, open_env, auth_flags, open_flags, secure_by_default, ...)"
)


def configured(options: Mapping[str, Any]) -> tuple[Datastore, ...]:
    """The families configuration adds (``datastores:``, as entries or already built)."""
    return tuple(
        item if isinstance(item, Datastore) else Datastore.from_config(item)
        for item in options.get("datastores", ()) or ()
    )


# --------------------------------------------------------------------------- authentication state

_FALSE = {"", "0", "false", "no", "off"}


class AuthState(Frozen):
    """``open``: anyone reaching the port gets in; ``explicit``: the configuration says so
    (a variable or flag), as opposed to the image's default; ``reason`` says why."""

    open: bool
    reason: str
    explicit: bool = False


def _env_matches(env: Mapping[str, str | None], entry: str) -> bool:
    key, sep, pattern = entry.partition("=")
    if key not in env:
        return False
    value = env[key]
    if not sep:
        return value is None or value != ""
    return value is not None and glob(value.lower(), pattern.lower())


def _flag_present(words: list[str], flag: str) -> bool:
    """A flag given on the command line; a pattern with ``*`` matches any word (``*enable_sasl=true*``)."""
    if "*" in flag:
        return any(glob(word, flag) for word in words)
    return flag_value(words, flag) is not None


def flag_value(words: list[str], flag: str) -> str | None:
    """The value given to ``flag`` (``--x v`` or ``--x=v``); '' for a bare flag; None if absent."""
    for i, word in enumerate(words):
        if word == flag:
            nxt = words[i + 1] if i + 1 < len(words) else ""
            return "" if nxt.startswith("-") else nxt
        if word.startswith(flag + "="):
            return word.split("=", 1)[1]
    return None


_CONFIG_SUFFIXES = (".conf", ".cnf", ".cfg", ".yaml", ".yml", ".json", ".xml")
_CONFIG_FLAGS = ("--config", "-f", "--config-file", "--defaults-file", "--config_file")


def config_file(words: list[str]) -> str | None:
    """A configuration file given on the command line: it may set what the flags do not show."""
    for flag in _CONFIG_FLAGS:
        value = flag_value(words, flag)
        if value:
            return value
    for word in words[1:]:
        if not word.startswith("-") and word.endswith(_CONFIG_SUFFIXES):
            return word
    return None


def auth_state(store: Datastore, env: Mapping[str, str | None], words: list[str], image: str = "") -> AuthState:
    """Decide from environment, command-line words and image tag whether the datastore asks for credentials.

    A variable whose value cannot be resolved here (``${DB_PASSWORD}`` with no default)
    counts as set: it is provided at deploy time. The flags of a ``sh -c`` script are read too.
    """
    words = with_script_words(store, words)
    for key, expected in store.open_env:
        if key in env and env[key] is not None:
            value = (env[key] or "").strip().lower()
            disabled = value not in _FALSE if expected == "*" else glob(value, expected.lower())
            if "ALLOW_EMPTY" in key and any(_env_matches(env, entry) for entry in store.auth_env):
                # ``*_ALLOW_EMPTY_PASSWORD`` only permits an empty password: a password that is
                # set is still used (the official mysql/mariadb entrypoints, bitnami's libos).
                disabled = False
            if disabled:
                # "no" read as yes surprises a reader: say why
                why = " (the image reads any non-empty value as yes)" if value in _FALSE else ""
                return AuthState(True, f"{key}={env[key]} disables authentication{why}", explicit=True)
    has_auth_flag = any(_flag_present(words, flag) for flag in store.auth_flags)
    config = config_file(words)
    if config is not None and not has_auth_flag:
        # A password in the file outranks what the flags seem to say (redis: requirepass).
        return AuthState(False, f"the configuration file {config} may enable authentication")
    for flag, expected in store.open_flags:
        given = flag_value(words, flag)
        if given is not None and given.lower() == expected.lower() and not has_auth_flag:
            shown = f"{flag} {expected}".strip()
            return AuthState(True, f"{shown} disables authentication", explicit=True)
    if has_auth_flag:
        return AuthState(False, "authentication enabled on the command line")
    started_directly = not image and bool(words) and words[0].rsplit("/", 1)[-1] in store.commands
    if started_directly and store.command_secure_by_default:
        return AuthState(False, f"{words[0]} protects itself by default")
    for entry in store.auth_env:
        if _env_matches(env, entry):
            return AuthState(False, f"{entry.split('=', 1)[0]} is set")
    if store.auth_env_all and all(k in env and env[k] != "" for k in store.auth_env_all):
        return AuthState(False, " and ".join(store.auth_env_all) + " are set")
    if store.auth_env_all and any(k in env for k in store.auth_env_all):
        # The official entrypoints refuse half a configuration: the container does not start.
        return AuthState(False, "only some of " + " and ".join(store.auth_env_all) + " are set: the image refuses it")
    if store.open_before and image:
        version = tag_version(image_tag(image))
        if version is not None and version < _version(store.open_before):
            return AuthState(True, f"no authentication configured ({store.default_behaviour})")
    if store.secure_by_default:
        return AuthState(False, store.default_behaviour or "the image requires credentials by default")
    return AuthState(True, f"no authentication configured ({store.default_behaviour or 'open by default'})")


# --------------------------------------------------------------------------- weak credentials

# Passwords that appear in every default-credential list and in vendor examples.
WELL_KNOWN_WEAK = frozenset(
    {
        "changeme",
        "change_me",
        "change-me",
        "changeit",
        "password",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "admin",
        "root",
        "guest",
        "secret",
        "pass",
        "default",
        "123456",
        "12345678",
        "1234",
        "postgres",
        "mysql",
        "toor",
        # The examples of the images' own documentation (docker-library/docs postgres, mysql
        # and mariadb content.md; MinIO's documented root credentials), copied into real setups.
        "mysecretpassword",
        "my-secret-pw",
        "minioadmin",
        # Dify's self-hosting default for its PostgreSQL and Redis (langgenius/dify
        # docker/docker-compose.yaml and .env.example), copied into charts and scripts.
        "difyai123456",
    }
)


# What people append to a user name to make a "password" (minio/minio123 in MinIO's older
# Kubernetes examples, admin/admin1): the first thing a dictionary attack derives from a user.
USER_NAME_SUFFIXES = ("1", "12", "123", "1234", "12345", "123456", "!", "@123")


class WeakCredential(Frozen):
    """A credential variable whose value anyone could guess; ``description`` never holds a
    value that is not itself a published default."""

    key: str
    description: str


def _is_password_key(key: str) -> bool:
    upper = key.upper()
    if upper.endswith("_FILE") or "ALLOW_EMPTY" in upper or "RANDOM" in upper or "HASH" in upper:
        return False
    return "PASSWORD" in upper or upper.endswith(("_PASS", "_PASSWD"))


def describe_password(user: str, password: str, defaults: tuple[tuple[str, str], ...] = ()) -> str | None:
    """How a password is guessable, without revealing it unless it is a published default; None if not."""
    lowered = password.lower()
    if (user, password) in defaults:
        return f"the image's documented default credential ({user}/{password})"
    if user and lowered == user.lower():
        if lowered in WELL_KNOWN_WEAK:
            return f"a default credential ({user}/{password})"
        return f"a password equal to the user name (fingerprint {secret_fingerprint(password)})"
    if user and lowered.startswith(user.lower()) and lowered[len(user) :] in USER_NAME_SUFFIXES:
        return f"the user name with a common suffix (fingerprint {secret_fingerprint(password)})"
    if lowered in WELL_KNOWN_WEAK:
        return f"a well-known default password ('{password}')"
    return None


def weak_credentials(
    store: Datastore, env: Mapping[str, str | None], words: Sequence[str] = ()
) -> list[WeakCredential]:
    """Credential variables of ``store`` (and any ``*PASSWORD*`` variable), and with ``words``
    the password flags of its command line, set to a guessable value."""
    user = next((env[k] for k in store.user_env if env.get(k)), None) or store.default_user
    found: list[WeakCredential] = []
    for key in store.credential_env:
        value = env.get(key)
        if value and "/" in value:
            pair_user, _, pair_password = value.partition("/")
            description = describe_password(pair_user, pair_password, store.default_credentials)
            if description is not None:
                found.append(WeakCredential(key, description))
    for key, value in env.items():
        if key in store.credential_env or not value:
            continue
        if key not in store.password_env and not _is_password_key(key):
            continue
        description = describe_password(user or "", value, store.default_credentials)
        if description is not None:
            found.append(WeakCredential(key, description))
    for key in store.args_env:
        value = env.get(key)
        for _, flag, description in command_credentials(store, split_words(value)) if value else []:
            found.append(WeakCredential(key, f"a command line with {flag} set to {description}"))
    found.extend(WeakCredential(flag, description) for _, flag, description in command_credentials(store, words))
    return found


def with_script_words(store: Datastore, words: list[str]) -> list[str]:
    """``words``, then those of the command that starts ``store`` (its server or an entrypoint)
    when they run a shell's ``-c`` string: the server's flags are often passed so (``sh -c
    "docker-entrypoint.sh --requirepass x"``). Only that command's: a flag in an ``echo`` or
    another command of the script is not the server's."""
    from guardrails.facts.shells import SHELL_INTERPRETERS, program_name

    if not words or program_name(words[0]) not in SHELL_INTERPRETERS:
        return words
    for i, word in enumerate(words[1:-1], 1):
        if not word.startswith("-") or word.startswith("--"):
            return words
        if "c" in word[1:]:
            starts = ENTRYPOINT_PROGRAMS.union(store.commands)
            for command in _script_commands(words[i + 1]):
                if any(program_name(w) in starts for w in command):
                    return [*words, *command]
            return words
    return words


def _script_commands(script: str) -> list[list[str]]:
    """The words of each simple command of a shell script (one command of every word when the
    script does not parse)."""
    from guardrails.documents import ShellDocument
    from guardrails.model import Kind, ParseError
    from guardrails.parsers import parse

    try:
        doc = parse("container-command.sh", script, Kind.SHELL)
    except ParseError:
        return [split_words(script)]
    if not isinstance(doc, ShellDocument):
        return [split_words(script)]
    return [[cmd.command, *cmd.argv] for cmd in doc.commands]


def split_words(text: str) -> list[str]:
    """A command line as the shell splits it (whitespace when its quotes do not close)."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def command_credentials(store: Datastore, words: Sequence[str]) -> list[tuple[int, str, str]]:
    """The password flags of ``store`` on a command line set to a guessable value: (index of
    the word that holds the password, flag, description). A value with ``$`` is a variable
    filled in at deploy time: unknown, never reported."""
    found: list[tuple[int, str, str]] = []
    for i, word in enumerate(words):
        for flag in store.password_flags:
            if word == flag and i + 1 < len(words):
                index, value = i + 1, words[i + 1]
            elif word.startswith(flag + "="):
                index, value = i, word.split("=", 1)[1]
            else:
                continue
            if not value or "$" in value or value.startswith("-"):
                continue
            description = describe_password(store.default_user, value, store.default_credentials)
            if description is not None:
                found.append((index, flag, description))
    return found


# --------------------------------------------------------------------------- server command lines


def _binds_all(value: str) -> bool:
    """``0.0.0.0``, ``::``, ``*``, ``0.0.0.0,::1`` or ``http://0.0.0.0:2379``: some address is every interface."""
    if value == "":
        return True
    for item in value.replace(",", " ").split():
        host = item.split("://", 1)[-1]
        if host.startswith("["):
            host = host[1 : host.find("]")] if "]" in host else host
        elif host.count(":") == 1:
            host = host.split(":", 1)[0]
        if host in ("0.0.0.0", "::", "*", "[::]"):
            return True
    return False


class ServerCommand(Frozen):
    """A datastore server started on the command line and what its flags say."""

    store: Datastore
    listens_all: bool
    auth: AuthState
    bind: str


def server_command(words: list[str], extra: Iterable[Datastore] = ()) -> ServerCommand | None:
    """``mongod --bind_ip_all``, ``redis-server --protected-mode no``...: the server, where it listens
    (only what the flags say: an explicit bind, or an explicit opening on a server that listens
    everywhere by default) and whether it asks for credentials."""
    if not words:
        return None
    store = find_by_command(words[0], extra)
    if store is None:
        return None
    auth = auth_state(store, {}, words)
    bind = ""
    for flag in store.bind_flags:
        value = flag_value(words, flag)
        if value is not None:
            bind = f"{flag} {value}".strip()
            listens_all = _binds_all(value)
            break
    else:
        listens_all = auth.explicit and store.command_listens_all
        bind = "no bind address: every interface by default"
    return ServerCommand(store, listens_all, auth, bind)
