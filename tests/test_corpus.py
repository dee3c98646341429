"""Real input (../shared/corpus, files nobody here wrote): no crash, no internal error,
and every file that is not valid YAML is reported (GR001) or set aside as a template,
never passed silently. The expected lists below were reviewed file by file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from guardrails.discover import DEFAULT_EXCLUDED_DIRS
from guardrails.engine import Engine, ScanResult, Settings
from guardrails.registry import all_rules
from guardrails.templates import REASONS
from tests.conftest import SHARED, require_shared

CORPUS = SHARED / "corpus"

# Reviewed: files that do not parse and are no template. Each is shell that bash runs but the
# shell parser refuses (a `for` with its `in` on the next line; a Terraform local-exec command
# with ${...} interpolations): false alarms that error-tolerant shell parsing removes, listed so
# that a new one is noticed. Nothing else in the corpus is unparseable.
SHELL_PARSER_FALSE_ALARMS = {
    "realworld/discourse_docker/discourse-doctor": (304, 3),
    "realworld/discourse_docker/launcher": (1, 1),
    "realworld/terraform-aws-components/deprecated/aws/eks/kubectl.tf": (22, 32),
    "realworld/terraform-aws-components/modules/aws-ssosync/main.tf": (50, 24),
    "realworld/terraform-aws-rds/examples/s3-import-mysql/main.tf": (192, 47),
    "realworld/terragoat/terraform/aws/ecr.tf": (29, 36),
}
UNPARSEABLE: dict[str, tuple[int, int]] = {}

# Reviewed: templates other than Helm chart templates, skipped with their engine, never GR001.
# The archived kubernetes/examples *-template.yaml hold {{name}} placeholders that vitess's and
# New Relic's scripts substitute with sed (a {{x}} flow mapping used as a key: kubectl refuses
# them too); the simpleinfra files are under Ansible roles' templates/; the .tpl/.tmpl/.tftpl/
# .tftmpl files are read by templatefile(); the promtail scrape config is a Go template fragment
# (`{{- toYaml ... | nindent 4 }}` lines) that a Terraform module joins into Helm values.
_ANSIBLE = "realworld/simpleinfra/ansible/roles/"
_CLOUDPOSSE = "realworld/terraform-aws-components/modules/"
TEMPLATES = {
    "kubernetes-examples/_archived/newrelic-infrastructure/newrelic-config-template.yaml": "template",
    "kubernetes-examples/_archived/newrelic/newrelic-config-template.yaml": "template",
    "kubernetes-examples/_archived/storage/vitess/etcd-controller-template.yaml": "template",
    "kubernetes-examples/_archived/storage/vitess/etcd-service-template.yaml": "template",
    "kubernetes-examples/_archived/storage/vitess/vtgate-controller-template.yaml": "template",
    **{
        _ANSIBLE + path: "jinja-template"
        for path in (
            "backup/templates/backup.py",
            "common/templates/metrics/node_exporter-firewall.sh",
            "common/templates/networking/firewall.sh",
            "dev-desktop/templates/clean-unused-checkouts.sh",
            "dev-desktop/templates/firewall.sh",
            "dev-desktop/templates/netplan-ipv6.yaml",
            "docker/templates/firewall.sh",
            "docker/templates/update-images/update.sh",
            "letsencrypt/templates/renew-ssl-certs.sh",
            "monitoring-server/templates/alertmanager/alertmanager.yml",
            "monitoring-server/templates/grafana/provisioning/datasources/prometheus.yml",
            "monitoring-server/templates/prometheus/prometheus.yml",
            "monitoring-server/templates/prometheus/rules.yml",
            "nginx/templates/after-ssl-renew.sh",
            "nginx/templates/firewall.sh",
            "playground/templates/gc.sh",
            "playground/templates/update.sh",
            "postgresql/templates/backup/generate.sh",
        )
    },
    **{
        _CLOUDPOSSE + path: "terraform-template"
        for path in (
            "account-map/account-info.tftmpl",
            "argocd-repo/templates/applicationset.yaml.tpl",
            "aws-team-roles/iam-role-info.tftmpl",
            "datadog-synthetics-private-location/values.yaml.tpl",
            "ec2-instance/templates/userdata.sh.tmpl",
            "eks/argocd/resources/argocd-apps-values.yaml.tpl",
            "eks/argocd/resources/argocd-notifications-values.yaml.tpl",
            "eks/argocd/resources/argocd-values.yaml.tpl",
            "strongdm/templates/strongdm-cleanup.values.yaml.tpl",
            "zscaler/templates/userdata.sh.tmpl",
        )
    },
    _CLOUDPOSSE + "eks/promtail/scrape_config/default_kubernetes_pods.yaml": "go-template",
    "realworld/terraform-google-sql-db/modules/backup/templates/backup.yaml.tftpl": "terraform-template",
    "realworld/terraform-google-sql-db/modules/backup/templates/export.yaml.tftpl": "terraform-template",
    "realworld/terraform-google-sql-db/modules/restore/templates/import.yaml.tftpl": "terraform-template",
}

CORPUS = SHARED / "corpus"


@pytest.fixture(scope="module")
def scanned() -> ScanResult:
    require_shared("corpus")
    # .gitignore not honoured: every file on disk is accounted for, ignored ones too.
    return Engine(Settings(rules=all_rules(), use_gitignore=False), cwd=CORPUS).scan([Path(".")])


def _not_yaml() -> set[str]:
    """The oracle: files PyYAML's safe loader refuses."""
    refused = set()
    for path in sorted(CORPUS.rglob("*.y*ml")):
        try:
            list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        except yaml.YAMLError:
            refused.add(path.relative_to(CORPUS).as_posix())
    return refused


def test_no_crash_and_no_internal_error(scanned: ScanResult) -> None:
    assert scanned.internal_errors == 0
    assert not [f for f in scanned.findings if f.rule_id == "GR000"]
    assert scanned.files_scanned >= 290


def test_every_file_that_is_not_yaml_is_reported(scanned: ScanResult) -> None:
    reported = {f.path: (f.span.line, f.span.column) for f in scanned.findings if f.rule_id == "GR001"}
    known = {p: at for p, at in reported.items() if p in SHELL_PARSER_FALSE_ALARMS}
    assert known.items() <= SHELL_PARSER_FALSE_ALARMS.items()  # one that is fixed may go
    assert {p: at for p, at in reported.items() if p not in known} == UNPARSEABLE
    skipped = {s.path: s.reason for s in scanned.skipped if s.reason in REASONS}
    assert {p: r for p, r in skipped.items() if r != "helm-template"} == TEMPLATES
    assert _not_yaml() <= set(reported) | set(skipped)


def test_nothing_is_skipped_silently(scanned: ScanResult) -> None:
    """Every file is scanned, listed as skipped with a reason, or of no supported kind."""
    on_disk = [p for p in CORPUS.rglob("*") if p.is_file() and not DEFAULT_EXCLUDED_DIRS & set(p.parts)]
    assert scanned.files_scanned + len(scanned.skipped) + scanned.unsupported == len(on_disk)
