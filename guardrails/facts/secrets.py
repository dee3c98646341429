"""Secret values and secret-manager references in configuration files, per environment.

What counts as a secret follows LESSONS.md §E2: detect-secrets' keyword stems for keys
that name a secret (``password``, ``secret``, ``api_key``, …), gitleaks' generic rule
(keyword + ``[\\w.=-]{10,150}`` + Shannon entropy >= 3.5) for keys that merely hint at one
(``token``, ``auth``, ``access``…), and credentials inside URLs and connection strings
whatever the key. Placeholders and references are never secrets: ``${VAR}``, ``{{ … }}``,
``${{ secrets.X }}``, ``<redacted>``, ``xxx``, ``changeme``-style words, booleans, and
Vault / AWS / GCP / Azure secret-manager references (collected apart, as references).

Values stay inside this module's dataclasses; callers compare them through a keyed hash
(``digest``) and must never print them.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from guardrails import deferred_re
from guardrails.detect import is_kustomization
from guardrails.discover import discover, display_path
from guardrails.documents import DotenvDocument, Expr, TerraformDocument, TreeDocument, instance_of
from guardrails.facts.environments import PRODUCTION, Environments, ci_jobs, job_environment
from guardrails.model import Document, Kind, Node, Span
from guardrails.project import Project
from guardrails.records import Frozen, Record
from guardrails.rule import Place

if TYPE_CHECKING:
    from guardrails.facts import kustomize

# Kinds whose files can carry a secret value or a secret-manager reference.
SECRET_KINDS = frozenset(
    {
        Kind.DOTENV,
        Kind.TFVARS,
        Kind.TERRAFORM,
        Kind.TERRAFORM_JSON,
        Kind.KUBERNETES,
        Kind.HELM_VALUES,
        Kind.COMPOSE,
        Kind.YAML,
        Kind.JSON,
        Kind.GITHUB_ACTIONS,
        Kind.GITLAB_CI,
        Kind.ANSIBLE,
        Kind.OCTODNS_CONFIG,
        Kind.CLOUDFORMATION,
        Kind.PULUMI,
        Kind.PULUMI_STACK,
        Kind.ANSIBLE_INVENTORY,
    }
)
_CI_KINDS = frozenset({Kind.GITHUB_ACTIONS, Kind.GITLAB_CI})

# detect-secrets KeywordDetector DENYLIST stems (detect_secrets/plugins/keyword.py).
_STRONG_KEY = deferred_re.compile(
    r"api_?key|auth_?key|service_?key|account_?key|db_?key|database_?key|priv_?key|private_?key|client_?key"
    r"|db_?pass|database_?pass|key_?pass|password|passwd|pwd|secret|contrase[ñn]a"
)
# gitleaks generic-api-key keywords (cmd/generate/config/rules/generic.go).
_GENERIC_WORDS = ("access", "api", "auth", "credential", "creds", "passwd", "password", "secret", "token")
_GENERIC_VALUE = deferred_re.compile(r"^(?:[\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})$", re.IGNORECASE)
_MIN_ENTROPY = 3.5
# Key words that make a secret-sounding key name something else: a file, a length, a secret's *name*.
_NOT_SECRET_TOKENS = frozenset(
    {
        "name",
        "names",
        "file",
        "path",
        "dir",
        "url",
        "uri",
        "endpoint",
        "host",
        "hostname",
        "port",
        "header",
        "length",
        "len",
        "min",
        "max",
        "ttl",
        "timeout",
        "expiry",
        "expires",
        "expiration",
        "enabled",
        "enable",
        "disabled",
        "required",
        "policy",
        "type",
        "format",
        "algorithm",
        "algo",
        "field",
        "ref",
        "reference",
        "existing",
        "checksum",
        "hash",
        "digest",
        "sha",
        "sha256",
        "mount",
        "version",
        "rotation",
        "provider",
        "store",
        "id",
        "arn",
        "description",
        "regex",
        "pattern",
    }
)
_PLACEHOLDER_WORDS = (
    "example",
    "sample",
    "fake",
    "dummy",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "replaceme",
    "replace_me",
    "replace-me",
    "redacted",
    "your_",
    "your-",
    "insert_",
    "notasecret",
    "not-a-secret",
)
_LITERAL_WORDS = frozenset({"true", "false", "null", "none", "nil", "yes", "no", "on", "off", "undefined"})
_TEMPLATE = deferred_re.compile(
    r"\$\{[^}]*\}|^\$[A-Za-z_]\w*$|\{\{.*?\}\}|\{%.*?%\}|%[A-Za-z_]\w*%|\(\([^)]*\)\)|^<[^>]*>$"
)
_WORD_LIKE = deferred_re.compile(r"^[a-z]+(?:[-_.][a-z]+)*$")
_ABS_PATH = deferred_re.compile(r"^(?:/|\./|\.\./|~/)[\w./@-]*$")
_CAMEL = deferred_re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = deferred_re.compile(r"[^0-9a-zñ]+")

_VAULT_KEY_WORDS = ("vault",)
# Ansible's connection and privilege-escalation passwords, whose names no secret keyword stem
# matches (``ansible_ssh_pass``, ``ansible_become_pass``): Ansible documentation, "Connecting to
# hosts: behavioral inventory parameters" and the become plugins' options.
ANSIBLE_PASSWORD_VARIABLES = frozenset(
    {"ansible_password", "ansible_ssh_pass", "ansible_become_password", "ansible_become_pass", "ansible_sudo_pass",
     "ansible_su_pass", "ansible_httpapi_pass", "ansible_winrm_password", "ansible_net_password"}
)  # fmt: skip
# Ansible Vault ciphertext: never a value to compare (it is encrypted, and differs per encryption).
_VAULT_CIPHERTEXT = ("$ANSIBLE_VAULT;", "!vault")
_PATH_VALUE = deferred_re.compile(r"^[\w-]+(?:/[\w.@-]+)+$")


class SecretValue(Frozen):
    """A secret found in a file. ``value`` must never reach any output (its ``repr`` leaves
    it out); use ``digest``."""

    place: Place
    key: str
    value: str
    environment: str | None
    # The file that brings the value in when it is not the value's own (a kustomization
    # generating a Secret from another file).
    source: str = ""

    def __repr__(self) -> str:
        shown = f"place={self.place!r}, key={self.key!r}, environment={self.environment!r}, source={self.source!r}"
        return f"SecretValue({shown})"

    @property
    def path(self) -> str:
        return self.place.path


class SecretReference(Frozen):
    """A pointer into a secret manager: ``vault secret/app/db``, an AWS ARN, a GCP secret."""

    place: Place
    key: str
    reference: str
    environment: str | None
    source: str = ""

    @property
    def path(self) -> str:
        return self.place.path


class Extracted(Record):
    """The secrets and references of the document at ``path``: all that SS001 and SS002 keep of
    it (their per-document summary, small and picklable)."""

    __slots__ = ("path", "references", "secrets")

    def __init__(
        self,
        path: str,
        secrets: list[SecretValue] | None = None,
        references: list[SecretReference] | None = None,
    ) -> None:
        self.path = path
        self.secrets: list[SecretValue] = [] if secrets is None else secrets
        self.references: list[SecretReference] = [] if references is None else references


# --------------------------------------------------------------------------- comparison


# --------------------------------------------------------------------------- value classification


def key_tokens(key: str) -> list[str]:
    """``dbPassword`` / ``DB-PASSWORD`` / ``db.password`` -> ``['db', 'password']``."""
    return [t for t in _SPLIT.split(_CAMEL.sub("_", key).lower()) if t]


def is_placeholder(value: str) -> bool:
    """Values that stand for a secret without being one (gitleaks' allowlist, detect-secrets'
    templated-secret filter, and the usual stand-in words)."""
    text = value.strip()
    if not text or text.lower() in _LITERAL_WORDS:
        return True
    if len(set(text)) == 1 or set(text) <= set("xX*.-_#?"):
        return True
    if _TEMPLATE.search(text):
        return True
    lower = text.lower()
    return any(word in lower for word in _PLACEHOLDER_WORDS)


def reference_of(value: str) -> str | None:
    """The normalised secret-manager location ``value`` points at, or None."""
    text = value.strip()
    lower = text.lower()
    resolve = re.match(r"^\{\{resolve:(secretsmanager|ssm-secure):([^:}]+)", text)
    if resolve:
        return f"aws-{resolve.group(1)}:{resolve.group(2)}"
    if lower.startswith("arn:aws") and (":secretsmanager:" in lower or ":ssm:" in lower):
        parts = text.split(":")
        return ":".join(parts[:7])
    if lower.startswith("vault:"):
        return "vault:" + _vault_path(text[len("vault:") :])
    match = re.match(r"^ref\+([a-z0-9]+)://(.+)$", text, re.IGNORECASE)
    if match:
        backend, rest = match.group(1).lower(), match.group(2)
        return f"{backend}:" + (_vault_path(rest) if backend == "vault" else rest.split("#", 1)[0].rstrip("/"))
    for scheme in ("sm://", "op://", "akv://", "gsm://"):
        if lower.startswith(scheme):
            return scheme + text[len(scheme) :].split("#", 1)[0].rstrip("/")
    gcp = re.search(r"projects/([^/\s]+)/secrets/([^/\s#]+)", text)
    if gcp:
        return f"gcp-secret:projects/{gcp.group(1)}/secrets/{gcp.group(2)}"
    azure = re.search(r"https://([\w-]+)\.vault\.azure\.net/secrets/([\w-]+)", text, re.IGNORECASE)
    if azure:
        return f"azure-keyvault:{azure.group(1).lower()}/{azure.group(2)}"
    return None


def _vault_path(path: str) -> str:
    """``secret/data/app/db#password`` and ``/secret/app/db`` name the same KV secret."""
    path = path.split("#", 1)[0].split("?", 1)[0].strip("/")
    parts = path.split("/")
    if len(parts) > 2 and parts[1] == "data":
        parts.pop(1)
    return "/".join(parts)


def url_password(value: str) -> str | None:
    """The password of ``scheme://user:pass@host`` (urllib.parse), None when there is none."""
    text = value.strip()
    if "://" not in text or "@" not in text or any(c.isspace() for c in text):
        return None
    try:
        password = urlsplit(text).password
    except ValueError:
        return None
    return password or None


def connection_string_password(value: str) -> str | None:
    """``Server=db;User Id=app;Password=…;`` (ADO.NET / JDBC-style key=value pairs)."""
    if ";" not in value or "=" not in value:
        return None
    for part in value.split(";"):
        key, sep, secret = part.partition("=")
        if sep and key.strip().lower() in ("password", "pwd", "pass"):
            return secret.strip() or None
    return None


def shannon_entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _strong_key(tokens: list[str]) -> bool:
    return bool(_STRONG_KEY.search("_".join(tokens)) or _STRONG_KEY.search("".join(tokens)))


def _generic_key(tokens: list[str]) -> bool:
    joined = "".join(tokens)
    return any(word in joined for word in _GENERIC_WORDS) or any(t.endswith("key") for t in tokens)


def _generic_value(value: str) -> bool:
    return bool(_GENERIC_VALUE.match(value)) and shannon_entropy(value) >= _MIN_ENTROPY


def secret_in(key: str, value: str, secret_object: bool = False) -> Iterator[tuple[str, str]]:
    """(label suffix, secret) pairs that ``key: value`` holds; ``secret_object`` marks values
    of a Kubernetes Secret, which are secret-like whatever their key."""
    text = value.strip()
    if is_placeholder(text) or reference_of(text) is not None:
        return
    password = url_password(text) or connection_string_password(text)
    if password is not None:
        if not is_placeholder(password) and reference_of(password) is None:
            yield " (password in connection string)", password
        return
    if "://" in text or _ABS_PATH.match(text) or text.count(" ") >= 3:
        return
    if re.fullmatch(r"[\d.:-]+", text):
        return
    tokens = key_tokens(key)
    if any(t in _NOT_SECRET_TOKENS for t in tokens):
        return
    if _strong_key(tokens):
        if tokens and tokens[-1] in ("key", "keys") and _WORD_LIKE.match(text):
            return  # passwordKey: postgres-password names a key inside a Secret
        if len(text) >= 4:
            yield "", text
    elif (secret_object or _generic_key(tokens)) and _generic_value(text):
        yield "", text


# --------------------------------------------------------------------------- extraction


class _Collector:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.out = Extracted(doc.path)

    def add(
        self, label: str, key: str, value: str, span: Span | Place, env: str | None, secret_object: bool = False
    ) -> None:
        if env is None:
            return
        place = span if isinstance(span, Place) else Place.of(self.doc, span)
        source = self.doc.path if place.path != self.doc.path else ""
        if value.lstrip().startswith(_VAULT_CIPHERTEXT):
            return
        if key.lower() in ANSIBLE_PASSWORD_VARIABLES:
            key = "password"
        ref = reference_of(value) or _vault_path_value(key, value)
        if ref is not None:
            self.out.references.append(SecretReference(place, label, ref, env, source))
            return
        for suffix, secret in secret_in(key, value, secret_object):
            self.out.secrets.append(SecretValue(place, label + suffix, secret, env, source))

    # -- YAML / JSON trees ------------------------------------------------------------

    def tree(self, node: Node, label: str, key: str, env: str | None, secret_object: bool = False) -> None:
        if node.is_scalar:
            self.add(label, key, node.text, node.span, env, secret_object)
            return
        if node.is_map:
            name, value = node.get("name"), node.get("value")
            if name is not None and value is not None and name.is_scalar and value.is_scalar:
                self.add(_join(label, name.text), name.text, value.text, value.span, env, secret_object)
                return
            for child_key, _, child in node.items():
                child_label = _join(label, child_key)
                leaf = key if child_key in ("value", "default") and key else child_key
                self.tree(child, child_label, leaf, env, secret_object)
            return
        for index, item in enumerate(node.elements()):
            if item.is_scalar and key in ("environment", "env") and "=" in item.text:
                var, _, text = item.text.partition("=")
                self.add(_join(label, var.strip()), var.strip(), text, item.span, env, secret_object)
            else:
                self.tree(item, f"{label}[{index}]", key, env, secret_object)

    def pulumi_stack(self, root: Node, env: str | None) -> None:
        """A stack's ``config``: ``proj:dbPassword`` is read under its own name (``dbPassword``);
        a ``secure:`` value is ciphertext, encrypted per stack, and never read."""
        config = root.get("config")
        for key, _, node in config.items() if config is not None and config.is_map else ():
            self._plain_config(node, key, key.rpartition(":")[2], env)

    def _plain_config(self, node: Node, label: str, key: str, env: str | None) -> None:
        if node.is_map and node.get("secure") is not None:
            return
        if node.is_scalar:
            self.add(label, key, node.text, node.span, env)
        elif node.is_map:
            for child_key, _, child in node.items():
                self._plain_config(child, _join(label, child_key), child_key, env)
        else:
            for index, item in enumerate(node.elements()):
                self._plain_config(item, f"{label}[{index}]", key, env)

    def kubernetes(self, root: Node, env: str | None) -> None:
        from guardrails.facts.kubernetes import decode_base64

        kind = root.get("kind")
        meta = root.get("metadata")
        name = meta.get("name") if meta is not None else None
        prefix = f"{kind.text if kind else '?'}/{name.text if name is not None else '?'}"
        if kind is not None and kind.text == "Secret":
            data = root.get("data")
            for key, _, node in data.items() if data is not None else ():
                decoded = decode_base64(node.text) if node.is_scalar else None
                if decoded is not None:
                    self.add(f"{prefix} data.{key}", key, decoded, node.span, env, secret_object=True)
            string_data = root.get("stringData")
            if string_data is not None:
                self.tree(string_data, f"{prefix} stringData", "", env, secret_object=True)
            return
        for key, _, node in root.items():
            if key not in ("metadata", "apiVersion", "kind", "status"):
                self.tree(node, f"{prefix} {key}", key, env)

    def generated(self, found: kustomize.Build, env: str | None, project: Project) -> None:
        """The ConfigMap and Secret values a kustomization writes (its generators' literals,
        ``envs`` and ``files``, its patches); an ``.env`` file it reads is extracted as itself."""
        from guardrails.facts.kubernetes import decode_base64

        for obj in found.objects:
            kind = obj.get("kind")
            if kind is None or kind.text not in ("ConfigMap", "Secret"):
                continue
            secret = kind.text == "Secret"
            prefix = f"{kind.text}/{obj.path('metadata', 'name').text if obj.path('metadata', 'name') else '?'}"
            for section in ("data", "stringData"):
                values = obj.get(section)
                for key, _, node in values.items() if values is not None else ():
                    place = found.place(node)
                    text = node.text if node.is_scalar else None
                    if secret and section == "data" and text is not None:
                        text = decode_base64(text)
                    if place is None or text is None:
                        continue
                    if place.path != self.doc.path and isinstance(
                        project.document(project.cwd / place.path), DotenvDocument
                    ):
                        continue
                    self.add(f"{prefix} {section}.{key}", key, text, place, env, secret_object=secret)

    def ci(self, root: Node, github: bool, path_env: str | None, envs: Environments) -> None:
        top = root.get("env" if github else "variables")
        if top is not None:
            self.tree(top, "env" if github else "variables", "", path_env)
        for job_id, job in ci_jobs(root, github):
            env = job_environment(job, envs) or path_env
            section = "env" if github else "variables"
            node = job.get(section)
            if node is not None:
                self.tree(node, f"jobs.{job_id}.{section}" if github else f"{job_id}.{section}", "", env)
            steps = job.get("steps") if github else None
            for index, step in enumerate(steps.elements() if steps is not None else ()):
                for part in ("env", "with"):
                    sub = step.get(part)
                    if sub is not None:
                        self.tree(sub, f"jobs.{job_id}.steps[{index}].{part}", "", env)

    # -- Terraform ----------------------------------------------------------------------

    def expr(self, expr: Expr, label: str, key: str, env: str | None) -> None:
        if expr.kind == "literal" and isinstance(expr.value, str):
            self.add(label, key, expr.value, expr.span, env)
        elif expr.kind == "object":
            for child_key, child in expr.value.items():
                self.expr(child, f"{label}.{child_key}", child_key, env)
        elif expr.kind == "tuple":
            for index, child in enumerate(expr.value):
                self.expr(child, f"{label}[{index}]", key, env)

    def terraform(self, doc: TerraformDocument, env: str | None) -> None:
        if env is None:  # ``add`` keeps nothing without an environment: only the secret stores' references
            for block in doc.blocks:
                if block.type == "data" and len(block.labels) >= 2 and block.labels[0] in _TF_SECRET_DATA:
                    self._secret_data(block.address, block.labels[0], block.attributes, env)
            return
        for name, attr in doc.attributes.items():
            self.expr(attr.expr, name, name, env)
        for block in doc.blocks:
            if block.type == "variable" and block.labels:
                default = block.get("default")
                if default is not None:
                    self.expr(default.expr, f"var.{block.labels[0]}", block.labels[0], env)
            elif block.type == "locals":
                for name, attr in block.attributes.items():
                    self.expr(attr.expr, f"local.{name}", name, env)
            elif block.type == "data" and len(block.labels) >= 2 and block.labels[0] in _TF_SECRET_DATA:
                self._secret_data(block.address, block.labels[0], block.attributes, env)
            else:
                self._block(block.address, block.attributes, block.blocks, env)

    def _secret_data(self, address: str, data_type: str, attributes: dict, env: str | None) -> None:
        scheme, names = _TF_SECRET_DATA[data_type]
        for name in names:
            attr = attributes.get(name)
            if attr is not None and attr.expr.kind == "literal" and isinstance(attr.expr.value, str):
                text = attr.expr.value
                ref = reference_of(text) or f"{scheme}:{_vault_path(text) if scheme == 'vault' else text}"
                place = Place.of(self.doc, attr.expr.span)
                self.out.references.append(SecretReference(place, f"{address}.{name}", ref, env))
                return

    def _block(self, label: str, attributes: dict, blocks: list, env: str | None) -> None:
        for name, attr in attributes.items():
            self.expr(attr.expr, f"{label}.{name}", name, env)
        for child in blocks:
            self._block(f"{label}.{child.type}", child.attributes, child.blocks, env)


# Terraform data sources that read a secret manager, and the attributes naming the secret.
_TF_SECRET_DATA: dict[str, tuple[str, tuple[str, ...]]] = {
    "aws_secretsmanager_secret": ("aws-secretsmanager", ("arn", "name")),
    "aws_secretsmanager_secret_version": ("aws-secretsmanager", ("secret_id",)),
    "aws_ssm_parameter": ("aws-ssm", ("name",)),
    "vault_generic_secret": ("vault", ("path",)),
    "vault_kv_secret": ("vault", ("path",)),
    "google_secret_manager_secret_version": ("gcp-secret", ("secret",)),
    "azurerm_key_vault_secret": ("azure-keyvault", ("name",)),
}


def _join(label: str, key: str) -> str:
    return f"{label}.{key}" if label else key


def _vault_path_value(key: str, value: str) -> str | None:
    """``vault_path: secret/shared/db`` — a bare Vault path under a key that says so."""
    tokens = key_tokens(key)
    if any(word in tokens for word in _VAULT_KEY_WORDS) and _PATH_VALUE.match(value.strip()):
        return "vault:" + _vault_path(value.strip())
    return None


def extract(doc: Document, envs: Environments, path: str | None = None, project: Project | None = None) -> Extracted:
    """Secrets and references of one document, each tagged with its environment (None = unknown).

    ``path`` is the document's path relative to the repository root when it differs from
    ``doc.path`` (relative to where the scan runs): directories above the root name nothing.
    With the ``project``, a kustomization's generated ConfigMaps and Secrets are read too.
    """
    env = envs.of_path(path if path is not None else doc.path)
    collector = _Collector(doc)
    if isinstance(doc, DotenvDocument):
        for entry in doc.entries:
            collector.add(entry.key, entry.key, entry.value, entry.value_span, env)
    elif isinstance(doc, TerraformDocument):
        collector.terraform(doc, env)
    elif instance_of(doc, "InventoryDocument"):
        for var in doc.variables:  # type: ignore[attr-defined]
            where = f"{var.host} {var.key}" if var.host else f"[{var.group}:vars] {var.key}"
            collector.add(where, var.key, var.value, var.span, env)
    elif isinstance(doc, TreeDocument) and doc.kind is Kind.KUBERNETES:
        from guardrails.facts import kubernetes, kustomize  # Kubernetes only: their records cost start-up time

        if is_kustomization(doc.path):
            found = kustomize.build(doc, project) if project is not None else None
            if found is not None and project is not None:
                collector.generated(found, env, project)
        else:
            for obj in kubernetes.objects(doc):
                collector.kubernetes(obj, env)
    elif isinstance(doc, TreeDocument):
        for root in doc.roots:
            if doc.kind is Kind.PULUMI_STACK and root.is_map:
                collector.pulumi_stack(root, env)
            elif doc.kind in _CI_KINDS and root.is_map:
                collector.ci(root, doc.kind is Kind.GITHUB_ACTIONS, env, envs)
            else:
                collector.tree(root, "", "", env)
    return collector.out


# --------------------------------------------------------------------------- the repository


class Inventory(Record):
    """Every environment-tagged secret and reference of the repository, and the paths the scan
    was given: a finding needs one of its files among them."""

    __slots__ = ("references", "scanned", "secrets")

    def __init__(
        self,
        secrets: list[SecretValue],
        references: list[SecretReference],
        scanned: frozenset[str],
    ) -> None:
        self.secrets = secrets
        self.references = references
        self.scanned = scanned


def summary(doc: Document, project: Project, envs: Environments) -> Extracted:
    """``extract`` of a scanned document, done once for both rules (cached on the project).
    A kustomization's generated values need the files it reads: ``inventory`` adds them."""
    key = ("secrets-of", doc.path, envs.key)
    found = project.cache.get(key)
    if found is None:
        found = project.cache[key] = extract(doc, envs, _root_relative(project, doc.path))
    return found


def inventory(project: Project, envs: Environments, scanned: list[Extracted]) -> Inventory:
    """Secrets of the scanned documents (their ``summary``) and of every other environment file
    of the repository.

    The repository is walked only when a scanned file holds an environment's secret or
    reference; then only files whose path names an environment (or CI files, whose jobs do)
    and whose kind can hold a secret, and that were not scanned, are parsed. Cached on the
    project for the other rule.
    """
    cache_key = ("secrets", envs.key)
    cached = project.cache.get(cache_key)
    if cached is not None:
        return cached
    found: dict[str, Extracted] = {s.path: s for s in scanned}
    for path in [p for p in found if is_kustomization(p)]:
        doc = project.document(project.cwd / path)
        if doc is not None:
            found[path] = extract(doc, envs, _root_relative(project, path), project)
    extracted = [found[path] for path in sorted(found)]
    if any(e.secrets or e.references for e in extracted):
        for file in _environment_files(project, envs):
            if project.display_of(file) in found:
                continue
            doc = project.document(file)
            if doc is not None and doc.kind in SECRET_KINDS and doc.path not in found:
                found[doc.path] = extract(doc, envs, _root_relative(project, doc.path), project)
                extracted.append(found[doc.path])
    secrets = [item for e in extracted for item in e.secrets]
    references = [item for e in extracted for item in e.references]
    result = Inventory(secrets, references, frozenset(s.path for s in scanned))
    project.cache[cache_key] = result
    return result


def _root_relative(project: Project, display: str) -> str:
    """A display path is already free of symlinks: only the directory it is relative to changes
    (worked out once per directory: the secret rules ask for every document they summarize)."""
    if project.cwd == project.root:
        return display
    directory, _, name = display.rpartition("/")
    key = ("root-relative", directory)
    found = project.cache.get(key)
    if found is None:
        found = project.cache[key] = display_path(Path(os.path.normpath(project.cwd / directory)), project.root)
    return name if found == "." else f"{found}/{name}"


def _environment_files(project: Project, envs: Environments) -> list[Path]:
    """The repository's environment and CI files. A scan of the whole repository already
    walked it (``Project.discovered``): walking it again cost half a second on a repository
    of 5,000 files."""
    from guardrails.detect import detect

    candidates = project.discovered
    if candidates is None:
        candidates = discover([project.root], cwd=project.cwd).candidates
    paths: list[Path] = []
    for candidate in candidates:
        if candidate.path.is_symlink():
            relative = display_path(candidate.path.resolve(), project.root)
        else:  # a walk enters no linked directory: the path below the root is the real one
            relative = _root_relative(project, candidate.display)
        kind = detect(relative)
        if not isinstance(kind, Kind) or kind not in SECRET_KINDS:
            continue
        if kind in _CI_KINDS or envs.of_path(relative) is not None:
            paths.append(candidate.path)
    return paths


# --------------------------------------------------------------------------- cross-environment matches


class Shared(Frozen):
    """Production occurrences of one value (or reference) and its non-production occurrences."""

    production: list[SecretValue] | list[SecretReference]
    elsewhere: list[SecretValue] | list[SecretReference]


def shared_across(
    items: list[SecretValue] | list[SecretReference],
    key: Callable[[SecretValue | SecretReference], str],
    scanned: frozenset[str],
) -> Iterator[Shared]:
    """Groups of equal ``key`` present in production and in another environment, where at
    least one of the files involved was scanned (pre-commit passes only changed files)."""
    groups: dict[str, list] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    for group in groups.values():
        production = [i for i in group if i.environment == PRODUCTION]
        elsewhere = [i for i in group if i.environment not in (None, PRODUCTION)]
        if production and elsewhere and any(i.path in scanned or i.source in scanned for i in group):
            yield Shared(_unique(production), _unique(elsewhere))


def _unique(items: list) -> list:
    seen: set[tuple[str, int, str]] = set()
    out = []
    for item in sorted(items, key=lambda i: (i.path, i.place.span.line, i.key)):
        ident = (item.path, item.place.span.line, item.key)
        if ident not in seen:
            seen.add(ident)
            out.append(item)
    return out


def describe_others(items: list[SecretValue] | list[SecretReference], limit: int = 3) -> str:
    """``development DB_PASS (.env.development:3), staging … and 2 more`` — names and places only."""
    parts = [f"{i.environment} {i.key} ({i.path}:{i.place.span.line})" for i in items[:limit]]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(parts) + more


def related(items: list[SecretValue] | list[SecretReference]) -> list[dict[str, object]]:
    return [{"path": i.path, "line": i.place.span.line, "environment": i.environment, "key": i.key} for i in items]
