"""When a Kubernetes LoadBalancer Service is not internet-facing: the cloud annotations
and load balancer classes that keep it on a private network, each with where the fact
comes from. Read by ``guardrails.facts.kubernetes.Service.private_reason``.
"""

from __future__ import annotations

from collections.abc import Mapping

from guardrails.records import Frozen


class InternalAnnotation(Frozen):
    """An annotation whose value (compared case-insensitively) makes the load balancer internal."""

    key: str
    values: tuple[str, ...]
    provider: str
    source: str


INTERNAL_ANNOTATIONS: tuple[InternalAnnotation, ...] = (
    InternalAnnotation(
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        ("true", "0.0.0.0/0"),
        "AWS (in-tree provider; deprecated in the AWS Load Balancer Controller)",
        "https://kubernetes.io/docs/concepts/services-networking/service/#internal-load-balancer",
    ),
    InternalAnnotation(
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        ("internal",),
        "AWS Load Balancer Controller",
        "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/",
    ),
    InternalAnnotation(
        "networking.gke.io/load-balancer-type",
        ("internal",),
        "GKE",
        "https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters",
    ),
    InternalAnnotation(
        "cloud.google.com/load-balancer-type",
        ("internal",),
        "GKE (before 1.17)",
        "https://cloud.google.com/kubernetes-engine/docs/how-to/internal-load-balancing",
    ),
    InternalAnnotation(
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        ("true",),
        "AKS",
        "https://learn.microsoft.com/azure/aks/internal-lb",
    ),
    InternalAnnotation(
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        ("true",),
        "Oracle Cloud",
        "https://github.com/oracle/oci-cloud-controller-manager/blob/master/docs/load-balancer-annotations.md",
    ),
    InternalAnnotation(
        "service.beta.kubernetes.io/openstack-internal-load-balancer",
        ("true",),
        "OpenStack",
        "https://github.com/kubernetes/cloud-provider-openstack/blob/master/docs/openstack-cloud-controller-manager/"
        "expose-applications-using-loadbalancer-type-service.md",
    ),
    InternalAnnotation(
        "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type",
        ("private",),
        "IBM Cloud",
        "https://cloud.ibm.com/docs/containers?topic=containers-cs_network_planning",
    ),
    InternalAnnotation(
        "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type",
        ("intranet",),
        "Alibaba Cloud",
        "https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/add-annotations-to-the-yaml-file-of-a-service-to-configure-clb-instances",
    ),
    InternalAnnotation(
        "load-balancer.hetzner.cloud/disable-public-network",
        ("true",),
        "Hetzner Cloud",
        "https://github.com/hetznercloud/hcloud-cloud-controller-manager/blob/main/docs/reference/load_balancer_annotations.md",
    ),
)


class PrivateClass(Frozen):
    """A ``spec.loadBalancerClass`` whose load balancer is private unless ``public_when`` says otherwise."""

    name: str
    provider: str
    source: str
    public_when: tuple[tuple[str, str], ...] = ()


PRIVATE_CLASSES: tuple[PrivateClass, ...] = (
    PrivateClass(
        "tailscale",
        "Tailscale operator: reachable only from the tailnet",
        "https://tailscale.com/kb/1439/kubernetes-operator-cluster-ingress",
    ),
    PrivateClass(
        "service.k8s.aws/nlb",
        "AWS Load Balancer Controller: an internal NLB unless the scheme is internet-facing",
        "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/nlb/",
        (("service.beta.kubernetes.io/aws-load-balancer-scheme", "internet-facing"),),
    ),
)

# The annotation that restricts sources like ``spec.loadBalancerSourceRanges`` (comma-separated).
# Source: https://kubernetes.io/docs/reference/labels-annotations-taints/#service-beta-kubernetes-io-load-balancer-source-ranges
SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"


def private_reason(annotations: Mapping[str, str], load_balancer_class: str) -> str | None:
    """Why a LoadBalancer Service stays on a private network, or None when it gets a public address."""
    for marker in INTERNAL_ANNOTATIONS:
        value = annotations.get(marker.key)
        if value is not None and value.strip().lower() in marker.values:
            return f"{marker.key}: {value.strip()} ({marker.provider})"
    for cls in PRIVATE_CLASSES:
        if load_balancer_class == cls.name:
            if any(annotations.get(k, "").strip().lower() == v for k, v in cls.public_when):
                return None
            return f"loadBalancerClass {cls.name} ({cls.provider})"
    return None
