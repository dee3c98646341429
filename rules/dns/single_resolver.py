"""A resolver configuration with one nameserver (or only one public provider's resolvers)."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.rules.dns.incidents import DYN_2016, FACEBOOK_2021

from guardrails.documents import ConfDocument, ResolvDocument, TreeDocument
from guardrails.embedded import pod_specs
from guardrails.facts import resolvers
from guardrails.model import Category, Document, Finding, Kind, Node, Severity, Span
from guardrails.rule import Bad, Good, Rule, RuleContext

_NETPLAN = "network:\n  version: 2\n  ethernets:\n    eth0:\n      addresses: [10.0.0.5/24]\n"
_POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n      image: nginx\n"


class SingleDnsResolver(Rule):
    id = "DS003"
    name = "single-dns-resolver"
    title = "Resolver configuration with a single nameserver"
    category = Category.DNS_SINGLE_POINT_OF_FAILURE
    severity = Severity.HIGH
    kinds = frozenset(
        {
            Kind.RESOLV_CONF,
            Kind.KUBERNETES,
            Kind.COMPOSE,
            Kind.DOCKER_DAEMON,
            Kind.NETPLAN,
            Kind.RESOLVED_CONF,
            Kind.COREFILE,
            Kind.DNSMASQ_CONF,
            Kind.NAMED_CONF,
        }
    )
    incidents = (DYN_2016, FACEBOOK_2021)
    rationale = (
        "A resolver list with one server turns that server's outage, or a DDoS on it, into a total loss of "
        "name resolution for the host, pod or container, including the internal tools needed to repair it "
        "(Facebook 2021). Checked: resolv.conf `nameserver` lines, a pod's `dnsConfig.nameservers` under "
        "`dnsPolicy: None` (other policies add the cluster DNS), compose `dns:` and Docker daemon.json `dns` "
        "(which replace the host's servers), netplan `nameservers.addresses` (unless DHCP adds servers), "
        "systemd-resolved `DNS=` with its drop-ins (at most medium: per-link servers are asked too), a CoreDNS "
        "Corefile's `forward .`, dnsmasq `server=` lines under `no-resolv` and BIND's `forwarders` under "
        "`forward only` "
        "(with the default `forward first` BIND resolves from the root when they fail). A loopback server "
        "(systemd-resolved 127.0.0.53, dnsmasq, unbound) "
        "is a local cache with its own upstreams and is not reported, nor is a resolver container of the same "
        "compose stack (`dns:` naming another service's `ipv4_address`), nor a cloud platform's own resolver "
        "(AWS 169.254.169.253, Azure 168.63.129.16), which the platform answers on every host. "
        "Resolvers that all belong to one public "
        "provider (8.8.8.8 and 8.8.4.4 are both Google) are reported at low severity."
    )
    remediation = (
        "List at least two resolvers that fail independently (two resolver hosts in different zones, or two "
        "providers), or point at a local caching resolver that has several upstreams."
    )
    bad = (
        Bad("resolv.conf", "search example.internal\nnameserver 10.0.0.2\noptions timeout:2\n", 2),
        Bad("docker-compose.yml", "services:\n  app:\n    image: nginx\n    dns: 10.0.0.2\n", 4),
        Bad(
            "named.conf",
            "options {\n  forward only;\n  forwarders { 10.0.0.2; };\n};\n",
            3,
            note="BIND with `forward only`: every name it does not serve goes to one forwarder",
        ),
        Bad(
            "pod.yaml",
            _POD + "  dnsPolicy: None\n  dnsConfig:\n    nameservers:\n      - 10.0.0.2\n    searches: [svc.local]\n",
            11,
        ),
        Bad(
            "compose.yaml", "services:\n  app:\n    image: nginx\n    dns: [8.8.8.8, 8.8.4.4]\n", 4, note="Google only"
        ),
        Bad("netplan/01-netcfg.yaml", _NETPLAN + "      nameservers:\n        addresses: [10.0.0.2]\n", 7),
        Bad("resolved.conf", "[Resolve]\nDNS=10.0.0.2\n", 2, note="medium: per-link servers are asked too"),
        Bad("Corefile", ".:53 {\n    forward . 10.0.0.2:53\n    cache 30\n}\n", 2),
        Bad("dnsmasq.conf", "no-resolv\nserver=10.0.0.2\nserver=/corp.example/10.1.0.2\n", 2),
    )
    good = (
        Good("resolv.conf", "nameserver 10.0.0.2\nnameserver 10.0.1.2\n", note="two resolvers"),
        Good("resolv.conf", "nameserver 127.0.0.53\noptions edns0 trust-ad\n", note="systemd-resolved stub"),
        Good("resolv.conf", "nameserver 169.254.169.253\n", note="AWS's resolver, answered on every host"),
        Good(
            "pod.yaml",
            _POD + "  dnsConfig:\n    options:\n      - name: ndots\n        value: '2'\n",
            note="dnsConfig with options only keeps the cluster DNS",
        ),
        Good("docker-compose.yml", "services:\n  app:\n    image: nginx\n    dns:\n      - 8.8.8.8\n      - 9.9.9.9\n"),
        Good(
            "docker-compose.yml",
            "services:\n  app:\n    image: nginx\n    dns: 172.22.1.254\n  unbound:\n    image: mvance/unbound\n"
            "    networks:\n      net:\n        ipv4_address: 172.22.1.254\n",
            note="the stack's own caching resolver container",
        ),
        Good(
            "netplan/01-netcfg.yaml",
            _NETPLAN + "      dhcp4: true\n      nameservers:\n        addresses: [10.0.0.2]\n",
            note="DHCP adds its servers",
        ),
        Good("dnsmasq.conf", "server=10.0.0.2\n", note="without no-resolv, resolv.conf's servers are asked too"),
        Good("Corefile", ".:53 {\n    forward . /etc/resolv.conf\n}\n"),
        Good(
            "named.conf",
            "options {\n  forwarders { 10.0.0.2; };\n};\n",
            note="BIND forwards first: when the forwarder fails it resolves from the root itself",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if isinstance(doc, ConfDocument) or doc.kind in (Kind.NETPLAN, Kind.NAMED_CONF):
            for found in resolvers.resolver_lists(doc, ctx.project):
                yield from self._report(doc, ctx, found.addresses, found.span, found.where, found.anchor, found.at_most)
        elif isinstance(doc, ResolvDocument):
            yield from self._resolv(doc, ctx)
        elif isinstance(doc, TreeDocument) and doc.kind is Kind.COMPOSE:
            yield from self._compose(doc, ctx)
        elif isinstance(doc, TreeDocument) and doc.kind is Kind.KUBERNETES:
            yield from self._pods(doc, ctx)
        elif isinstance(doc, TreeDocument):
            for root in doc.roots:
                key, value = root.key_node("dns"), root.get("dns")
                if key is not None and value is not None:
                    yield from self._report(doc, ctx, _addresses(value), key.span, "daemon.json dns", "dns")

    def _resolv(self, doc: ResolvDocument, ctx: RuleContext) -> Iterator[Finding]:
        servers = [e for e in doc.nameservers if e.values]
        if servers:
            where = f"{doc.path} nameserver"
            yield from self._report(doc, ctx, [e.values[0] for e in servers], servers[0].span, where, "nameserver")

    def _compose(self, doc: TreeDocument, ctx: RuleContext) -> Iterator[Finding]:
        from guardrails.facts import compose  # only compose files pay for its import

        interpolate = compose.Interpolator(compose.project_variables(doc, ctx.project))
        for root in doc.roots:
            services = root.get("services")
            stack = compose.static_addresses(root, interpolate)
            for name, _, service in services.items() if services is not None else ():
                key, value = service.key_node("dns"), service.get("dns")
                if key is None or value is None:
                    continue
                addresses = [interpolate(a) for a in _addresses(value)]
                if any(a is None for a in addresses) or any(a.strip() in stack for a in addresses if a):
                    continue  # unknown, or a resolver container of this stack (a local cache, like loopback)
                resolved = [a for a in addresses if a is not None]
                yield from self._report(doc, ctx, resolved, key.span, f"service '{name}' dns", f"services.{name}.dns")

    def _pods(self, doc: TreeDocument, ctx: RuleContext) -> Iterator[Finding]:
        from guardrails.facts.kustomize import manifests  # Kubernetes only: compose scans skip its import

        for manifest in manifests(doc, ctx.project):
            for obj in manifest.objects:
                for label, spec in pod_specs(obj):
                    policy, config = spec.get("dnsPolicy"), spec.get("dnsConfig")
                    servers = config.key_node("nameservers") if config is not None else None
                    if policy is None or policy.text != "None" or servers is None or config is None:
                        continue
                    value = config.get("nameservers")
                    place = manifest.place(servers, value, policy)
                    if place is None:
                        continue
                    addresses = _addresses(value) if value is not None else []
                    where = f"{label} dnsConfig.nameservers (dnsPolicy: None){manifest.via}"
                    verdict = resolvers.judge_resolvers(addresses)
                    if verdict is not None:
                        yield self.finding_at(
                            place,
                            f"{where}: {verdict.message}",
                            anchor=f"{label}/dnsConfig",
                            ctx=ctx,
                            severity=verdict.severity,
                        )

    def _report(
        self,
        doc: Document,
        ctx: RuleContext,
        addresses: list[str],
        span: Span,
        where: str,
        anchor: str,
        at_most: Severity = Severity.CRITICAL,
    ) -> Iterator[Finding]:
        verdict = resolvers.judge_resolvers(addresses)
        if verdict is not None:
            severity = min(verdict.severity, at_most)
            yield self.finding(doc, span, f"{where}: {verdict.message}", anchor=anchor, ctx=ctx, severity=severity)


def _addresses(node: Node) -> list[str]:
    if node.is_scalar:
        return [node.text]
    return [item.text for item in node.elements() if item.is_scalar]
