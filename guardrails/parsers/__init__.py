"""Parsers: text of one kind to a positioned document, or ParseError.

Each parser module is imported only when a file of its kind is met, so a run that
sees only YAML never loads libcst or tree-sitter.
"""

from __future__ import annotations

import importlib

from guardrails.model import Document, Kind

_MODULES: dict[Kind, str] = {
    Kind.TERRAFORM: "hcl",
    Kind.TFVARS: "hcl",
    Kind.TERRAFORM_JSON: "terraform_json",
    Kind.TERRAFORM_PLAN: "terraform_plan",
    Kind.KUBERNETES: "yaml_tree",
    Kind.HELM_VALUES: "yaml_tree",
    Kind.COMPOSE: "yaml_tree",
    Kind.GITHUB_ACTIONS: "yaml_tree",
    Kind.GITLAB_CI: "yaml_tree",
    Kind.YAML: "yaml_tree",
    Kind.ANSIBLE: "yaml_tree",
    Kind.OCTODNS_CONFIG: "yaml_tree",
    Kind.OCTODNS_ZONE: "yaml_tree",
    Kind.DNSCONTROL: "dnscontrol",
    Kind.JSON: "json_tree",
    Kind.DOCKER_DAEMON: "json_tree",
    Kind.SHELL: "shell",
    Kind.PYTHON: "python",
    Kind.SQL: "sql",
    Kind.DOCKERFILE: "dockerfile",
    Kind.MAKEFILE: "makefile",
    Kind.DOTENV: "dotenv",
    Kind.ZONE: "zone",
    Kind.RESOLV_CONF: "resolv",
    Kind.REDIS_CONF: "server_conf",
    Kind.POSTGRESQL_CONF: "server_conf",
    Kind.PG_HBA: "server_conf",
    Kind.MYSQL_CNF: "server_conf",
    Kind.MONGOD_CONF: "yaml_tree",
    Kind.ELASTICSEARCH_YML: "yaml_tree",
    Kind.NETPLAN: "yaml_tree",
    Kind.RESOLVED_CONF: "resolver_conf",
    Kind.DNSMASQ_CONF: "resolver_conf",
    Kind.COREFILE: "resolver_conf",
    Kind.CLOUDFORMATION: "cloudformation",
    Kind.PULUMI: "yaml_tree",
    Kind.PULUMI_STACK: "yaml_tree",
    Kind.NAMED_CONF: "named_conf",
    Kind.ANSIBLE_INVENTORY: "ansible_inventory",
}


def parse(path: str, text: str, kind: Kind) -> Document:
    """Parse ``text`` as ``kind``; raises ``guardrails.model.ParseError``."""
    name = _MODULES[kind]
    if kind is Kind.TFVARS and path.endswith(".json"):
        name = "terraform_json"
    module = importlib.import_module(f"guardrails.parsers.{name}")
    return module.parse(path, text, kind)
