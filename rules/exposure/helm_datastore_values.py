"""Helm values publish a datastore chart outside the cluster or turn its authentication off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from guardrails.facts.datastores import NEWSBLUR
from guardrails.facts.network import is_world
from guardrails.facts.shells import names_any
from guardrails.model import Category, Document, Finding, Kind, Severity
from guardrails.rule import Bad, Good, Rule, RuleContext

if TYPE_CHECKING:
    from guardrails.facts import helm

_REDIS_CHART = "apiVersion: v2\nname: redis\nversion: 23.1.1\n"
_UMBRELLA = (
    "apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: postgresql\n    version: 16.x.x\n"
    "    repository: oci://registry-1.docker.io/bitnamicharts\n    alias: db\n"
)


_HELM = frozenset({"helm"})


class HelmDatastoreValues(Rule):
    id = "ED011"
    name = "helm-datastore-values-exposed"
    title = "Helm values expose a datastore chart outside the cluster or disable its authentication"
    category = Category.EXPOSED_DATASTORE
    severity = Severity.HIGH
    kinds = frozenset({Kind.HELM_VALUES, Kind.YAML, Kind.SHELL, Kind.TERRAFORM})
    incidents = (NEWSBLUR,)
    rationale = (
        "Datastore charts keep their Services ClusterIP; one line of values changes that: "
        "`master.service.type: LoadBalancer` gives the datastore a public address, `externalAccess.enabled: true` "
        "one per replica, `auth.enabled: false` lets in whoever connects (and DandyDeveloper's redis-ha runs "
        "without authentication unless `auth: true`). The charts are those of facts/helm.py, each read with its "
        "own publisher's value paths: a chart whose repository names no known publisher is not judged. "
        "Values are judged as Helm layers them (the chart's values.yaml, then the environment file, an "
        "umbrella chart's sub-chart key, or a helmfile release's `values:` in order; a `helm install` or "
        "`helm upgrade` command's `-f` files then its `--set` values; a Terraform `helm_release`'s `values` then "
        "`set`), and the finding is on the line that sets the value (or, when a file only switches on a Service "
        "the values below publish, such as `architecture: replication`, on that switch). An internal "
        "load-balancer annotation or class, source ranges that are all private, a NetworkPolicy without "
        "`allowExternal`, or a template or shell variable value are not findings."
    )
    remediation = (
        "Keep the datastore's Services ClusterIP and reach it from inside the cluster (or through "
        "`kubectl port-forward`); if it must leave the cluster, use an internal load balancer annotation and "
        "`loadBalancerSourceRanges`. Keep `auth.enabled` true and take passwords from `auth.existingSecret`."
    )
    bad = (
        Bad(
            "charts/redis/values-production.yaml",
            "auth:\n  enabled: false\nmaster:\n  service:\n    type: LoadBalancer\n",
            5,
            note="the issue's example: auth off and the master behind a public load balancer (critical)",
            extra={"charts/redis/Chart.yaml": _REDIS_CHART},
        ),
        Bad(
            "deploy/shop/values.yaml",
            "db:\n  primary:\n    service:\n      type: NodePort\n",
            4,
            note="umbrella chart: the sub-chart's values under its alias",
            extra={"deploy/shop/Chart.yaml": _UMBRELLA},
        ),
        Bad(
            "charts/redis/values-production.yaml",
            "architecture: replication\n",
            1,
            note="the environment file only switches the architecture: the base's public replica Service is "
            "rendered now",
            extra={
                "charts/redis/Chart.yaml": _REDIS_CHART,
                "charts/redis/values.yaml": "architecture: standalone\nreplica:\n  service:\n    type: LoadBalancer\n",
            },
        ),
        Bad(
            "scripts/deploy.sh",
            "#!/bin/sh\nhelm upgrade --install cache bitnami/redis --set auth.enabled=false "
            "--set master.service.type=LoadBalancer\n",
            2,
            note="the same values on a command line: --set is layered over the chart's values",
        ),
        Bad(
            "scripts/cache.sh",
            "#!/bin/sh\nhelm repo add dandydev https://dandydeveloper.github.io/charts\n"
            "helm install cache dandydev/redis-ha --set haproxy.enabled=true --set haproxy.service.type=NodePort\n",
            3,
            note="another publisher's chart, its own value paths: redis-ha's HAProxy published, auth off by default",
        ),
    )
    good = (
        Good(
            "charts/redis/values-production.yaml",
            "master:\n  service:\n    type: LoadBalancer\n    annotations:\n"
            '      service.beta.kubernetes.io/aws-load-balancer-internal: "true"\n',
            note="internal load balancer",
            extra={"charts/redis/Chart.yaml": _REDIS_CHART},
        ),
        Good(
            "deploy/shop/values.yaml",
            "postgresql:\n  primary:\n    service:\n      type: LoadBalancer\n",
            note="the dependency is aliased db: a postgresql key configures nothing",
            extra={"deploy/shop/Chart.yaml": _UMBRELLA},
        ),
        Good(
            "scripts/deploy.sh",
            '#!/bin/sh\nhelm upgrade --install cache bitnami/redis --set master.service.type="$SERVICE_TYPE"\n',
            note="a shell variable is unknown, never guessed",
        ),
        Good(
            "scripts/cache.sh",
            "#!/bin/sh\nhelm repo add acme https://charts.acme.example.com\n"
            "helm install cache acme/redis --set auth.enabled=false --set master.service.type=LoadBalancer\n",
            note="a chart of unknown publisher is not read with bitnami's value paths, whatever its name",
        ),
    )

    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        if doc.kind is Kind.SHELL and not (
            names_any(doc.text, _HELM) and any(cmd.command == "helm" for cmd in doc.commands)  # type: ignore[attr-defined]
        ):
            return
        if doc.kind is Kind.TERRAFORM and not doc.resources("helm_release"):  # type: ignore[attr-defined]
            return
        from guardrails.facts import helm  # its chart tables cost start-up time; only values files need them

        for deployment in helm.deployments_of(doc, ctx.project):
            yield from self._deployment(doc, deployment, ctx)

    def _deployment(self, doc: Document, deployment: helm.Deployment, ctx: RuleContext) -> Iterator[Finding]:
        from guardrails.facts import helm

        chart = deployment.chart
        what = f"{chart.family} chart '{deployment.label}'{deployment.origin} ({chart.source})"
        off = helm.auth_off(deployment)
        auth_value = off[1] if off is not None else None
        auth_place = helm.report_at(auth_value, doc) if auth_value is not None else None
        exposures = helm.exposures(deployment)
        for exposure in exposures:
            place = helm.report_at(exposure.value, doc)
            rendered = helm.rendered_by(deployment, exposure, doc) if place is None and auth_place is None else None
            if place is None and auth_place is None and rendered is None:
                continue
            severity = Severity.CRITICAL if off is not None else Severity.HIGH
            protection = f"authentication is off ({off[0]})" if off is not None else "authentication is on"
            if exposure.source_ranges and not any(is_world(r) for r in exposure.source_ranges):
                severity = Severity.MEDIUM
                protection += f"; loadBalancerSourceRanges limits it to {', '.join(exposure.source_ranges)}"
            if rendered is not None:
                condition, (where, span, via) = rendered
                message = (
                    f"{what}: {condition.path}: {condition.text}{via} renders {exposure.service}, which the values "
                    f"below publish ({exposure.how}, {exposure.value.location}); {protection}"
                )
            elif place is None:
                where, span, via = auth_place  # type: ignore[misc]
                message = (
                    f"{what}: {off[0]}{via} while {exposure.service} is published "  # type: ignore[index]
                    f"({exposure.how}, {exposure.value.location})"
                )
            else:
                where, span, via = place
                message = (
                    f"{what}: {exposure.service} {exposure.how}{via} publishes port {chart.port} outside the "
                    f"cluster; {protection}"
                )
            yield self.finding(
                where, span, message, anchor=f"helm/{deployment.label}/{exposure.service}", ctx=ctx, severity=severity
            )
        if not exposures and auth_place is not None:
            where, span, via = auth_place
            yield self.finding(
                where,
                span,
                f"{what}: {off[0]}{via}: any pod in the cluster can read and write it"  # type: ignore[index]
                " (and anyone, the day a Service is published)",
                anchor=f"helm/{deployment.label}/auth",
                ctx=ctx,
            )
