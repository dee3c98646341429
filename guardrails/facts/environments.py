"""Which deployment environment a file (or a CI job) belongs to, from names alone.

Repositories say it in paths: ``.env.production``, ``overlays/staging/``,
``values-prod.yaml``, ``envs/dev/terraform.tfvars``, ``group_vars/production.yml``,
``application-prod.yml``, ``Pulumi.prod.yaml``; CI files say it per job (``environment: production``).
Nothing is read from file contents here except a CI job's ``environment:``.
Synonyms are configurable; ``.env.example``-style templates are never an environment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from guardrails import posix
from guardrails.documents import TreeDocument
from guardrails.facts.gitlab import GLOBAL_KEYWORDS
from guardrails.model import Document, Node
from guardrails.rule import Option

PRODUCTION = "production"
STAGING = "staging"
DEVELOPMENT = "development"

DEFAULT_SYNONYMS: dict[str, list[str]] = {
    PRODUCTION: ["prod", "production", "prd", "live"],
    STAGING: ["staging", "stage", "stg", "preprod"],
    DEVELOPMENT: ["dev", "development", "local", "test", "qa", "uat"],
}

SYNONYMS_OPTION = Option(
    DEFAULT_SYNONYMS,
    "environment names by class (production / staging / development) as they appear in paths and "
    "CI `environment:` names",
)

# A name token that marks a template of a configuration, never a deployed one.
TEMPLATE_TOKENS = frozenset({"example", "examples", "sample", "samples", "template", "templates", "dist", "tpl"})

# Directories whose child directory (or file stem) names an environment.
_PARENTS = frozenset(
    {"env", "envs", "environments", "deploy", "deployments", "config", "overlays", "inventories", "inventory"}
)
_GROUP_VARS = frozenset({"group_vars"})
# File stems whose suffix tokens name an environment: values-prod, application-dev, appsettings.Production,
# Pulumi.prod (a Pulumi stack's settings file).
_BASES = frozenset(
    {"env", "values", "application", "bootstrap", "appsettings", "docker", "compose", "settings", "secrets", "config",
     "pulumi"}
)  # fmt: skip
_TOKEN = re.compile(r"[.\-_\s/]+")
_STRIP_SUFFIXES = (".tfvars.json", ".tfvars", ".tf.json", ".tf", ".yaml", ".yml", ".json", ".env", ".ini")


# The last ``Environments.of`` (its option value and the instance), per class.
_LAST: dict[type, tuple[Mapping[str, list[str]] | None, Environments]] = {}


class Environments:
    """Environment names and their synonyms; classifies paths and CI environment names."""

    def __init__(self, synonyms: Mapping[str, list[str]] | None = None) -> None:
        self.synonyms = {env: [n.lower() for n in names] for env, names in (synonyms or DEFAULT_SYNONYMS).items()}
        self._lookup = {name: env for env, names in self.synonyms.items() for name in names}
        self._key: str | None = None

    @classmethod
    def of(cls, synonyms: Mapping[str, list[str]] | None) -> Environments:
        """The environments of a rule's synonyms option, made once per option value: the secret
        rules ask for them for every document they summarize, and the option is one object for
        the whole scan."""
        last = _LAST.get(cls)
        if last is None or last[0] is not synonyms:
            last = _LAST[cls] = (synonyms, cls(synonyms))
        return last[1]

    @property
    def key(self) -> str:
        """The synonyms as text, for keys of facts cached per set of synonyms."""
        if self._key is None:
            self._key = repr(sorted(self.synonyms.items()))
        return self._key

    def name(self, token: str) -> str | None:
        """The environment a single word names (``prd`` -> production), else None."""
        return self._lookup.get(token.lower())

    def from_label(self, label: str) -> str | None:
        """The environment a free-form label names (``production-eu``, ``Staging``); None when
        no token or two different environments match (``review/$CI_COMMIT_REF_SLUG``)."""
        found = {env for token in _TOKEN.split(label.lower()) if (env := self._lookup.get(token))}
        return found.pop() if len(found) == 1 else None

    def of_path(self, path: str) -> str | None:
        """The environment of a repository file from its name, then its nearest naming directory."""
        parts = [p.lower() for p in posix.parts(path)]
        if not parts:
            return None
        name = parts[-1]
        stem_tokens = _stem_tokens(name)
        if any(t in TEMPLATE_TOKENS for t in stem_tokens):
            return None
        from_name = self._from_name(name, stem_tokens, parts[-2] if len(parts) > 1 else "")
        if from_name is not None:
            return from_name
        for i in range(len(parts) - 2, 0, -1):
            if parts[i - 1] in _PARENTS or parts[i - 1] in _GROUP_VARS:
                env = self.name(parts[i])
                if env is not None:
                    return env
        return None

    def _from_name(self, name: str, tokens: list[str], parent: str) -> str | None:
        if not tokens:
            return None
        if name.startswith(".env.") or tokens[0] in _BASES:
            named = [t for t in tokens[1:] if self.name(t)]
            if len(named) > 1 and "local" in named:  # .env.production.local: a local override of production
                named.remove("local")
            envs = {self.name(t) for t in named}
            return envs.pop() if len(envs) == 1 else None
        if len(tokens) == 1:
            stem_env = self.name(tokens[0])
            # prod.tfvars / production.env anywhere; config/production.json, group_vars/prod.yml under a naming dir.
            if stem_env is not None and (name.endswith((".tfvars", ".tfvars.json", ".env")) or parent in _PARENTS):
                return stem_env
            if stem_env is not None and parent in _GROUP_VARS:
                return stem_env
        return None


def _stem_tokens(name: str) -> list[str]:
    if name.startswith(".env"):
        return [t for t in _TOKEN.split(name[1:]) if t]
    stem = name
    for suffix in _STRIP_SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return [t for t in _TOKEN.split(stem) if t]


def job_environment(job: Node, envs: Environments) -> str | None:
    """A CI job's deployment environment: ``environment: production`` or ``environment: {name: …}``
    (GitHub Actions and GitLab CI share the shape)."""
    node = job.get("environment")
    if node is not None and node.is_map:
        node = node.get("name")
    if node is None or not node.is_scalar or not node.text:
        return None
    return envs.from_label(node.text)


def ci_jobs(root: Node, kind_is_github: bool) -> Iterator[tuple[str, Node]]:
    """(job id, job mapping) of a GitHub Actions workflow or a GitLab CI file."""
    if kind_is_github:
        jobs = root.get("jobs")
        for job_id, _, job in jobs.items() if jobs is not None else ():
            if job.is_map:
                yield job_id, job
        return
    for job_id, _, job in root.items():
        if job.is_map and job_id not in GLOBAL_KEYWORDS:
            yield job_id, job


def github_jobs_at(doc: Document, line: int) -> Iterator[tuple[str, Node]]:
    """(job id, job mapping) of the jobs of the workflow ``doc`` whose lines hold ``line``: a
    job's span ends where the next job starts, so a one-line job shares its line with the one before."""
    if isinstance(doc, TreeDocument) and doc.roots and doc.roots[0].is_map:
        for job_id, job in ci_jobs(doc.roots[0], True):
            if job.span.line <= line <= job.span.end_line:
                yield job_id, job


# --------------------------------------------------------------------------- production names
# Shared by the Terraform, CloudFormation, Pulumi and CI facts: one answer to "does this name
# say production?", without the configurable synonyms of ``Environments`` (a workspace or job
# name is judged the same in every repository).

_PRODUCTION_TOKENS = frozenset({"prod", "production", "prd"})
_NEGATING_TOKENS = frozenset({"non", "pre", "not"})


def names_production(text: str) -> bool:
    """True when ``text`` (a file name, path, job name, workspace) names production.

    Words are split on anything but letters and digits: ``prod.tfvars``,
    ``envs/production``, ``deploy-prd`` match; ``preprod``, ``non-prod``,
    ``product``, ``reproduce`` do not.
    """
    tokens = _tokens(text)
    for i, token in enumerate(tokens):
        if token in _PRODUCTION_TOKENS and (i == 0 or tokens[i - 1] not in _NEGATING_TOKENS):
            return True
    return False


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    word: list[str] = []
    for ch in text.lower():
        if ch.isalnum():
            word.append(ch)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return out
