"""Terraform network exposure: which ports a firewall rule opens and to whom, and whether
the internet reaches a database through its security groups or firewall rules, with values
resolved through variables, locals and tfvars (``guardrails.facts.terraform``).
"""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.documents import Attribute, Block, Expr, TerraformDocument
from guardrails.facts.network import ALL_PORTS, covers, is_world, port_range
from guardrails.facts.terraform import Instance, Module, Origin, Scope, module_for, module_key, registry_calls
from guardrails.facts.tf_registry import FirewallRulesModule, firewall_rules_module
from guardrails.model import Document, Kind, Span
from guardrails.project import Project
from guardrails.records import Frozen, Record

_TCP = {"tcp", "6", "-1", "all", "*"}
_RESOURCE_KINDS = (Kind.TERRAFORM, Kind.TERRAFORM_JSON, Kind.TERRAFORM_PLAN)


class Strings(Record):
    """A list attribute resolved item by item; ``unknown`` counts items we could not resolve."""

    __slots__ = ("origins", "unknown", "values")

    def __init__(
        self,
        values: list[str] | None = None,
        origins: list[Origin] | None = None,
        unknown: int = 0,
    ) -> None:
        self.values: list[str] = [] if values is None else values
        self.origins: list[Origin] = [] if origins is None else origins
        self.unknown = unknown

    @property
    def via(self) -> str:
        return f" (from {', '.join(str(o) for o in self.origins)})" if self.origins else ""


def strings(expr: Expr | None, module: Module) -> Strings:
    """A string or list of strings, each item resolved on its own (``[var.office, "10.0.0.0/8"]``)."""
    out = Strings()
    if expr is None:
        return out
    items = expr.value if expr.kind == "tuple" else [expr]
    for item in items:
        resolved = module.resolve(item)
        out.origins.extend(resolved.origins)
        value = resolved.value
        if not resolved.known:
            out.unknown += 1
        elif isinstance(value, list):
            out.values.extend(str(v) for v in value)
        elif value is not None:
            out.values.append(str(value))
    return out


def attr_strings(block: Block, name: str, module: Module) -> tuple[Attribute | None, Strings]:
    attr = block.get(name)
    return attr, strings(attr.expr if attr is not None else None, module)


def world(values: Strings) -> list[str]:
    return [v for v in values.values if is_world(v)]


def value(block: Block, name: str, module: Module) -> object:
    attr = block.get(name)
    if attr is None:
        return None
    resolved = module.resolve(attr.expr)
    return resolved.value if resolved.known else None


def port_list(items: list[str]) -> list[tuple[int, int]]:
    """``["5432", "27000-28000", "*"]`` -> ranges (``*`` is every port)."""
    spans: list[tuple[int, int]] = []
    for item in items:
        if item.strip() == "*":
            spans.append(ALL_PORTS)
            continue
        span = port_range(item)
        if span is not None:
            spans.append(span)
    return spans


def datastore_hits(spans: list[tuple[int, int]], ports: dict[int, str]) -> list[tuple[int, str]]:
    """The signature datastore ports (``{5432: "PostgreSQL"}``) that some range covers."""
    return [(port, name) for port, name in ports.items() if any(covers(span, port) for span in spans)]


def describe_hits(hits: list[tuple[int, str]], spans: list[tuple[int, int]]) -> str:
    if ALL_PORTS in spans or any(high - low > 1000 for low, high in spans):
        shown = ", ".join(f"{p} {n}" for p, n in hits[:4])
        scope = "every port" if ALL_PORTS in spans else f"every port in {_spans(spans)}"
        return f"{scope}, including {shown}" + (" ..." if len(hits) > 4 else "")
    return ", ".join(f"{p} ({n})" for p, n in hits)


def _spans(spans: list[tuple[int, int]]) -> str:
    return ", ".join("all" if s == ALL_PORTS else f"{s[0]}-{s[1]}" if s[0] != s[1] else str(s[0]) for s in spans)


# --- Who reaches a resource: AWS security groups and Azure database firewalls ----------
#
# A managed database with a public address is on the internet only when its network
# rules let the internet in. These facts index the groups, rules and servers of one
# Terraform directory (the module) so any rule can ask "does the internet reach this
# port of this resource?" and get yes, no, or "cannot be told here, because ...".

_SG_TYPES = ("aws_security_group", "aws_default_security_group")
_MAX_HOPS = 8  # resource attribute -> resource attribute: a cycle is invalid Terraform, but input is hostile
_LIST_FUNCTIONS = ("concat", "compact", "distinct", "flatten", "toset", "tolist")
_AWS_CIDRS = ("cidr_blocks", "ipv6_cidr_blocks")
_VPC_CIDRS = ("cidr_ipv4", "cidr_ipv6")
_NOT_ADDRESSES = {"var", "local", "module", "data", "each", "count", "self", "path", "terraform"}
# VPC and subnet CIDR blocks are /16 to /28 (IPv4) and /56 or /64 (IPv6): never the whole internet.
# Source: Amazon VPC User Guide, "VPC CIDR blocks" and "Subnet CIDR blocks".
_NEVER_WORLD = (
    ("aws_vpc", ("cidr_block", "ipv6_cidr_block")),
    ("aws_subnet", ("cidr_block", "ipv6_cidr_block")),
)

# The port an engine listens on when ``port`` is not set, by engine name prefix (first
# match wins). Source: Amazon RDS API Reference, CreateDBInstance / CreateDBCluster
# ``Port`` ("Default: ..." per engine); Amazon Redshift API Reference, CreateCluster ``Port``.
ENGINE_PORTS: tuple[tuple[str, int], ...] = (
    ("aurora-postgresql", 5432),
    ("aurora-mysql", 3306),
    ("aurora", 3306),
    ("postgres", 5432),
    ("mysql", 3306),
    ("mariadb", 3306),
    ("oracle", 1521),
    ("custom-oracle", 1521),
    ("sqlserver", 1433),
    ("custom-sqlserver", 1433),
    ("db2", 50000),
)
REDSHIFT_PORT = 5439

# Azure database servers (``public_network_access_enabled`` defaults to true) and the
# firewall-rule resources that open them, with the attribute naming their server.
AZURE_DB_SERVERS = (
    "azurerm_mssql_server",
    "azurerm_sql_server",
    "azurerm_postgresql_server",
    "azurerm_postgresql_flexible_server",
    "azurerm_mysql_server",
    "azurerm_mysql_flexible_server",
    "azurerm_mariadb_server",
)
AZURE_FIREWALL_RULES = {
    "azurerm_mssql_firewall_rule": "server_id",
    "azurerm_sql_firewall_rule": "server_name",
    "azurerm_mysql_firewall_rule": "server_name",
    "azurerm_mysql_flexible_server_firewall_rule": "server_name",
    "azurerm_postgresql_firewall_rule": "server_name",
    "azurerm_postgresql_flexible_server_firewall_rule": "server_id",
    "azurerm_mariadb_firewall_rule": "server_name",
}


# Subnet delegations whose members get private addresses only: a PostgreSQL or MySQL flexible
# server deployed into a delegated subnet (private access, VNet integration) has no public
# endpoint (Microsoft Learn, "Networking overview for Azure Database for PostgreSQL flexible
# server with private access" and its MySQL counterpart). An NSG that guards nothing but such
# subnets lets nothing in from the internet, whatever its rules say.
PRIVATE_ONLY_DELEGATIONS = frozenset(
    {"Microsoft.DBforPostgreSQL/flexibleServers", "Microsoft.DBforMySQL/flexibleServers"}
)
_NSG = "azurerm_network_security_group"


def nsg_of(block: Block) -> str | None:
    """The address of the NSG an ``azurerm_network_security_group`` is, or an
    ``azurerm_network_security_rule`` belongs to (by a reference to it, not a literal name)."""
    if block.labels and block.labels[0] == _NSG:
        return block.address
    attr = block.get("network_security_group_name")
    ref = attr.expr.value if attr is not None and attr.expr.kind == "reference" else ""
    parts = str(ref).split(".")
    return f"{_NSG}.{parts[1]}" if len(parts) == 3 and parts[0] == _NSG and parts[2] == "name" else None


def nsg_guards_private_only(module: Module, nsg: str) -> bool:
    """Every use of the NSG ``nsg`` in the module (besides its own rules) is a subnet association
    with a subnet delegated to a service of ``PRIVATE_ONLY_DELEGATIONS``. False when anything else
    names it (a network interface, an output, a module input) or nothing associates it: what it
    guards is then unknown."""
    subnets: list[str] = []
    for doc in module.documents:
        for block in doc.blocks:
            if block.address == nsg or (block.labels[:1] == ["azurerm_network_security_rule"] and nsg_of(block) == nsg):
                continue
            if not _block_refers(block, nsg):
                continue
            if block.labels[:1] != ["azurerm_subnet_network_security_group_association"]:
                return False
            subnet = block.get("subnet_id")
            ref = str(subnet.expr.value) if subnet is not None and subnet.expr.kind == "reference" else ""
            parts = ref.split(".")
            if len(parts) != 3 or parts[0] != "azurerm_subnet" or parts[2] != "id":
                return False
            subnets.append(parts[1])
    found = {b.labels[1]: b for d in module.documents for b in d.resources("azurerm_subnet") if len(b.labels) > 1}
    return bool(subnets) and all(s in found and _private_only(found[s]) for s in subnets)


def _private_only(subnet: Block) -> bool:
    names = [
        service.get("name")
        for delegation in subnet.children("delegation")
        for service in delegation.children("service_delegation")
    ]
    return bool(names) and all(n is not None and n.expr.literal() in PRIVATE_ONLY_DELEGATIONS for n in names)


def _block_refers(block: Block, address: str) -> bool:
    return any(_refers(a.expr, address) for a in block.attributes.values()) or any(
        _block_refers(b, address) for b in block.blocks
    )


def _refers(expr: Expr, address: str) -> bool:
    """``expr`` names ``address`` (``azurerm_network_security_group.x`` or an attribute of it);
    an expression of a kind not broken down counts when its text does."""
    if expr.kind == "reference":
        ref = str(expr.value)
        return ref == address or ref.startswith((address + ".", address + "["))
    if expr.kind == "literal":
        return False
    if expr.kind == "tuple":
        return any(_refers(e, address) for e in expr.value)
    if expr.kind == "object":
        return any(_refers(e, address) for e in expr.value.values())
    if expr.args:
        return any(_refers(e, address) for e in expr.args)
    return address in expr.text


class ModuleFirewallRule(Frozen):
    """One entry of an Azure database module's firewall-rule input, as the call writes it."""

    call: Block
    table: FirewallRulesModule
    start: Attribute
    end: Attribute

    @property
    def server(self) -> str:
        return f"module.{self.call.labels[0]}.{self.table.server}"

    @property
    def public(self) -> Attribute | None:
        """The call's public-network-access input (None when unset or not an input)."""
        return self.call.get(self.table.public) if self.table.public else None


def module_firewall_rules(doc: TerraformDocument, module: Module) -> Iterator[ModuleFirewallRule]:
    """The firewall rules that calls to a ``tf_registry.FIREWALL_RULE_MODULES`` module write in
    its list input; a list from a variable or an expression is not followed."""
    for call, source, constraint in registry_calls(doc, module):
        table = firewall_rules_module(source, constraint)
        rules = call.get(table.input) if table is not None else None
        if table is None or rules is None or rules.expr.kind != "tuple" or not isinstance(rules.expr.value, list):
            continue
        for entry in rules.expr.value:
            fields = entry.value if entry.kind == "object" and isinstance(entry.value, dict) else {}
            start, end = fields.get(table.start), fields.get(table.end)
            if start is not None and end is not None:
                yield ModuleFirewallRule(
                    call, table, Attribute(table.start, start, start.span), Attribute(table.end, end, end.span)
                )


def address_of(ref: str) -> str | None:
    """``aws_security_group.db[0].id`` -> ``aws_security_group.db``; None for var., data., module. ..."""
    parts = ref.split(".")
    if len(parts) < 2 or parts[0] in _NOT_ADDRESSES:
        return None
    return f"{parts[0]}.{parts[1].split('[', 1)[0]}"


class Permission(Frozen):
    """One ingress permission of a security group: which TCP ports, and who it admits.

    ``ports`` is None when they are not known here; ``world`` lists the sources that are
    the whole internet, ``unknown`` the ones that cannot be resolved in this module.
    """

    group: str
    owner: str
    path: str
    line: int
    ports: tuple[int, int] | None
    world: tuple[str, ...]
    unknown: tuple[str, ...]
    span: Span | None = None
    anchor: str = ""
    origins: tuple[Origin | str, ...] = ()  # a template's parameter origins are written out (facts.cloudformation)

    @property
    def via(self) -> str:
        return f" (from {', '.join(str(o) for o in self.origins)})" if self.origins else ""

    @property
    def where(self) -> str:
        return f"{self.owner} ({self.path}:{self.line})"

    def covers(self, port: int | None) -> bool | None:
        """Whether the permission covers ``port`` (None: the port or its ports are not known)."""
        if self.ports is None or port is None:
            return None
        return covers(self.ports, port)


class Reach(Frozen):
    """Whether the internet reaches a resource: True, False, or None (not known here); and why."""

    open: bool | None
    reason: str


class Network:
    """The resources of one Terraform directory, indexed for reachability questions."""

    def __init__(self, documents: list[Document], module: Module | Scope) -> None:
        self.module = module
        self.resources: dict[str, tuple[Block, str]] = {}
        for doc in documents:
            if isinstance(doc, TerraformDocument) and doc.kind in _RESOURCE_KINDS:
                for block in doc.resources():
                    self.resources.setdefault(block.address, (block, doc.path))
        self.permissions = [p for a, (b, path) in self.resources.items() for p in self._permissions(a, b, path)]
        self.ingress: dict[str, list[Permission]] = {}
        for permission in self.permissions:
            self.ingress.setdefault(permission.group, []).append(permission)

    def target(self, ref: str) -> str | None:
        """The resource a reference names (``address_of``); a plan's resources are keyed by
        instance address (``module.db.aws_security_group.this[0]``), and so are its references."""
        head = ref.rpartition(".")[0]
        return head if head in self.resources else address_of(ref)

    def permissions_in(self, path: str) -> list[Permission]:
        """The ingress permissions declared in one file, for rules that judge each of them."""
        return [p for p in self.permissions if p.path == path]

    # -- security groups -------------------------------------------------------------

    def _permissions(self, address: str, block: Block, path: str) -> Iterator[Permission]:
        kind = block.labels[0]
        if kind in _SG_TYPES:
            for rule in block.children("ingress"):
                yield from self._permission(address, address, rule, path, "protocol", _AWS_CIDRS, "ingress")
            for dynamic in block.children("dynamic"):
                if dynamic.labels[:1] == ["ingress"]:
                    yield Permission(address, address, path, dynamic.span.line, None, (), ("dynamic ingress",))
            listed = block.get("ingress")  # ingress = [ {...} ]: attribute syntax, not read item by item
            if listed is not None:
                yield Permission(address, address, path, listed.span.line, None, (), (listed.expr.text,))
        elif kind == "aws_security_group_rule":
            direction = value(block, "type", self.module)
            if direction == "ingress":
                yield from self._permission(self._group_of(block), address, block, path, "protocol", _AWS_CIDRS, "rule")
            elif direction is None:  # ingress or egress: not known here
                kind_attr = block.get("type")
                shown = f"type {kind_attr.expr.text}" if kind_attr is not None else "no type"
                yield Permission(self._group_of(block), address, path, block.span.line, None, (), (shown,))
        elif kind == "aws_vpc_security_group_ingress_rule":
            yield from self._permission(self._group_of(block), address, block, path, "ip_protocol", _VPC_CIDRS, "")

    def _group_of(self, rule: Block) -> str:
        attr = rule.get("security_group_id")
        if attr is None or attr.expr.kind != "reference":
            return ""
        return self.target(str(attr.expr.value)) or ""

    def _permission(
        self,
        group: str,
        owner: str,
        rule: Block,
        path: str,
        protocol_attr: str,
        cidr_attrs: tuple[str, ...],
        anchor: str,
    ) -> Iterator[Permission]:
        """Nothing for a rule that admits no TCP (udp, icmp): no datastore connection gets in.

        A finding points at an inline ``ingress`` block, or at the source attribute of a rule
        resource that admits the internet; ``anchor`` names it stably (``ingress.5432-5432``,
        ``rule.0-65535``, ``cidr_ipv4`` when empty)."""
        attr = rule.get(protocol_attr)
        protocol = self.module.resolve(attr.expr) if attr is not None else None
        name = str(protocol.value).lower() if protocol is not None and protocol.known else None
        if name is not None and name not in _TCP:
            return
        ports = self._ports(rule, name)
        world_sources: list[str] = []
        unknown: list[str] = []
        origins: list[Origin] = []
        where: Attribute | None = None
        for cidr_attr in cidr_attrs:
            listed = rule.get(cidr_attr)
            if listed is None:
                continue
            items = listed.expr.value if listed.expr.kind == "tuple" else [listed.expr]
            for item in items:
                found = self.cidrs(item, origins)
                if found is None:
                    unknown.append(item.text)
                elif any(is_world(c) for c in found):
                    world_sources.extend(c for c in found if is_world(c))
                    where = where or listed
        span = rule.span if anchor == "ingress" or where is None else where.span
        if ports is not None:
            anchor = f"{anchor}.{ports[0]}-{ports[1]}" if anchor else (where.name if where is not None else "")
        yield Permission(
            group,
            owner,
            path,
            rule.span.line,
            ports,
            tuple(world_sources),
            tuple(unknown),
            span,
            anchor,
            tuple(origins),
        )

    def _ports(self, rule: Block, protocol: str | None) -> tuple[int, int] | None:
        if protocol in ("-1", "all"):
            return ALL_PORTS
        if protocol is None:
            return None
        low, high = value(rule, "from_port", self.module), value(rule, "to_port", self.module)
        try:
            return (int(str(low)), int(str(high)))
        except ValueError:
            return None

    def cidrs(self, expr: Expr, origins: list[Origin] | None = None, _depth: int = 0) -> list[str] | None:
        """The CIDRs an item of a source list holds, or None when they cannot be known here.

        Beyond variables and locals: an attribute of a resource of this module, a VPC or
        subnet CIDR (never the whole internet), a template ending in a prefix length > 0.
        """
        if expr.kind == "reference":
            ref = str(expr.value)
            parts = ref.split(".")
            base = parts[1:] if parts[0] == "data" else parts
            for kind, attrs in _NEVER_WORLD:
                if len(base) >= 3 and base[0] == kind and base[2] in attrs:
                    return [ref]
            address = address_of(ref)
            if address in self.resources and len(parts) >= 3 and _depth < _MAX_HOPS:
                attr = self.resources[address][0].get(parts[2])
                if attr is not None:
                    return self.cidrs(attr.expr, origins, _depth + 1)
        if expr.kind == "template":
            _, slash, length = str(expr.value).rpartition("/")
            if slash and length.isdigit() and int(length) > 0:
                return [str(expr.value)]
        resolved = self.module.resolve(expr)
        if not resolved.known:
            return None
        if origins is not None:
            origins.extend(resolved.origins)
        if isinstance(resolved.value, list):
            return [str(v) for v in resolved.value]
        return [str(resolved.value)] if resolved.value is not None else []

    def groups(self, expr: Expr | None) -> tuple[list[str], list[str]]:
        """The security groups of this module an id list names, and the items that name others."""
        known: list[str] = []
        unknown: list[str] = []
        if expr is None:
            return known, unknown
        items = list(expr.value) if expr.kind == "tuple" else [expr]
        while items:
            item = items.pop(0)
            if item.kind == "tuple" or (item.kind == "call" and item.value in _LIST_FUNCTIONS):
                items[:0] = item.value if item.kind == "tuple" else item.args
                continue
            address = self.target(str(item.value)) if item.kind == "reference" else None
            if address in self.resources and self.resources[address][0].labels[0] in _SG_TYPES:
                known.append(address)
            else:
                unknown.append(item.text)
        return known, unknown

    def reach(self, groups: Expr | None, port: int | None) -> Reach:
        """Whether the security groups ``groups`` names (the VPC default group when none) let
        0.0.0.0/0 or ::/0 in on TCP ``port`` (None: the port is not known)."""
        known, unknown = self.groups(groups)
        on = f"port {port}" if port is not None else "its port"
        if groups is None or (not known and not unknown):
            known = [a for a, (b, _) in self.resources.items() if b.labels[0] == "aws_default_security_group"]
            if not known:
                return Reach(
                    False,
                    "no security group is attached, and the VPC default group admits only its own members",
                )
        maybe: list[str] = []
        for group in known:
            for permission in self.ingress.get(group, []):
                hit = permission.covers(port)
                if hit is False:
                    continue
                if permission.world and hit:
                    through = "" if permission.owner == group else f" through {permission.owner}"
                    return Reach(
                        True,
                        f"security group {group} admits {', '.join(sorted(set(permission.world)))} on {on}"
                        f"{through} ({permission.path}:{permission.line})",
                    )
                if permission.world:
                    maybe.append(f"{permission.where} admits {', '.join(permission.world)} on ports not known here")
                elif permission.unknown:
                    maybe.append(f"{permission.where} admits sources not known here ({', '.join(permission.unknown)})")
        if unknown:
            return Reach(
                None,
                f"its security groups ({', '.join(unknown)}) are not defined in this module, so whether they "
                f"admit 0.0.0.0/0 on {on} cannot be told here",
            )
        if maybe:
            return Reach(None, f"whether the internet reaches {on} cannot be told here: {'; '.join(maybe)}")
        named = ", ".join(known)
        return Reach(False, f"{named} admit no internet source on {on}")

    def database_reach(self, block: Block) -> Reach:
        """Whether the internet reaches an RDS instance, Aurora instance or Redshift cluster on its port."""
        kind = block.labels[0]
        holder = block
        if kind == "aws_rds_cluster_instance":
            attr = block.get("cluster_identifier")
            address = self.target(str(attr.expr.value)) if attr is not None and attr.expr.kind == "reference" else None
            if address is None or address not in self.resources:
                shown = attr.expr.text if attr is not None else "unset"
                return Reach(
                    None,
                    f"its cluster (cluster_identifier = {shown}) is not defined in this module, so its security "
                    "groups cannot be told here",
                )
            holder = self.resources[address][0]
        return self.reach(_attr_expr(holder, "vpc_security_group_ids"), self.database_port(block, holder))

    def database_port(self, block: Block, holder: Block) -> int | None:
        """The ``port`` attribute, else the engine's default port (None when neither is known)."""
        for source in (holder, block):
            port = value(source, "port", self.module)
            if port is not None:
                try:
                    return int(str(port))
                except ValueError:
                    return None
        if block.labels[0] == "aws_redshift_cluster":
            return REDSHIFT_PORT
        engine = value(block, "engine", self.module) or value(holder, "engine", self.module)
        for prefix, port_number in ENGINE_PORTS:
            if str(engine or "").lower().startswith(prefix):
                return port_number
        return None

    # -- Azure database servers ---------------------------------------------------------

    def azure_server(self, rule: Block) -> tuple[str, Block | None]:
        """The server an Azure database firewall rule belongs to: its address, and its block
        when the server is defined in this module."""
        attr = rule.get(AZURE_FIREWALL_RULES.get(rule.labels[0], "server_id"))
        if attr is None:
            return "", None
        address = self.target(str(attr.expr.value)) if attr.expr.kind == "reference" else None
        if address not in self.resources or self.resources[address][0].labels[0] not in AZURE_DB_SERVERS:
            return attr.expr.text, None
        return address, self.resources[address][0]


def _attr_expr(block: Block, name: str) -> Expr | None:
    attr = block.get(name)
    return attr.expr if attr is not None else None


def network_for(doc: Document, project: Project) -> Network:
    """The network facts of ``doc``'s directory, built once per directory and scan."""
    key = ("terraform-network", module_key(doc))
    if key not in project.cache:
        module = module_for(doc, project)
        project.cache[key] = Network(list(module.documents) or [doc], module)
    return project.cache[key]


def database_reach(instance: Instance, doc: Document, project: Project) -> Reach:
    """``Network.database_reach`` for a resource as its module instance creates it: with the
    network of ``doc``'s directory, or for a resource a module call creates, with the child's
    resources evaluated with the call's inputs. A registry module described by a table
    (``facts.tf_registry``) has no security groups we can read."""
    if not instance.called:
        return network_for(doc, project).database_reach(instance.block)
    if instance.scope.module.published is not None:
        return Reach(None, "its security groups are inputs of a registry module, which are not read here")
    return Network(list(instance.scope.module.documents), instance.scope).database_reach(instance.block)
