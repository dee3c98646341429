"""An external-dns TTL annotation (or DNSEndpoint recordTTL) that publishes short-lived records."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.rules.dns.incidents import CLOUDFLARE_SERVFAIL_2021, FACEBOOK_2021

from guardrails.documents import TreeDocument
from guardrails.facts import dns
from guardrails.model import Category, Finding, Kind, Node, Severity, Span
from guardrails.rule import Bad, Good, Place, Rule, RuleContext

PREFIXES = ("external-dns.alpha.kubernetes.io/", "external-dns.kubernetes.io/")
_ROUTING = {
    "set-identifier",
    "aws-health-check-id",
    "aws-weight",
    "aws-failover",
    "aws-region",
    "aws-multi-value-answer",
}
_ROUTING_PREFIXES = ("aws-geolocation", "aws-geoproximity")

_SERVICE = (
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n"
    "    external-dns.alpha.kubernetes.io/hostname: web.example.com\n{extra}"
    "spec:\n  type: LoadBalancer\n  ports:\n    - port: 443\n"
)


class ExternalDnsShortTtl(Rule):
    id = "DT003"
    name = "external-dns-short-ttl"
    title = "Kubernetes external-dns records with a TTL shorter than the minimum"
    category = Category.SHORT_DNS_TTL
    severity = Severity.MEDIUM
    kinds = frozenset({Kind.KUBERNETES})
    incidents = (FACEBOOK_2021, CLOUDFLARE_SERVFAIL_2021)
    rationale = (
        "external-dns writes the records for a Service or Ingress with the TTL of its "
        "`external-dns.alpha.kubernetes.io/ttl` (or, since v0.22, `external-dns.kubernetes.io/ttl`) annotation: "
        "integer seconds or a Go duration such as `1m`; `0` means unset (the provider default). A short TTL "
        "makes the name disappear from resolvers soon after the authoritative DNS becomes unreachable "
        "(Facebook 2021). Hostname records are A/AAAA/CNAME, judged against the A threshold; DNSEndpoint "
        "`recordTTL` is judged against its `recordType`. Records with routing annotations (set-identifier, "
        "aws-failover, aws-weight, aws-region, aws-geolocation, health checks) or Cloudflare proxying are exempt, "
        "and so are objects whose hostnames are all non-production or whose targets are private addresses. "
        "The SOA record's own TTL bounds negative caching and is never judged. Outside the lesson: records that "
        "answer loopback or private addresses, records of private zones and names (or files) classified "
        "non-production (dev, staging, test...). A record at 60 s or less and an NS set below an hour are "
        "reported one by one; the other short records of one file are one finding, at the shortest, with "
        "every record in its related locations."
    )
    remediation = (
        'Remove the TTL annotation or raise it to an hour or more (`external-dns.alpha.kubernetes.io/ttl: "1h"`); '
        "for fast failover use a routing policy with health checks instead of a short TTL."
    )
    options = dns.TTL_OPTIONS
    bad = (
        Bad(
            "service.yaml",
            _SERVICE.format(extra='    external-dns.alpha.kubernetes.io/ttl: "60"\n'),
            7,
            note="one-minute TTL on a public hostname",
        ),
        Bad(
            "ingress.yaml",
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n"
            "    external-dns.kubernetes.io/ttl: 5m\nspec:\n  rules:\n    - host: api.example.com\n",
            6,
            note="the newer annotation prefix with a Go duration",
        ),
    )
    good = (
        Good(
            "service.yaml", _SERVICE.format(extra='    external-dns.alpha.kubernetes.io/ttl: "0"\n'), note="0 = unset"
        ),
        Good("service.yaml", _SERVICE.format(extra="    external-dns.alpha.kubernetes.io/ttl: 1h30m\n")),
        Good(
            "service.yaml",
            _SERVICE.format(extra='    external-dns.alpha.kubernetes.io/ttl: "60"\n').replace(
                "web.example.com", "web.staging.example.com"
            ),
            note="a staging hostname is outside the lesson",
        ),
        Good(
            "service.yaml",
            _SERVICE.format(
                extra='    external-dns.alpha.kubernetes.io/ttl: "60"\n'
                "    external-dns.alpha.kubernetes.io/set-identifier: eu-west-1\n"
                "    external-dns.alpha.kubernetes.io/aws-failover: PRIMARY\n"
            ),
            note="failover records are short on purpose",
        ),
    )

    def check(self, doc: TreeDocument, ctx: RuleContext) -> Iterator[Finding]:  # type: ignore[override]
        policy = dns.TtlPolicy.from_options(ctx.options)
        if policy.outside(path=doc.host.path):
            return  # manifests of a staging or development environment
        short: list[dns.ShortTtl] = []
        for root in doc.roots:
            for obj in _objects(root):
                short.extend(_annotations(doc, obj, policy))
                short.extend(_endpoints(doc, obj, policy))
        yield from dns.ttl_findings(self, dns.ttl_reports(short, policy, f"file {doc.host.path}"), ctx)


def _annotations(doc: TreeDocument, obj: Node, policy: dns.TtlPolicy) -> Iterator[dns.ShortTtl]:
    annotations = obj.path("metadata", "annotations")
    if annotations is None or not annotations.is_map:
        return
    found: dict[str, tuple[str, Node]] = {}
    for key, _, value in annotations.items():
        for prefix in PREFIXES:
            if key.startswith(prefix):
                found[key[len(prefix) :]] = (key, value)
    if "ttl" not in found or (policy.exempt_routing and _routed(found)):
        return
    proxied = found.get("cloudflare-proxied")
    if proxied is not None and proxied[1].text.strip().lower() == "true":
        return
    targets = _listed(found.get("target"))
    if policy.outside(_hosts(obj, found), private="private addresses" if dns.private_answers(targets) else ""):
        return
    key, value = found["ttl"]
    seconds = dns.parse_go_duration(value.text)
    verdict = policy.evaluate("A", seconds) if seconds else None
    if verdict is None:
        return
    label = _label(obj)
    yield dns.ShortTtl(
        Place.of(doc, value.span),
        verdict,
        label,
        f"{key}: {value.text!r} makes external-dns publish its records with a TTL of {dns.human(verdict.ttl)}",
        f"{label}/annotations/ttl",
    )


def _endpoints(doc: TreeDocument, obj: Node, policy: dns.TtlPolicy) -> Iterator[dns.ShortTtl]:
    kind = obj.get("kind")
    endpoints = obj.path("spec", "endpoints")
    if kind is None or kind.text != "DNSEndpoint" or endpoints is None:
        return
    for endpoint in endpoints.elements():
        ttl, rtype, name = endpoint.get("recordTTL"), endpoint.get("recordType"), endpoint.get("dnsName")
        seconds = dns.parse_go_duration(ttl.text) if ttl is not None else None
        if not seconds or ttl is None or rtype is None or (name is not None and policy.exempt_name(name.text)):
            continue
        if policy.exempt_routing and endpoint.get("setIdentifier") is not None:
            continue
        targets = endpoint.get("targets")
        answers = [t.text for t in targets.elements()] if targets is not None else []
        private = "private addresses" if rtype.text.upper() in ("A", "AAAA") and dns.private_answers(answers) else ""
        host = name.text if name is not None else "?"
        if policy.outside((host,) if name is not None else (), private=private):
            continue
        verdict = policy.evaluate(rtype.text, seconds)
        if verdict is None:
            continue
        yield dns.ShortTtl(
            Place.of(doc, ttl.span),
            verdict,
            f"{_label(obj)}: endpoint {host} ({verdict.rtype})",
            f"recordTTL {dns.human(seconds)}",
            f"{_label(obj)}/{host}/{verdict.rtype}",
        )


def _hosts(obj: Node, found: dict[str, tuple[str, Node]]) -> list[str]:
    """The names external-dns publishes for an object: its hostname annotation and Ingress rule hosts."""
    hosts = _listed(found.get("hostname"))
    for rule in (obj.path("spec", "rules") or Node("seq", [], Span.point(1))).elements():
        host = rule.get("host")
        if host is not None and host.text:
            hosts.append(host.text)
    return hosts


def _listed(entry: tuple[str, Node] | None) -> list[str]:
    """A comma-separated annotation value as its items."""
    return [item.strip() for item in entry[1].text.split(",") if item.strip()] if entry is not None else []


def _objects(root: Node) -> list[Node]:
    if not root.is_map:
        return []
    kind = root.get("kind")
    items = root.get("items")
    if kind is not None and kind.text == "List" and items is not None:
        return [i for i in items.elements() if i.is_map]
    return [root]


def _routed(found: dict[str, tuple[str, Node]]) -> bool:
    return any(name in _ROUTING or name.startswith(_ROUTING_PREFIXES) for name in found)


def _label(obj: Node) -> str:
    kind, name = obj.get("kind"), obj.path("metadata", "name")
    return f"{kind.text if kind else '?'}/{name.text if name else '?'}"
