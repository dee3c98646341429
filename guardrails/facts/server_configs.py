"""Datastores exposed by their own configuration files: where the server listens and whether
it asks for credentials, read from redis.conf, mongod.conf, pg_hba.conf with postgresql.conf,
my.cnf and elasticsearch.yml/opensearch.yml.

The defaults that decide a file the file does not spell out are data (``DEFAULTS``), each with
the version it holds from and its source; what depends on a version the file cannot tell is
left unreported, and the finding names the version where it matters.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import PurePosixPath

from guardrails.documents import ConfDocument, ConfEntry, TreeDocument
from guardrails.model import Document, Kind, Node, Severity, Span
from guardrails.project import Project
from guardrails.records import Frozen


class ServerDefault(Frozen):
    """What a server does when its configuration file is silent, from which version, and where
    that is documented."""

    store: str
    setting: str
    default: str
    since: str
    note: str
    source: str


DEFAULTS: dict[str, ServerDefault] = {
    "redis-bind": ServerDefault(
        "Redis",
        "bind",
        "every interface",
        "",
        "the redis.conf Redis ships sets `bind 127.0.0.1 -::1`",
        "https://github.com/redis/redis/blob/unstable/redis.conf (NETWORK)",
    ),
    "redis-protected-mode": ServerDefault(
        "Redis",
        "protected-mode",
        "yes",
        "3.2",
        "with no password for the default user only loopback clients are served; before 7.0 protected mode "
        "also stood aside whenever a bind directive was given (redis/redis#9034)",
        "https://redis.io/docs/latest/operate/oss_and_stack/management/security/#protected-mode",
    ),
    "mongod-bind": ServerDefault(
        "MongoDB",
        "net.bindIp",
        "localhost",
        "3.6",
        "before 3.6 mongod listened on every interface unless bindIp was set",
        "https://www.mongodb.com/docs/manual/core/security-mongodb-configuration/",
    ),
    "mongod-authorization": ServerDefault(
        "MongoDB",
        "security.authorization",
        "disabled",
        "",
        "security.keyFile or clusterAuthMode x509 also turns authorization on",
        "https://www.mongodb.com/docs/manual/reference/configuration-options/#mongodb-setting-security.authorization",
    ),
    "postgresql-listen": ServerDefault(
        "PostgreSQL",
        "listen_addresses",
        "localhost",
        "",
        "the official Docker image's postgresql.conf sets listen_addresses = '*'",
        "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-LISTEN-ADDRESSES",
    ),
    "mysql-bind": ServerDefault(
        "MySQL",
        "bind-address",
        "*",
        "5.6.6",
        "Debian and Ubuntu packages set 127.0.0.1 in their own option files",
        "https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_bind_address",
    ),
    "mysql-skip-grant-tables": ServerDefault(
        "MySQL",
        "skip-grant-tables",
        "off",
        "8.0.3",
        "from MySQL 8.0.3 --skip-grant-tables also turns skip_networking on; MariaDB and MySQL 5.7 keep serving "
        "the network with every privilege check off",
        "https://dev.mysql.com/doc/refman/8.0/en/server-options.html#option_mysqld_skip-grant-tables",
    ),
    "elasticsearch-security": ServerDefault(
        "Elasticsearch",
        "xpack.security.enabled",
        "true",
        "8.0",
        "before 8.0 security is off unless xpack.security.enabled is true",
        "https://www.elastic.co/guide/en/elasticsearch/reference/8.0/security-settings.html",
    ),
    "opensearch-security": ServerDefault(
        "OpenSearch",
        "plugins.security.disabled",
        "false",
        "",
        "the security plugin is installed and on in the default distribution",
        "https://opensearch.org/docs/latest/security/configuration/disable-enable-security/",
    ),
}


class Exposure(Frozen):
    """A server configured to listen on every interface (or, ``listen`` says, maybe so) with
    authentication off; ``listen`` and ``auth`` say why, in words a finding can quote."""

    store: str
    span: Span
    listen: str
    auth: str
    severity: Severity
    anchor: str


def exposures(doc: Document, project: Project) -> Iterator[Exposure]:
    """Every exposure a datastore configuration file shows (nothing for other documents); a
    file that the repository's compose services mount, none of them published, reaches only
    the stack's network (``config_mounts``): medium."""
    from guardrails.facts.config_mounts import mounts

    found = list(_exposures(doc, project))
    services = mounts(doc.path, project) if found else []
    if not services or any(m.published for m in services):
        yield from found
        return
    names = ", ".join(f"'{m.service}' of {m.compose}" for m in services)
    for exposure in found:
        yield exposure._replace(
            auth=f"{exposure.auth}; the file is mounted by compose service {names}, which publishes no port: "
            "reachable from the stack's network only",
            severity=Severity.MEDIUM,
        )


def _exposures(doc: Document, project: Project) -> Iterator[Exposure]:
    if isinstance(doc, ConfDocument):
        if doc.kind is Kind.REDIS_CONF:
            yield from _redis(doc)
        elif doc.kind is Kind.PG_HBA:
            yield from _pg_hba(doc, project)
        elif doc.kind is Kind.MYSQL_CNF:
            yield from _mysql(doc)
    elif isinstance(doc, TreeDocument) and len(doc.roots) == 1 and doc.roots[0].is_map:
        if doc.kind is Kind.MONGOD_CONF:
            yield from _mongod(doc.roots[0])
        elif doc.kind is Kind.ELASTICSEARCH_YML:
            yield from _search(doc.roots[0], PurePosixPath(doc.path).name.lower().startswith("opensearch"))


def _cited(key: str) -> str:
    fact = DEFAULTS[key]
    since = f" since {fact.store} {fact.since}" if fact.since else ""
    return f"{fact.setting} defaults to {fact.default}{since}; {fact.note}"


def listens_everywhere(address: str) -> bool:
    """``0.0.0.0``, ``::``, ``*`` (optionally with Redis's ``-`` prefix for 'may be absent')."""
    value = address.strip().strip("[]").removeprefix("-")
    if value in ("*", "::*"):
        return True
    try:
        return ipaddress.ip_address(value).is_unspecified
    except ValueError:
        return False


# --------------------------------------------------------------------------- Redis


def _redis(doc: ConfDocument) -> Iterator[Exposure]:
    """``protected-mode no`` and a default user without a password on every interface. A file
    that includes another or loads an ACL file may set the password there: not judged."""
    protected = doc.last("protected-mode")
    if protected is None or [v.lower() for v in protected.values] != ["no"]:
        return
    if doc.all("include") or doc.all("aclfile"):
        return
    bind = doc.last("bind")
    if bind is not None and not any(listens_everywhere(a) for a in bind.values):
        return
    users = [e for e in doc.all("user") if e.values[:1] == ["default"]]
    if users:
        rules = users[-1].values[1:]
        if "off" in rules or "nopass" not in rules or "on" not in rules:
            return
        auth = "`user default on nopass`: the default user needs no password"
    else:
        password = doc.last("requirepass")
        if password is not None and password.values and password.values[0]:
            return
        auth = "no requirepass: the default user needs no password"
    listen = f"bind {' '.join(bind.values)}" if bind is not None else f"no bind directive: {_cited('redis-bind')}"
    # Sentinel holds no data, but an anonymous client can reconfigure it and point failover elsewhere.
    sentinel = bool(doc.all("sentinel"))
    yield Exposure(
        "Redis Sentinel" if sentinel else "Redis",
        protected.span,
        f"listens on every interface ({listen})",
        f"protected-mode no turns off the loopback-only guard ({_cited('redis-protected-mode')}), and {auth}",
        Severity.HIGH if sentinel else Severity.CRITICAL,
        "redis:protected-mode",
    )


# --------------------------------------------------------------------------- MongoDB


def _mongod(root: Node) -> Iterator[Exposure]:
    """``net.bindIpAll: true`` or a ``net.bindIp`` of every interface, without
    ``security.authorization: enabled`` (nor a keyFile or x509 cluster authentication,
    which turn it on)."""
    net = root.get("net")
    if net is None or not net.is_map:
        return
    bind_all, bind_ip = net.get("bindIpAll"), net.get("bindIp")
    if bind_all is not None and bind_all.text.lower() == "true":
        where, listen = net.key_node("bindIpAll"), "net.bindIpAll: true"
    elif bind_ip is not None and any(listens_everywhere(a) for a in bind_ip.text.split(",")):
        where, listen = net.key_node("bindIp"), f"net.bindIp: {bind_ip.text}"
    else:
        return
    security = root.get("security")
    if security is None or not security.is_map:
        security = Node("map", [], net.span)
    authorization, cluster = security.get("authorization"), security.get("clusterAuthMode")
    if security.get("keyFile") is not None or (cluster is not None and "x509" in cluster.text):
        return
    if authorization is not None and authorization.text.lower() == "enabled":
        return
    if authorization is not None:
        auth = f"security.authorization: {authorization.text} lets every client in without credentials"
    else:
        auth = f"no security.authorization ({_cited('mongod-authorization')})"
    assert where is not None
    listen = f"listens on every interface ({listen})"
    yield Exposure("MongoDB", where.span, listen, auth, Severity.CRITICAL, "mongod:net")


# --------------------------------------------------------------------------- PostgreSQL

_HOST_TYPES = ("host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc")


def _pg_hba(doc: ConfDocument, project: Project) -> Iterator[Exposure]:
    """``trust`` for every address on a ``host`` record no earlier record shadows, judged with
    the ``listen_addresses`` of the postgresql.conf beside it (when there is one)."""
    listen = _listen_addresses(doc, project)
    if listen is not None and not listen[1]:
        return
    # (connection type, address family) that an earlier all-databases, all-users record for
    # every address already answers: PostgreSQL uses the first record that matches.
    shadowing: set[tuple[str, int]] = set()
    for entry in doc.entries:
        if entry.key not in _HOST_TYPES:
            continue
        address, method = _hba_address_method(entry)
        families = _hba_everywhere(address)
        if not families or all(("host", f) in shadowing or (entry.key, f) in shadowing for f in families):
            continue
        database, user = entry.values[0], entry.values[1]
        if method == "trust":
            if listen is None:
                where = f"may listen beyond localhost (no postgresql.conf beside it: {_cited('postgresql-listen')})"
                severity = Severity.HIGH
            else:
                where = f"listens on every interface (listen_addresses = '{listen[0]}' in postgresql.conf beside it)"
                severity = Severity.CRITICAL
            yield Exposure(
                "PostgreSQL",
                entry.span,
                where,
                f"`{entry.key} {database} {user} {address} trust` lets any client from any address in as any of "
                "those users, without a password",
                severity,
                f"pg_hba:{entry.key}:{database}:{user}:{address}",
            )
        if database == "all" and user == "all":
            shadowing.update((entry.key, f) for f in families)


def _hba_address_method(entry: ConfEntry) -> tuple[str, str]:
    """The address (``0.0.0.0 0.0.0.0`` kept as address and mask) and the method of a host record."""
    address, rest = entry.values[2], entry.values[3:]
    if rest and _is_ip(rest[0]) and len(rest) > 1:
        return f"{address} {rest[0]}", rest[1]
    return address, rest[0] if rest else ""


def _hba_everywhere(address: str) -> tuple[int, ...]:
    """The address families (4, 6) in which ``address`` matches every client; () for narrower ones."""
    if address == "all":
        return (4, 6)
    parts = address.split()
    try:
        if len(parts) == 2:
            mask = ipaddress.ip_address(parts[1])
            return (mask.version,) if mask.is_unspecified else ()
        network = ipaddress.ip_network(address, strict=False)
    except ValueError:
        return ()
    return (network.version,) if network.prefixlen == 0 else ()


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _listen_addresses(doc: ConfDocument, project: Project) -> tuple[str, bool] | None:
    """(listen_addresses, whether it is every interface) from the postgresql.conf beside the
    pg_hba.conf; None when there is none or an include after it may change it."""
    conf = project.document(project.cwd / PurePosixPath(doc.path).parent / "postgresql.conf")
    if not isinstance(conf, ConfDocument) or conf.kind is not Kind.POSTGRESQL_CONF:
        return None
    setting = conf.last("listen_addresses")
    line = setting.span.line if setting is not None else 0
    if any(e.key.startswith("include") and e.span.line > line for e in conf.entries):
        return None
    if setting is None:
        return "localhost", False
    value = setting.values[0]
    return value, any(listens_everywhere(a) for a in value.split(","))


# --------------------------------------------------------------------------- MySQL and MariaDB

_TRUE = ("", "1", "on", "true", "yes")


def _server_group(group: str) -> bool:
    """The groups mysqld and mariadbd read (``[mysqld-8.0]``, ``[mariadb-10.6]`` by version)."""
    name, _, version = group.partition("-")
    return group in ("mysqld", "server", "mariadb", "mariadbd") or (
        name in ("mysqld", "mariadb", "mariadbd") and version[:1].isdigit()
    )


def _mysql(doc: ConfDocument) -> Iterator[Exposure]:
    """``skip-grant-tables`` with ``bind-address`` on every interface and networking left on; an
    ``!include`` after them may change either, so such a file is not judged."""
    server = [e for e in doc.entries if _server_group(e.section)]
    skip = _last_flag(server, "skip-grant-tables")
    bind = next((e for e in reversed(server) if e.key == "bind-address"), None)
    if skip is None or bind is None or not bind.values or _last_flag(server, "skip-networking") is not None:
        return
    if not any(listens_everywhere(a) for a in bind.values[0].split(",")):
        return
    last = max(skip.span.line, bind.span.line)
    if any(e.key.startswith("!include") and e.span.line > last for e in doc.entries):
        return
    mariadb = any(e.section.startswith("mariadb") for e in server) or "mariadb" in doc.path.lower()
    note = "" if mariadb else f" ({DEFAULTS['mysql-skip-grant-tables'].note})"
    yield Exposure(
        "MariaDB" if mariadb else "MySQL",
        skip.span,
        f"listens on every interface (bind-address = {bind.values[0]})",
        f"skip-grant-tables turns every privilege check off: anyone connecting is root{note}",
        Severity.CRITICAL if mariadb else Severity.HIGH,
        "mysqld:skip-grant-tables",
    )


def _last_flag(entries: list[ConfEntry], key: str) -> ConfEntry | None:
    """The entry that turns ``key`` on, if the last one for it does."""
    found = next((e for e in reversed(entries) if e.key == key), None)
    if found is None or (found.values and found.values[0].lower() not in _TRUE):
        return None
    return found


# --------------------------------------------------------------------------- Elasticsearch and OpenSearch

_SEARCH_BINDS = ("network.host", "network.bind_host", "http.host", "http.bind_host")


def setting(root: Node, dotted: str) -> tuple[Node, Node] | None:
    """(key node, value node) of an Elasticsearch setting written flat (``network.host``),
    nested (``network: {host: ...}``) or half and half; None when absent."""
    for key, key_node, value in root.items():
        if key == dotted:
            return key_node, value
        if dotted.startswith(key + ".") and value.is_map:
            found = setting(value, dotted[len(key) + 1 :])
            if found is not None:
                return found
    return None


def _scalars(node: Node) -> str:
    return node.text if node.is_scalar else ", ".join(item.text for item in node.elements())


def _search(root: Node, opensearch: bool) -> Iterator[Exposure]:
    """A bind on every interface with security explicitly off (off by default only before
    Elasticsearch 8.0, which the file cannot tell: left unreported)."""
    binds = [(key, found) for key in _SEARCH_BINDS if (found := setting(root, key)) is not None]
    open_binds = [
        (key, found)
        for key, found in binds
        if any(listens_everywhere(a.text) for a in (found[1].elements() if found[1].is_seq else [found[1]]))
    ]
    if not open_binds:
        return
    if opensearch:
        switches = (("plugins.security.disabled", "true"), ("opendistro_security.disabled", "true"))
        store, fact = "OpenSearch", "opensearch-security"
    else:
        switches = (("xpack.security.enabled", "false"),)
        store, fact = "Elasticsearch", "elasticsearch-security"
    for name, off in switches:
        found = setting(root, name)
        if found is not None and found[1].text.lower() == off:
            key, (_, value) = open_binds[0]
            yield Exposure(
                store,
                found[0].span,
                f"listens on every interface ({key}: {_scalars(value)})",
                f"{name}: {off} turns authentication off ({_cited(fact)})",
                Severity.CRITICAL,
                f"{store.lower()}:{name}",
            )
            return
