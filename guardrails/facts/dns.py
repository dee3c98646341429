"""DNS facts shared by the short-TTL and single-point-of-failure rules.

One TTL policy (thresholds per record type, severity bands, exemptions, what is outside the
lesson, how findings are grouped) judges every format: Terraform records, BIND zone files and
external-dns annotations. One provider table recognises who operates a nameserver from its
hostname. Terraform records and nameserver lists are read through ``facts.terraform``
(variables, locals, tfvars).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from guardrails import deferred_re
from guardrails.documents import Attribute, Block, Expr, TerraformDocument, ZoneDocument
from guardrails.facts.environments import DEVELOPMENT, STAGING, SYNONYMS_OPTION, Environments
from guardrails.facts.network import is_private_cidr
from guardrails.model import Edit, Finding, Fix, Safety, Severity
from guardrails.project import Project
from guardrails.records import Frozen, Record
from guardrails.rule import Option, Place, Rule, RuleContext

if TYPE_CHECKING:  # the Terraform evaluator is imported by the functions that read Terraform:
    # a Kubernetes or zone-file scan reads DNS facts and never loads it
    from guardrails.facts.terraform import Module, Origin, Resolved

# --------------------------------------------------------------------------- durations

_BIND_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_BIND_TTL = deferred_re.compile(r"(\d+)([smhdw])", re.IGNORECASE)
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_GO_DURATION = deferred_re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_bind_ttl(text: str) -> int | None:
    """A BIND TTL in seconds: ``3600``, ``1h``, ``1h30m``, ``1W2D`` (units s/m/h/d/w, any case)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or _BIND_TTL.sub("", text):
        return None
    return sum(int(n) * _BIND_UNITS[u.lower()] for n, u in _BIND_TTL.findall(text))


def parse_go_duration(text: str) -> int | None:
    """An integer number of seconds or a Go duration (``1m``, ``1h30m``, ``1.5h``), as external-dns reads it."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or _GO_DURATION.sub("", text):
        return None
    return int(sum(float(n) * _GO_UNITS[u] for n, u in _GO_DURATION.findall(text)))


def human(seconds: int) -> str:
    """``300 s (5m)``: the number a reviewer compares and the unit a human reads."""
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds} s ({seconds // size}{unit})"
    return f"{seconds} s"


# --------------------------------------------------------------------------- TTL policy

DEFAULT_THRESHOLDS: dict[str, int] = {
    "A": 3600,
    "AAAA": 3600,
    "CNAME": 3600,
    "MX": 3600,
    "TXT": 3600,
    "NS": 3600,
    "*": 3600,
}
# The SOA record's own TTL bounds how long resolvers cache a negative answer (RFC 2308 §5);
# it is not how long an answer survives an outage, so it is never judged as a record TTL.
NOT_ANSWER_TYPES = frozenset({"SOA"})
# Record types reported one finding per record, never folded into a group: a short NS set
# makes resolvers forget the whole delegation.
PER_RECORD_TYPES = frozenset({"NS"})
NON_PRODUCTION = frozenset({STAGING, DEVELOPMENT})
DEFAULT_BANDS: dict[str, int] = {"high": 60, "medium": 300}

TTL_OPTIONS: dict[str, Option] = {
    "thresholds": Option(
        DEFAULT_THRESHOLDS,
        "Minimum TTL in seconds per record type; '*' applies to types not listed (0 disables a type).",
    ),
    "severity_bands": Option(
        DEFAULT_BANDS,
        "A TTL at or below 'high' seconds is high severity, at or below 'medium' medium, otherwise low.",
    ),
    "exempt_routing_policies": Option(
        True,
        "Skip records that are short on purpose: failover, weighted, latency, geolocation, multivalue or "
        "health-checked records (AWS recommends TTL <= 60 s for failover records).",
    ),
    "exempt_name_prefixes": Option(
        ["_acme-challenge"],
        "Owner-name first labels whose records are transient by design (ACME DNS-01 challenges).",
    ),
    "environment_synonyms": SYNONYMS_OPTION,
}


class TtlVerdict(Frozen):
    """A TTL below the minimum for its record type."""

    rtype: str
    ttl: int
    threshold: int
    severity: Severity

    def describe(self) -> str:
        return f"below the {human(self.threshold)} minimum for {self.rtype} records"


class TtlPolicy(Record):
    __slots__ = ("bands", "environments", "exempt_prefixes", "exempt_routing", "thresholds")

    def __init__(
        self,
        thresholds: dict[str, int],
        bands: dict[str, int],
        exempt_routing: bool,
        exempt_prefixes: tuple[str, ...],
        environments: Environments | None = None,
    ) -> None:
        self.thresholds = thresholds
        self.bands = bands
        self.exempt_routing = exempt_routing
        self.exempt_prefixes = exempt_prefixes
        self.environments = Environments() if environments is None else environments

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> TtlPolicy:
        thresholds = {str(k).upper(): int(v) for k, v in options.get("thresholds", DEFAULT_THRESHOLDS).items()}
        bands = {**DEFAULT_BANDS, **options.get("severity_bands", {})}
        return cls(
            thresholds,
            bands,
            bool(options.get("exempt_routing_policies", True)),
            tuple(p.lower() for p in options.get("exempt_name_prefixes", ["_acme-challenge"])),
            Environments.of(options.get("environment_synonyms")),
        )

    def threshold(self, rtype: str) -> int:
        return self.thresholds.get(rtype.upper(), self.thresholds.get("*", 0))

    def severity(self, ttl: int) -> Severity:
        if ttl <= self.bands.get("high", 60):
            return Severity.HIGH
        if ttl <= self.bands.get("medium", 300):
            return Severity.MEDIUM
        return Severity.LOW

    def evaluate(self, rtype: str, ttl: int) -> TtlVerdict | None:
        """A verdict when ``ttl`` is below the minimum for ``rtype``, else None."""
        threshold = self.threshold(rtype)
        if rtype.upper() in NOT_ANSWER_TYPES or threshold <= 0 or ttl >= threshold:
            return None
        return TtlVerdict(rtype.upper(), ttl, threshold, self.severity(ttl))

    def exempt_name(self, name: str) -> bool:
        first = name.strip().lower().split(".", 1)[0]
        return first in self.exempt_prefixes

    def outside(self, names: Iterable[str] = (), path: str = "", private: str = "", zone: str = "") -> str:
        """Why records are outside the lesson ('' when inside): nothing on the internet resolves
        them through the public DNS (``private`` says why: a private zone, private addresses), or
        the file's path or every one of their owner ``names`` is classified non-production. Names
        of a known ``zone`` are read without its top-level domain (``without_tld``)."""
        if private:
            return private
        env = self.environments.of_path(path) if path else None
        if env in NON_PRODUCTION:
            return f"a {env} file"
        envs = {self.environments.from_label(without_tld(n, zone)) for n in names if n}
        if envs and all(e in NON_PRODUCTION for e in envs):
            return f"a {'/'.join(sorted(e for e in envs if e))} name"
        return ""

    def alone(self, verdict: TtlVerdict) -> bool:
        """A record reported on its own, never folded into its zone's or module's finding: one cached
        for a minute or less, or an NS set."""
        return verdict.ttl <= self.bands.get("high", 60) or verdict.rtype in PER_RECORD_TYPES


def without_tld(name: str, zone: str) -> str:
    """``name`` without the top-level domain when it is ``zone`` or below it: a TLD names a
    registry, not an environment (``.dev`` is Google's registry, used by nix.dev and web.dev;
    ``.qa`` is Qatar's). The labels left say whether the zone or the record is one for tests."""
    name, zone = normalise_host(name), normalise_host(zone)
    if "." not in zone or not (name == zone or name.endswith("." + zone)):
        return name
    return name.rsplit(".", 1)[0]


def private_answers(values: Iterable[str]) -> bool:
    """Answers that are all loopback or private addresses (and at least one)."""
    values = [v for v in values if v]
    return bool(values) and all(private_address(v) for v in values)


def private_address(text: str) -> bool:
    """An IP address that is loopback, RFC 1918/6598, ULA or link-local: never an internet answer."""
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return False
    return is_private_cidr(str(address))


# --------------------------------------------------------------------------- grouped reports


class ShortTtl(Frozen):
    """One record below its minimum and inside the lesson, where it is written."""

    place: Place
    verdict: TtlVerdict
    what: str  # the record as a message names it: ``aws_route53_record.www (www.example.com, A)``
    detail: str  # what gives the TTL: ``ttl = 300 gives a TTL of 300 s (5m)``
    anchor: str
    raise_to_minimum: tuple[Edit, ...] = ()  # the edits that give it the minimum TTL; none when unsure


class TtlReport(Frozen):
    """One finding: a record on its own, or every short record of a zone or module, shortest first."""

    members: tuple[ShortTtl, ...]
    where: str = ""

    @property
    def first(self) -> ShortTtl:
        return self.members[0]

    @property
    def grouped(self) -> bool:
        return len(self.members) > 1

    def related(self) -> list[dict[str, Any]]:
        """Every record of a group, where it is written (none for a record on its own)."""
        if not self.grouped:
            return []
        return [
            {
                "path": m.place.path,
                "line": m.place.span.line,
                "column": m.place.span.column,
                "message": f"{m.what}: {m.detail}",
            }
            for m in self.members
        ]

    def message(self) -> str:
        first = self.first
        if not self.grouped:
            return (
                f"{first.what}: {first.detail}, {first.verdict.describe()}; resolvers drop the record that long "
                "after its authoritative servers become unreachable"
            )
        return (
            f"{len(self.members)} records in {self.where} have TTLs below the minimum for their type, the shortest "
            f"{first.what}: {first.detail}, {first.verdict.describe()}; resolvers drop them that long after the "
            "authoritative servers become unreachable (every record is listed in the related locations)"
        )

    def anchor(self) -> str:
        return f"short-ttls@{self.where}" if self.grouped else self.first.anchor

    def fix(self) -> Fix | None:
        """Every record raised to its minimum, or nothing: a group whose records are not all
        raised would still be reported."""
        if not all(m.raise_to_minimum for m in self.members):
            return None
        edits = tuple(e for m in self.members for e in m.raise_to_minimum)
        return Fix(f"raise the TTL{'s' if self.grouped else ''} to the minimum", Safety.UNSAFE, edits)


def ttl_reports(short: Iterable[ShortTtl], policy: TtlPolicy, where: str) -> list[TtlReport]:
    """The findings for the short records of one zone or module (``where``): a record cached for a
    minute or less and an NS set stand alone; the others are one finding, placed at the shortest."""
    reports: list[TtlReport] = []
    rest: list[ShortTtl] = []
    for item in short:
        if policy.alone(item.verdict):
            reports.append(TtlReport((item,), where))
        else:
            rest.append(item)
    if rest:
        rest.sort(key=lambda s: (s.verdict.ttl, s.place.path, s.place.span.line, s.place.span.column))
        reports.append(TtlReport(tuple(rest), where))
    return reports


def ttl_findings(rule: Rule, reports: Iterable[TtlReport], ctx: RuleContext) -> Iterator[Finding]:
    """Each report as ``rule``'s finding: at its first (shortest) record, the others related."""
    for report in reports:
        yield rule.finding_at(
            report.first.place,
            report.message(),
            anchor=report.anchor(),
            ctx=ctx,
            severity=report.first.verdict.severity,
            related=report.related(),
            fix=report.fix(),
        )


# --------------------------------------------------------------------------- Terraform records


class _RecordSpec(Frozen):
    type_attr: str | None  # attribute holding the record type; None: fixed by the resource type
    fixed_type: str = ""
    name_attr: str = "name"
    default_ttl: int | None = None  # provider default when ttl is absent
    automatic: int | None = None  # ttl value meaning "automatic"
    answers: tuple[str, ...] = ("records",)  # attributes holding the record's answers


_AZURE_TYPES = ("a", "aaaa", "caa", "cname", "mx", "ns", "ptr", "srv", "txt")

RECORD_RESOURCES: dict[str, _RecordSpec] = {
    "aws_route53_record": _RecordSpec("type"),
    "google_dns_record_set": _RecordSpec("type", answers=("rrdatas",)),
    "cloudflare_record": _RecordSpec("type", automatic=1, answers=("value", "content")),
    "cloudflare_dns_record": _RecordSpec("type", automatic=1, answers=("content",)),
    "digitalocean_record": _RecordSpec("type", default_ttl=1800, answers=("value",)),
    "dnsimple_zone_record": _RecordSpec("type", default_ttl=3600, answers=("value",)),
    "ns1_record": _RecordSpec("type", name_attr="domain", answers=()),
    **{f"azurerm_dns_{t}_record": _RecordSpec(None, fixed_type=t.upper()) for t in _AZURE_TYPES},
}

CLOUDFLARE_AUTOMATIC_TTL = 300
# Attributes of compute resources that hold an address inside a private network
# (aws_instance.private_ip, azurerm_network_interface.private_ip_address, ...).
PRIVATE_ADDRESS_ATTRIBUTES = frozenset({"private_ip", "private_ips", "private_ip_address", "private_ip_addresses"})
_AWS_ROUTING_BLOCKS = (
    "failover_routing_policy",
    "weighted_routing_policy",
    "latency_routing_policy",
    "geolocation_routing_policy",
    "geoproximity_routing_policy",
    "cidr_routing_policy",
)


class RecordTtl(Record):
    """The shortest TTL a Terraform record resource can get, with where it came from."""

    # ``written``: how the TTL is written: ``ttl = 30``, ``ttl not set``...
    __slots__ = ("instance", "note", "resolved", "rtype", "ttl", "written")

    def __init__(
        self,
        rtype: str,
        ttl: int,
        written: str,
        resolved: Resolved | None = None,
        instance: str = "",
        note: str = "",
    ) -> None:
        self.rtype = rtype
        self.ttl = ttl
        self.written = written
        self.resolved = resolved
        self.instance = instance
        self.note = note

    @property
    def via(self) -> str:
        return self.resolved.via if self.resolved is not None else ""


class TerraformRecord(Record):
    # ``private_answers``: every answer is a loopback or private address
    __slots__ = ("block", "exemption", "name", "private_answers", "spec", "ttl_attr", "ttls")

    def __init__(
        self,
        block: Block,
        spec: _RecordSpec,
        ttl_attr: Attribute | None,
        ttls: list[RecordTtl] | None = None,
        exemption: str = "",
        name: str = "",
        private_answers: bool = False,
    ) -> None:
        self.block = block
        self.spec = spec
        self.ttl_attr = ttl_attr
        self.ttls: list[RecordTtl] = [] if ttls is None else ttls
        self.exemption = exemption
        self.name = name
        self.private_answers = private_answers


def has_nested(block: Block, name: str) -> bool:
    """A nested block, or the same written as an attribute (``.tf.json`` objects), or a dynamic block."""
    if block.child(name) is not None or block.get(name) is not None:
        return True
    return any(d.labels[:1] == [name] for d in block.children("dynamic"))


def routing_exemption(block: Block, module: Module) -> str:
    """Why a record is short on purpose ('' when it is not)."""
    for name in _AWS_ROUTING_BLOCKS:
        if has_nested(block, name):
            return name
    if block.get("health_check_id") is not None:
        return "health_check_id"
    multivalue = block.get("multivalue_answer_routing_policy")
    if multivalue is not None and module.resolve(multivalue.expr).as_bool():
        return "multivalue_answer_routing_policy"
    if has_nested(block, "routing_policy"):
        return "routing_policy"
    if block.labels and block.labels[0] == "ns1_record" and has_nested(block, "filters"):
        return "filters"
    return ""


class _Instance(Frozen):
    """One ``for_each`` entry (key and ``each.value``) with where the collection is written."""

    key: str = ""
    value: Any = None
    origin: Origin | None = None


def _instances(block: Block, module: Module, path: str) -> list[_Instance]:
    """The entries of a ``for_each`` whose collection resolves; a single plain instance otherwise."""
    from guardrails.facts.terraform import Origin

    attr = block.get("for_each")
    if attr is None:
        return [_Instance()]
    resolved = module.resolve(attr.expr)
    where = resolved.origins[0] if resolved.origins else Origin("for_each", path, attr.span.line)
    if isinstance(resolved.value, dict):
        return [
            _Instance(str(k), v, Origin(f"for_each key {k!r} of {where.what}", where.path, where.line))
            for k, v in resolved.value.items()
        ]
    if isinstance(resolved.value, list):
        return [
            _Instance(str(v), v, Origin(f"for_each {v!r} of {where.what}", where.path, where.line))
            for v in resolved.value
        ]
    return [_Instance()]


def _values(expr: Expr, module: Module, instance: _Instance) -> list[Resolved]:
    """The candidate values of ``expr``: ``each.value.x`` from the instance, else the module's candidates."""
    from guardrails.facts.terraform import Resolved

    ref = str(expr.value) if expr.kind == "reference" else ""
    if ref == "each.value" or ref.startswith("each.value."):
        value = instance.value
        for part in ref.split(".")[2:]:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None or instance.origin is None:
            return []
        return [Resolved(value, True, [instance.origin])]
    if ref == "each.key" and instance.origin is not None:
        return [Resolved(instance.key, True, [instance.origin])]
    return module.candidates(expr)


def _type_of(block: Block, spec: _RecordSpec, module: Module, instance: _Instance) -> str | None:
    if spec.type_attr is None:
        return spec.fixed_type
    attr = block.get(spec.type_attr)
    if attr is None:
        return None
    for candidate in _values(attr.expr, module, instance):
        if candidate.known and isinstance(candidate.value, str):
            return candidate.value.upper()
    return None


def terraform_records(doc: TerraformDocument, module: Module) -> Iterator[TerraformRecord]:
    """Every DNS record resource of ``doc`` (and every entry of a registry records-module call,
    ``facts.tf_registry.RECORD_MODULES``) with the TTLs it can take (aliases have none)."""
    for block in (*doc.resources(*RECORD_RESOURCES), *_module_records(doc, module)):
        spec = RECORD_RESOURCES[block.labels[0]]
        if block.labels[0] == "aws_route53_record" and has_nested(block, "alias"):
            continue
        record = TerraformRecord(block, spec, block.get("ttl"), exemption=routing_exemption(block, module))
        name_attr = block.get(spec.name_attr)
        if name_attr is not None:
            name = module.resolve(name_attr.expr)
            record.name = name.value if name.known and isinstance(name.value, str) else ""
        proxied = block.get("proxied")
        if proxied is not None and module.resolve(proxied.expr).as_bool():
            record.exemption = "proxied"
        record.private_answers = any(
            (attr := block.get(name)) is not None and _private_answers(attr.expr, module) for name in spec.answers
        )
        for instance in _instances(block, module, doc.path):
            rtype = _type_of(block, spec, module, instance)
            if rtype is not None:
                record.ttls.extend(_record_ttls(record, rtype, module, instance))
        yield record


def _module_records(doc: TerraformDocument, module: Module) -> Iterator[Block]:
    """The records a call to a records module writes out, one resource block per entry whose
    fields are the resource's arguments. Entries come from what the call writes (a list, or a map
    keyed by name); a ``records`` input that is a variable or an expression is not followed."""
    from guardrails.facts.terraform import registry_calls
    from guardrails.facts.tf_registry import records_module

    for call, source, constraint in registry_calls(doc, module):
        table = records_module(source, constraint)
        attr = call.get(table.input) if table is not None else None
        if table is None or attr is None:
            continue
        value = attr.expr.value
        if table.keyed and attr.expr.kind == "object" and isinstance(value, dict):
            entries = [(str(key), entry) for key, entry in value.items()]
        elif not table.keyed and attr.expr.kind == "tuple" and isinstance(value, list):
            entries = [(str(index), entry) for index, entry in enumerate(value)]
        else:
            continue
        for key, entry in entries:
            if entry.kind != "object" or not isinstance(entry.value, dict):
                continue
            fields = {str(name): Attribute(str(name), expr, expr.span) for name, expr in entry.value.items()}
            written = [fields[f].expr.value for f in ("name", "type", "set_identifier") if f in fields]
            if not table.keyed and len(written) >= 2 and all(isinstance(w, str) for w in written):
                key = " ".join(w for w in written if w)  # the module's own key: "name type [set_identifier]"
            resource, name = table.resource, table.address.split(".", 1)[1]
            instance = f'module.{call.labels[0]}.{table.address}["{key}"]'
            yield Block("resource", [resource, name], fields, [], entry.span, instance=instance)


def _private_answers(expr: Expr, module: Module) -> bool:
    """Every answer an expression lists is a private address, written or referenced (``.private_ip``)."""
    items = expr.value if expr.kind == "tuple" else [expr]
    if not items:
        return False
    for item in items:
        if item.kind == "reference" and str(item.value).rsplit(".", 1)[-1] in PRIVATE_ADDRESS_ATTRIBUTES:
            continue
        resolved = module.resolve(item)
        values = resolved.value if isinstance(resolved.value, list) else [resolved.value]
        if not resolved.known or not values or not all(isinstance(v, str) and private_address(v) for v in values):
            return False
    return True


def _record_ttls(record: TerraformRecord, rtype: str, module: Module, instance: _Instance) -> Iterator[RecordTtl]:
    spec = record.spec
    if record.ttl_attr is None:
        if spec.default_ttl is not None:
            written = f"ttl not set ({record.block.labels[0]} defaults to {spec.default_ttl})"
            yield RecordTtl(rtype, spec.default_ttl, written, instance=instance.key)
        return
    for candidate in _values(record.ttl_attr.expr, module, instance):
        seconds = candidate.as_int()
        if seconds is None:
            continue
        written = f"ttl = {record.ttl_attr.expr.text.strip()}"
        note = ""
        if spec.automatic is not None and seconds == spec.automatic:
            note = f"1 means automatic, which Cloudflare serves as {CLOUDFLARE_AUTOMATIC_TTL} s"
            seconds = CLOUDFLARE_AUTOMATIC_TTL
        yield RecordTtl(rtype, seconds, written, candidate, instance.key, note)


# --------------------------------------------------------------------------- nameserver providers

_PROVIDERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Amazon Route 53", deferred_re.compile(r"(^|\.)awsdns-\d+\.[a-z.]+$")),
    ("Google Cloud DNS", deferred_re.compile(r"^ns-cloud-[a-z]\d+\.googledomains\.com$")),
    ("Cloudflare", deferred_re.compile(r"\.ns\.cloudflare\.com$")),
    ("Azure DNS", deferred_re.compile(r"(^|\.)azure-dns\.(com|net|org|info)$")),
    ("NS1", deferred_re.compile(r"(^|\.)nsone\.net$")),
    ("Dyn", deferred_re.compile(r"(^|\.)dynect\.net$")),
    ("Akamai Edge DNS", deferred_re.compile(r"(^|\.)akam\.net$")),
    ("UltraDNS", deferred_re.compile(r"(^|\.)ultradns\.(com|net|org|biz|info|co\.uk)$")),
    ("DigitalOcean", deferred_re.compile(r"(^|\.)digitalocean\.com$")),
    ("GoDaddy", deferred_re.compile(r"(^|\.)domaincontrol\.com$")),
    ("Namecheap", deferred_re.compile(r"(^|\.)registrar-servers\.com$")),
    ("Gandi", deferred_re.compile(r"(^|\.)gandi\.net$")),
)
_SECOND_LEVEL = {"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or"}

# What a Terraform reference to a zone's name server list points at.
ZONE_NAME_SERVERS: dict[str, tuple[str, str]] = {
    "aws_route53_zone": ("name_servers", "Amazon Route 53"),
    "aws_route53_delegation_set": ("name_servers", "Amazon Route 53"),
    "google_dns_managed_zone": ("name_servers", "Google Cloud DNS"),
    "azurerm_dns_zone": ("name_servers", "Azure DNS"),
    "cloudflare_zone": ("name_servers", "Cloudflare"),
    "ns1_zone": ("dns_servers", "NS1"),
}


def normalise_host(host: str) -> str:
    return host.strip().rstrip(".").lower()


def provider_of(host: str) -> str:
    """The operator of a nameserver: a known DNS provider, else its registrable domain."""
    host = normalise_host(host)
    for name, pattern in _PROVIDERS:
        if pattern.search(host):
            return name
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


class NameServer(Frozen):
    """A nameserver as written: a hostname, or a reference into a provider zone's list."""

    label: str
    provider: str
    many: bool = False  # a whole zone list (four Route 53 servers, ...), not one host


class NsVerdict(Frozen):
    """``reason`` reads after "delegates to"; ``culprit`` after "when"."""

    reason: str
    culprit: str
    single: bool


def judge_nameservers(servers: list[NameServer]) -> NsVerdict | None:
    """A verdict when the servers are one host or all belong to one provider."""
    if not servers:
        return None
    labels = sorted({s.label for s in servers})
    providers = sorted({s.provider for s in servers})
    if len(labels) == 1 and not servers[0].many:
        return NsVerdict(f"a single nameserver, {labels[0]}", "that server", True)
    if len(providers) == 1:
        shown = ", ".join(labels[:4]) + (", ..." if len(labels) > 4 else "")
        return NsVerdict(f"nameservers of one provider only, {providers[0]} ({shown})", providers[0], False)
    return None


def host_server(host: str) -> NameServer:
    return NameServer(normalise_host(host), provider_of(host))


def nameservers_from_expr(expr: Expr, module: Module, _depth: int = 0) -> list[NameServer] | None:
    """The nameservers an HCL expression lists, or None when any part cannot be known."""
    if _depth > 8:
        return None
    if expr.kind == "tuple":
        found: list[NameServer] = []
        for item in expr.value:
            inner = nameservers_from_expr(item, module, _depth + 1)
            if inner is None:
                return None
            found.extend(inner)
        return found
    if expr.kind == "call" and expr.value in ("concat", "tolist", "toset", "sort", "distinct", "flatten"):
        found = []
        for arg in expr.args:
            inner = nameservers_from_expr(arg, module, _depth + 1)
            if inner is None:
                return None
            found.extend(inner)
        return found
    if expr.kind == "reference":
        zone = _zone_reference(str(expr.value))
        if zone is not None:
            return [zone]
    resolved = module.resolve(expr)
    if resolved.known and isinstance(resolved.value, str):
        return [host_server(resolved.value)]
    if resolved.known and isinstance(resolved.value, list) and all(isinstance(v, str) for v in resolved.value):
        return [host_server(v) for v in resolved.value]
    return None


def _zone_reference(ref: str) -> NameServer | None:
    """``aws_route53_zone.main.name_servers[0]`` -> a Route 53 nameserver of that zone."""
    parts = ref.split(".")
    if parts and parts[0] == "data":
        parts = parts[1:]
    if len(parts) < 3:
        return None
    attribute, _, index = parts[2].partition("[")
    known = ZONE_NAME_SERVERS.get(parts[0])
    if known is None or attribute != known[0]:
        return None
    label = f"{parts[0]}.{parts[1]}.{attribute}" + (f"[{index}" if index else "")
    return NameServer(label, known[1], many=not index)


# --------------------------------------------------------------------------- status pages

STATUS_LABELS = frozenset({"status", "statuspage", "status-page"})


def status_host(fqdn: str) -> bool:
    """``status.example.com``: a status-page host in a zone that is not itself a status domain."""
    labels = normalise_host(fqdn).split(".")
    return len(labels) >= 3 and labels[0] in STATUS_LABELS and not dedicated_status_domain(".".join(labels[1:]))


def dedicated_status_domain(zone: str) -> bool:
    """``example-status.com``, ``examplestatus.io``: a domain kept apart for the status page."""
    first = normalise_host(zone).split(".", 1)[0]
    return "status" in first


# --------------------------------------------------------------------------- zones a record belongs to

# Record resource -> (attribute naming its zone, zone attribute giving the zone's DNS name).
_ZONE_LINKS: dict[str, str] = {
    "aws_route53_record": "zone_id",
    "google_dns_record_set": "managed_zone",
    "cloudflare_record": "zone_id",
    "cloudflare_dns_record": "zone_id",
    "digitalocean_record": "domain",
    "dnsimple_zone_record": "zone_name",
    "ns1_record": "zone",
    **{f"azurerm_dns_{t}_record": "zone_name" for t in _AZURE_TYPES},
}
_ZONE_NAME_ATTRS: dict[str, tuple[str, ...]] = {
    "aws_route53_zone": ("name",),
    "google_dns_managed_zone": ("dns_name",),
    "cloudflare_zone": ("zone", "name"),
    "digitalocean_domain": ("name",),
    "azurerm_dns_zone": ("name",),
    "ns1_zone": ("zone",),
}


class Zone(Frozen):
    address: str
    name: str
    private: bool


def module_zones(documents: list[TerraformDocument], module: Module) -> dict[str, Zone]:
    """The DNS zones declared (or looked up: ``data "aws_route53_zone"``) in a module, by address;
    private zones are marked: a Route 53 ``vpc`` block or ``private_zone = true``, Google
    ``visibility = "private"``."""
    zones: dict[str, Zone] = {}
    for doc in documents:
        for block in doc.blocks:
            if block.type not in ("resource", "data") or not block.labels or block.labels[0] not in _ZONE_NAME_ATTRS:
                continue
            private = _private_zone(block, module)
            if private:  # a private zone whose name is unknown is still private
                zones[block.address] = Zone(block.address, "", private)
            for attr_name in _ZONE_NAME_ATTRS[block.labels[0]]:
                attr = block.get(attr_name)
                value = module.resolve(attr.expr) if attr is not None else None
                if value is not None and value.known and isinstance(value.value, str):
                    zones[block.address] = Zone(block.address, normalise_host(value.value), private)
                    break
    return zones


def _private_zone(block: Block, module: Module) -> bool:
    if has_nested(block, "vpc"):
        return True
    visibility, private = block.get("visibility"), block.get("private_zone")
    if visibility is not None and module.resolve(visibility.expr).value == "private":
        return True
    return private is not None and module.resolve(private.expr).as_bool() is True


def zones_for(doc: TerraformDocument, project: Project, module: Module) -> dict[str, Zone]:
    """The zones of ``doc``'s module (its directory), computed once per directory."""
    from guardrails.facts.terraform import module_key

    key = ("dns-zones", module_key(doc))
    if key not in project.cache:
        project.cache[key] = module_zones(module_documents(doc, module), module)
    return project.cache[key]


def module_documents(doc: TerraformDocument, module: Module) -> list[TerraformDocument]:
    """The Terraform files of ``doc``'s module, as the module listed them (``doc`` alone when none were)."""
    return module.documents or [doc]


def record_zone(block: Block, module: Module, zones: dict[str, Zone]) -> Zone | None:
    """The zone a record resource is written into, when the configuration says which."""
    link = _ZONE_LINKS.get(block.labels[0])
    attr = block.get(link) if link else None
    if attr is None:
        return None
    if attr.expr.kind == "reference":
        parts = str(attr.expr.value).split(".")
        return zones.get(".".join(parts[:3] if parts[0] == "data" else parts[:2]).split("[", 1)[0])
    value = module.resolve(attr.expr)
    if link in ("domain", "zone_name", "zone") and value.known and isinstance(value.value, str):
        return Zone("", normalise_host(value.value), False)
    return None


def record_fqdn(name: str, zone: Zone | None) -> str:
    """The fully qualified name of a record: relative names are completed with the zone's."""
    host = normalise_host(name)
    if zone is None or not zone.name or host == zone.name or host.endswith("." + zone.name):
        return host
    if host in ("", "@"):
        return zone.name
    return f"{host}.{zone.name}"


# --------------------------------------------------------------------------- zone files

# Zones every resolver answers locally and the internet never delegates: RFC 6303 "Locally Served
# DNS Zones" (private, loopback, link-local, documentation and ULA reverse zones), RFC 6761
# special-use names and RFC 8375 home.arpa. Their nameservers and TTLs are not the lesson.
_LOCAL_ZONES = frozenset(
    {"localhost", "invalid", "test", "local", "example", "home.arpa", "0.in-addr.arpa", "127.in-addr.arpa",
     "10.in-addr.arpa", "168.192.in-addr.arpa", "254.169.in-addr.arpa", "255.255.255.255.in-addr.arpa",
     "2.0.192.in-addr.arpa", "100.51.198.in-addr.arpa", "113.0.203.in-addr.arpa", "255.in-addr.arpa",
     "d.f.ip6.arpa", "8.e.f.ip6.arpa", "9.e.f.ip6.arpa", "a.e.f.ip6.arpa", "b.e.f.ip6.arpa",
     "8.b.d.0.1.0.0.2.ip6.arpa", *(f"{n}.172.in-addr.arpa" for n in range(16, 32)),
     *(f"{n}.100.in-addr.arpa" for n in range(64, 128))}
)  # fmt: skip
_LOOPBACK_V6_REVERSE = "1" + ".0" * 31 + ".ip6.arpa"


def locally_served(zone: str) -> bool:
    """A zone at or below one that resolvers serve locally (``10.0.10.in-addr.arpa``, ``localhost``)."""
    labels = normalise_host(zone).split(".")
    names = {".".join(labels[i:]) for i in range(len(labels))}
    return bool(names & _LOCAL_ZONES) or _LOOPBACK_V6_REVERSE in names


def never_delegated(doc: ZoneDocument, origin: str) -> str:
    """Why a zone file is outside the DNS lessons ('' when it is not): a locally served zone, one
    whose only apex nameserver is ``localhost`` (a sinkhole, RFC 1912's local zones), root hints:
    nothing on the internet is delegated to it, or it is the root's."""
    if origin and locally_served(origin):
        return "a locally served zone (RFC 6303)"
    if normalise_host(origin) == "" and any(r.rtype.upper() == "NS" and r.name == "." for r in doc.records):
        return "root hints (the root zone's servers)"
    apex = [r for r in doc.records if r.rtype.upper() == "NS" and zone_owner(r.name, origin) == origin and r.rdata]
    if apex and all(normalise_host(r.rdata[0]) == "localhost" for r in apex):
        return "a zone served by localhost alone"
    return ""


def zone_origin(doc: ZoneDocument) -> str:
    """The zone's apex: ``$ORIGIN``, else the name BIND configurations usually give the file
    (``db.example.com``, ``example.com.zone``, ``example.com.db``); '' when neither says."""
    if doc.origin:
        return normalise_host(doc.origin)
    name = PurePosixPath(doc.path).name.lower()
    for prefix, suffix in (("db.", ""), ("", ".zone"), ("", ".db")):
        if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix) + len(suffix):
            stem = name[len(prefix) : len(name) - len(suffix)]
            if "." in stem:
                return stem
    return ""


def zone_owner(name: str, origin: str) -> str:
    """A record owner made absolute with ``origin`` (the parser leaves names relative without $ORIGIN)."""
    if name == "@":
        return origin
    if name.endswith(".") or not origin:
        return normalise_host(name)
    return normalise_host(f"{name}.{origin}")
