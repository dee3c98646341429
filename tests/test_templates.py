"""Templates are skipped with their engine, never GR001; a broken file that is no template still is.

The fixtures under fixtures/templates/ hold the real-world shapes (Ansible role templates,
templatefile() sources, a Go fragment, sed placeholders); these tests pin the decisions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from guardrails.detect import detect
from guardrails.engine import Engine, ScanResult, Settings
from guardrails.model import Kind
from guardrails.registry import all_rules
from guardrails.templates import ERB, GO, JINJA, TERRAFORM, Template, without_tags
from tests.conftest import run_cli

Repo = Callable[[dict[str, str]], Path]


def _scan(root: Path) -> ScanResult:
    return Engine(Settings(rules=all_rules()), cwd=root).scan([Path(".")])


def _outcome(result: ScanResult) -> dict[str, str]:
    """Each file: the skip reason, 'GR001', or 'scanned'."""
    out = {s.path: s.reason for s in result.skipped}
    out.update({f.path: "GR001" for f in result.findings if f.rule_id == "GR001"})
    out.update({p: "scanned" for p in result.scanned if p not in out})
    return out


@pytest.mark.parametrize(
    ("path", "head", "expected"),
    [
        ("deploy.sh.j2", b"", Template(Kind.SHELL, JINJA, ".j2 extension")),
        ("k8s/app.yaml.jinja2", b"", Template(Kind.YAML, JINJA, ".jinja2 extension")),
        ("config/database.yml.erb", b"", Template(Kind.YAML, ERB, ".erb extension")),
        ("user-data.sh.tftpl", b"", Template(Kind.SHELL, TERRAFORM, ".tftpl extension")),
        ("account-info.tftmpl", b"#!/bin/bash\n", Template(Kind.SHELL, TERRAFORM, ".tftmpl extension")),
        ("values.yaml.gotmpl", b"", Template(Kind.YAML, GO, ".gotmpl extension")),
        ("values.yaml.tpl", b"", Template(Kind.YAML, None, ".tpl extension")),
        ("nginx.conf.j2", b"", None),  # renders to no supported kind: only counted
        ("chart/templates/_helpers.tpl", b"", None),
        (".j2", b"", None),
    ],
)
def test_template_by_extension(path: str, head: bytes, expected: Template | None) -> None:
    assert detect(path, head) == expected


def test_templates_are_skipped_never_gr001(repo: Repo) -> None:
    root = repo(
        {
            "roles/web/templates/firewall.sh": "#!/bin/bash\n{% for ip in ips %}\niptables -s {{ ip }}\n{% endfor %}\n",
            "roles/web/templates/netplan.yaml": "network:\n  ethernets:\n    {{ iface }}:\n      dhcp4: true\n",
            "site/roles/db/templates/backup.py": (
                'ENV = {\n    {% for k in env %}\n    "{{ k }}": 1,\n    {% endfor %}\n}\n'
            ),
            "deploy.sh.j2": "#!/bin/bash\necho {{ release }}\n",
            "user-data.sh.tftpl": "#!/bin/bash\n%{ for p in ports ~}\nufw allow ${p}\n%{ endfor ~}\n",
            "database.yml.erb": "production:\n  password: <%= ENV['X'] %>\n",
            "values.yaml.tpl": "image: ${image}\n",
            "chart/templates/_helpers.tpl": '{{- define "x" -}}{{- end }}\n',
            "scrape/pods.yaml": "- job_name: pods\n  stages:\n    {{- toYaml .Values.stages | nindent 4 }}\n",
            "k8s/etcd-template.yaml": (
                "kind: Service\nmetadata:\n  name: etcd-{{cell}}\nspec:\n  replicas: {{replicas}}\n"
            ),
            "k8s/jinja.yaml": "a: 1\n{% if prod %}\nreplicas: 3\n{% endif %}\n",
        }
    )
    assert _outcome(_scan(root)) == {
        "roles/web/templates/firewall.sh": "jinja-template",
        "roles/web/templates/netplan.yaml": "jinja-template",
        "site/roles/db/templates/backup.py": "jinja-template",
        "deploy.sh.j2": "jinja-template",
        "user-data.sh.tftpl": "terraform-template",
        "database.yml.erb": "erb-template",
        "values.yaml.tpl": "terraform-template",
        "scrape/pods.yaml": "go-template",
        "k8s/etcd-template.yaml": "template",
        "k8s/jinja.yaml": "jinja-template",
    }


def test_a_role_of_its_own_has_templates_too(repo: Repo) -> None:
    root = repo({"tasks/main.yml": "- debug: msg=x\n", "templates/run.sh": "#!/bin/sh\n{% if x %}\nrun\n{% endif %}\n"})
    assert _outcome(_scan(root))["templates/run.sh"] == "jinja-template"


def test_tricky_good_template_syntax_in_files_that_parse_is_scanned(repo: Repo) -> None:
    """{{ in a string of a file that parses is the file's own text, not a template."""
    root = repo(
        {
            "ps.sh": "#!/bin/bash\ndocker ps --format '{{.Names}}'\n",
            ".github/workflows/ci.yml": (
                "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ github.sha }}\n"
            ),
            "notify.py": 'MESSAGE = "Deployed {{ version }}"\n',
            # In a template's place or name but with no tag: it renders to itself.
            "roles/web/templates/plain.sh": "#!/bin/sh\necho static\n",
            "static.sh.j2": "#!/bin/sh\necho static\n",
            # HCL's own ${} and %{} are Terraform syntax, never an engine's.
            "main.tf": "locals {\n  s = <<-EOT\n  %{ for x in [1] ~}\n  ${x}\n  %{ endfor ~}\n  EOT\n}\n",
        }
    )
    outcome = _outcome(_scan(root))
    assert outcome == dict.fromkeys(
        [
            "ps.sh",
            ".github/workflows/ci.yml",
            "notify.py",
            "roles/web/templates/plain.sh",
            "static.sh.j2",
            "main.tf",
        ],
        "scanned",
    )


def test_bad_broken_files_are_still_gr001(repo: Repo) -> None:
    """A file broken for a reason other than its tags, or whose tags are not an engine's, is GR001."""
    root = repo(
        {
            "status.sh": (
                "#!/bin/bash\nif docker ps --format '{{.Names}}' | grep -q web; then\n  case \"$1\" in\n"
                "    restart)\n      docker restart \"$(docker ps -q --format '{{.ID}}')\"\n"
            ),
            "values.yaml": "services:\n  {{ name }}:\n    build: .\n   image: web\n",
            "roles/web/templates/static.yaml": "a:\n  b: 1\n c: 2\n",
            "static.yaml.j2": "a:\n  b: 1\n c: 2\n",
            "main.tf": 'resource "x" "y" {\n  a = <<-EOT\n  %{ for x in y ~}\n  EOT\n  b =\n}\n',
        }
    )
    result = _scan(root)
    assert _outcome(result) == dict.fromkeys(
        ["status.sh", "values.yaml", "roles/web/templates/static.yaml", "static.yaml.j2", "main.tf"], "GR001"
    )
    # The template key is not the problem: the error left once it is set aside is, at its own line.
    [values] = [f for f in result.findings if f.path == "values.yaml"]
    assert values.span.line == 4 and "template tags set aside" in values.message


def test_a_go_comment_ends_at_its_own_closing_even_around_tags(repo: Repo) -> None:
    """``{{/* ... */}}`` may comment out a block that holds tags: it ends at ``*/}}``, not at the
    first ``}}`` inside it; a file broken elsewhere is still GR001."""
    commented = (
        "consumers:\n{{- if .Values.dashboard }}\n  - username: dashboard\n{{- end }}\n\n{{/*\n"
        "{{- if .Values.analytics }}\n  - name: analytics\n    url: http://{{ .Values.host }}/\n{{- end }}\n*/}}\n"
        "{{- /* trimmed */ -}}\n"
    )
    root = repo({"files/kong.yml": commented, "files/broken.yml": commented + "services:\n  a: 1\n b: 2\n"})
    assert _outcome(_scan(root)) == {"files/kong.yml": "go-template", "files/broken.yml": "GR001"}
    assert without_tags("a: 1\n{{/* x: {{ .y }} */}}\n", GO) == "a: 1\n\n"


def test_go_actions_that_steer_write_nothing() -> None:
    text = "a:\n  {{- if .x }}\n  b: {{ .y }}\n  {{- end }}\n"
    assert without_tags(text, GO) == "a:\n  \n  b: _tpl1_\n  \n"


def test_stdin_template_is_skipped(repo: Repo) -> None:
    root = repo({})
    proc = run_cli(
        "scan", "-", "--stdin-filename", "deploy.sh.j2", "-f", "json", cwd=root, stdin=b"#!/bin/sh\n{{ cmd }}\n"
    )
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stderr
    assert [(s["path"], s["reason"]) for s in report["skipped"]] == [("deploy.sh.j2", "jinja-template")]


def test_text_summary_counts_templates_per_engine(repo: Repo) -> None:
    root = repo(
        {
            "a.sh.j2": "#!/bin/sh\n{{ x }}\n",
            "b.yaml.j2": "a: {{ x }}\n",
            "c.sh.tftpl": "#!/bin/sh\necho ${x}\n",
        }
    )
    proc = run_cli("scan", "--no-cache", ".", cwd=root)
    assert proc.returncode == 0
    last = proc.stdout.strip().splitlines()[-1]
    assert "3 skipped (2 jinja-template, 1 terraform-template: templates, not analysed until rendered" in last
    assert "a.sh.j2" not in proc.stdout
    json_report = json.loads(run_cli("scan", "--no-cache", "-f", "json", ".", cwd=root).stdout)
    assert sorted(s["path"] for s in json_report["skipped"]) == ["a.sh.j2", "b.yaml.j2", "c.sh.tftpl"]


def test_hcl_with_angle_placeholders_is_skipped_unless_broken_elsewhere(repo: Repo) -> None:
    """``subscription_id = <subscription_id>`` is a value left to fill in, not a broken file;
    HCL's own ``<`` (a comparison, markup in a heredoc) parses and is scanned."""
    root = repo(
        {
            "providers.tf": 'terraform {\n  backend "azurerm" {\n    subscription_id = <subscription_id>\n  }\n}\n',
            "vm.tfvars": 'name  = "vm"\nzones = [<zone>, "2"]\n',
            "compare.tf": "locals {\n  a = var.n < 3 ? 1 : 2\n  b = <<-EOT\n  <b>x</b>\n  EOT\n}\n",
            "broken.tf": 'resource "x" "y" {\n  name = <name>\n  tags =\n}\n',
            "values.yaml": "key: <value>\n",
        }
    )
    result = _scan(root)
    assert _outcome(result) == {
        "providers.tf": "template",
        "vm.tfvars": "template",
        "compare.tf": "scanned",
        "broken.tf": "GR001",
        "values.yaml": "scanned",
    }
    [broken] = [f for f in result.findings if f.path == "broken.tf"]
    assert broken.span.line == 3
