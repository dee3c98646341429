"""Which kind of file is this? From its name and path first, its content second.

The content settles what a name leaves open: a shebang names the interpreter of a
script whatever its extension (a ``manage.py`` that is a shell script), a unified diff
is a patch whatever file it patches (``.env.patch``), a ``.zone`` file that opens with
another format instead of a directive or a record is no DNS zone (a named.conf stanza is a
BIND configuration, a firewalld zone is nobody's). A ``.conf`` is BIND's only when its first
statement is unmistakably BIND's, an ``.ini`` an Ansible inventory only when it says Ansible.
YAML is refined once parsed (``refine``): a Kubernetes manifest, a compose file
or a CloudFormation template can carry any name. A JSON file (or a ``.template``) is read only
when its head looks like a CloudFormation template; the parse confirms it (``is_cloudformation``).
Templates (``guardrails.templates``) are not their kind until
rendered, so they are set aside as not analysed, with the command that renders them.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import PurePosixPath

from guardrails import deferred_re, posix, templates
from guardrails.documents import TreeDocument
from guardrails.facts.shells import SHEBANG_SHELLS, program_name
from guardrails.model import Kind, Node, ParseError
from guardrails.templates import Template

HELM_TEMPLATE = templates.HELM_REASON

_EXACT: dict[str, Kind] = {
    "terragrunt.hcl": Kind.TERRAFORM,  # a Terragrunt unit: HCL that calls a module (facts.terragrunt)
    "dockerfile": Kind.DOCKERFILE,
    "containerfile": Kind.DOCKERFILE,
    "makefile": Kind.MAKEFILE,
    "gnumakefile": Kind.MAKEFILE,
    ".env": Kind.DOTENV,
    "resolv.conf": Kind.RESOLV_CONF,
    "daemon.json": Kind.DOCKER_DAEMON,
    ".gitlab-ci.yml": Kind.GITLAB_CI,
    ".gitlab-ci.yaml": Kind.GITLAB_CI,
    "kustomization": Kind.KUBERNETES,
    "dnsconfig.js": Kind.DNSCONTROL,
}

# The names kustomize reads in a directory (api/konfig ``RecognizedKustomizationFileNames``):
# a kustomization is Kubernetes configuration whether or not it writes apiVersion and kind.
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def is_kustomization(path: str) -> bool:
    return posix.name(path) in KUSTOMIZATION_FILES


_SUFFIXES: list[tuple[str, Kind]] = [
    (".tfvars.json", Kind.TFVARS),
    (".tf.json", Kind.TERRAFORM_JSON),
    (".tfvars", Kind.TFVARS),
    (".tf", Kind.TERRAFORM),
    (".dockerfile", Kind.DOCKERFILE),
    (".gitlab-ci.yml", Kind.GITLAB_CI),
    (".gitlab-ci.yaml", Kind.GITLAB_CI),
    (".sh", Kind.SHELL),
    (".bash", Kind.SHELL),
    (".ksh", Kind.SHELL),
    (".py", Kind.PYTHON),
    (".sql", Kind.SQL),
    (".mk", Kind.MAKEFILE),
    (".env", Kind.DOTENV),
    (".zone", Kind.ZONE),
]

# Kinds a shebang overrides: the interpreter it names runs the file, whatever the extension says.
_SCRIPTS = frozenset({Kind.SHELL, Kind.PYTHON})
# Names that say what the file is about, never what it holds: a patch, a rejected hunk, prose.
_NOT_CONTENT = (".patch", ".diff", ".rej", ".md", ".txt", ".rst", ".dockerignore")
_YAML_SUFFIXES = (".yaml", ".yml")
_PLAN_NAMES = ("*plan*.json", "*.tfplan.json")
# Names CloudFormation templates take besides .yaml/.yml/.json (the AWS samples' ``.template``).
_CFN_SUFFIXES = (".template", ".cfn")
# What a template's head holds: its version line, a SAM transform, or a resource type.
_CFN_MARKS = (b"AWSTemplateFormatVersion", b"AWS::Serverless")


def detect(path: str, head: bytes = b"") -> Kind | Template | str | None:
    """The kind of ``path`` (relative, POSIX), a Template, ``HELM_TEMPLATE``, or None when unsupported.

    ``head`` is the start of the file, used for shebangs and JSON/zone/diff sniffing.
    """
    p = PurePosixPath(path)
    split = templates.split_extension(p.name)
    if split is not None:
        inner, engine, extension = split
        rendered = detect(str(p.with_name(inner)), head)
        if isinstance(rendered, Kind):
            return Template(rendered, engine, f"{extension} extension")
        return rendered if isinstance(rendered, Template) else None
    kind = _by_name(p, p.name.lower(), head)
    if kind is not None and _is_diff(head):
        return None
    if kind in _SCRIPTS and head.startswith(b"#!"):
        return _shebang_kind(head) or kind
    return kind


def _by_name(p: PurePosixPath, lower: str, head: bytes) -> Kind | None:
    if lower in _EXACT:
        return _EXACT[lower]
    if lower.endswith(_NOT_CONTENT):
        return None
    server = _server_config(p, lower)
    if server is not None:
        kind, generic = server
        return kind if _starts_like(kind, head, generic) else None
    inventory = _inventory_place(p, lower)
    if inventory is not None:
        if _looks_like_inventory(head, strict=not inventory):
            return Kind.ANSIBLE_INVENTORY
        if inventory:
            return None
    if _named_conf_name(lower):
        return Kind.NAMED_CONF if _starts_like_named_conf(head, strict=False) else None
    if lower.endswith(".conf") and _starts_like_named_conf(head, strict=True):
        return Kind.NAMED_CONF
    if lower.endswith(_YAML_SUFFIXES):
        return _yaml_kind(p, lower)
    for suffix, kind in _SUFFIXES:
        if lower.endswith(suffix):
            if kind is Kind.ZONE and not _starts_like_zone(head):
                return Kind.NAMED_CONF if _starts_like_named_conf(head, strict=True) else None
            return kind
    if lower.endswith(".json"):
        return _json_kind(lower, head)
    if lower.endswith(_CFN_SUFFIXES):
        return Kind.CLOUDFORMATION if _looks_like_cloudformation(head) else None
    if lower.startswith(("dockerfile.", "containerfile.")):
        return Kind.DOCKERFILE
    if lower.startswith(".env.") or lower.startswith("resolv.conf."):
        return Kind.DOTENV if lower.startswith(".env.") else Kind.RESOLV_CONF
    if lower.startswith("db.") or lower.endswith(".db"):
        return Kind.ZONE if _looks_like_zone(head) and not _is_copy(lower) else None
    if _opens_with_zone_directive(head) and not lower.endswith(_NOT_DEPLOYED) and not _is_copy(lower):
        return Kind.ZONE  # a zone file of any name (``zones/example``, ``example.org.hosts``)
    if head.startswith(b"#!"):
        return _shebang_kind(head)
    return None


def _yaml_kind(p: PurePosixPath, lower: str) -> Kind | str:
    parts = [part.lower() for part in p.parts]
    if lower.rsplit(".", 1)[0] in ("elasticsearch", "opensearch"):
        return Kind.ELASTICSEARCH_YML
    if "netplan" in parts[:-1]:
        return Kind.NETPLAN
    if lower.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")):
        return Kind.GITLAB_CI
    if fnmatch.fnmatch(lower, "compose*.y*ml") or fnmatch.fnmatch(lower, "docker-compose*.y*ml"):
        return Kind.COMPOSE
    if len(parts) >= 3 and parts[-3:-1] == [".github", "workflows"]:
        return Kind.GITHUB_ACTIONS
    if lower in ("action.yml", "action.yaml"):
        return Kind.GITHUB_ACTIONS
    if lower in KUSTOMIZATION_FILES:
        return Kind.KUBERNETES
    if is_pulumi_stack(p.name):
        return Kind.PULUMI_STACK
    if len(parts) >= 3 and parts[-3:-1] == [".gitlab", "ci"]:
        return Kind.GITLAB_CI
    return Kind.YAML


def in_helm_templates(path: str, exists: callable = os.path.exists) -> bool:  # type: ignore[valid-type]
    """True for a file under ``<chart>/templates/`` of a directory with a Chart.yaml."""
    p = PurePosixPath(path)
    for i, part in enumerate(p.parts[:-1]):
        if part == "templates":
            chart_dir = PurePosixPath(*p.parts[:i]) if i else PurePosixPath(".")
            if exists(str(chart_dir / "Chart.yaml")) or exists(str(chart_dir / "Chart.yml")):
                return True
    return False


def is_helm_values(path: str, exists: callable = os.path.exists) -> bool:  # type: ignore[valid-type]
    p = PurePosixPath(path)
    if not fnmatch.fnmatch(p.name.lower(), "values*.y*ml"):
        return False
    return exists(str(p.parent / "Chart.yaml")) or exists(str(p.parent / "Chart.yml"))


# Server configuration files by name: (name pattern, kind, generic). A generic pattern (any
# ``.cnf``) claims a file only when its content says so; a specific name (``redis.conf``) also
# when its first 4 KiB are comments only, as the distributions' annotated files are.
_SERVER_NAMES: tuple[tuple[str, Kind, bool], ...] = (
    ("redis*.conf", Kind.REDIS_CONF, False),
    ("sentinel*.conf", Kind.REDIS_CONF, False),
    ("valkey*.conf", Kind.REDIS_CONF, False),
    ("keydb*.conf", Kind.REDIS_CONF, False),
    ("mongod*.conf", Kind.MONGOD_CONF, False),
    ("pg_hba*.conf", Kind.PG_HBA, False),
    ("postgresql*.conf", Kind.POSTGRESQL_CONF, False),
    ("postgres.conf", Kind.POSTGRESQL_CONF, False),
    ("my.cnf", Kind.MYSQL_CNF, False),
    ("my.ini", Kind.MYSQL_CNF, False),
    ("mysqld.cnf", Kind.MYSQL_CNF, False),
    ("*.cnf", Kind.MYSQL_CNF, True),
    ("dnsmasq*.conf", Kind.DNSMASQ_CONF, False),
    ("resolved.conf", Kind.RESOLVED_CONF, False),
    ("corefile", Kind.COREFILE, False),
)
# Every name above ends so: other files skip matching fifteen patterns (compiling them costs a
# one-file scan a millisecond).
_SERVER_ENDINGS = (".conf", ".cnf", ".ini", "corefile")
# Drop-in directories: any ``.conf`` inside is that program's, if its content agrees.
_DROP_IN_DIRS = {"dnsmasq.d": Kind.DNSMASQ_CONF, "resolved.conf.d": Kind.RESOLVED_CONF}

_MONGOD_SECTIONS = (
    "systemlog", "storage", "net", "processmanagement", "security", "operationprofiling",
    "replication", "sharding", "setparameter", "auditlog", "snmp", "cloud",
)  # fmt: skip
_MYSQL_GROUPS = (
    "client", "mysql", "mysqld", "mariadb", "mariadbd", "server", "galera", "embedded",
    "xtrabackup", "mariabackup", "sst", "myisamchk", "isamchk",
)  # fmt: skip
_HBA_WORDS = ("local", "host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc", "include")
_DIRECTIVE = deferred_re.compile(r"[a-z][a-z0-9-]*")
_GUC_LINE = deferred_re.compile(r"[a-z_][a-z0-9_.]*\s*(=|\s)\s*\S", re.IGNORECASE)
_DNSMASQ_LINE = deferred_re.compile(r"[a-z][a-z0-9-]*(=.*)?$")


def _server_config(p: PurePosixPath, lower: str) -> tuple[Kind, bool] | None:
    if not lower.endswith(_SERVER_ENDINGS):
        return None
    for pattern, kind, generic in _SERVER_NAMES:
        if fnmatch.fnmatchcase(lower, pattern):
            return kind, generic
    parent = p.parent.name.lower()
    if parent in _DROP_IN_DIRS and lower.endswith(".conf"):
        return _DROP_IN_DIRS[parent], True
    return None


def _starts_like(kind: Kind, head: bytes, generic: bool) -> bool:
    """Whether the first significant line is one the server's own format would start with:
    a random ``.conf`` (nginx's ``user www-data;``, an INI ``[section]``) is not claimed."""
    for raw in head.decode("utf-8", "replace").splitlines():
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#") or (line.startswith(";") and kind is not Kind.REDIS_CONF):
            continue
        if line == "---" and kind is Kind.MONGOD_CONF:
            continue
        return _first_line_fits(kind, line)
    return not generic


def _first_line_fits(kind: Kind, line: str) -> bool:
    first = line.split()[0]
    if kind is Kind.REDIS_CONF:
        return _DIRECTIVE.fullmatch(first) is not None and not line.endswith(("{", ";"))
    if kind is Kind.MONGOD_CONF:
        return line.split(":", 1)[0].strip().lower() in _MONGOD_SECTIONS and ":" in line
    if kind is Kind.POSTGRESQL_CONF:
        return _GUC_LINE.match(line) is not None and not line.endswith(("{", ";"))
    if kind is Kind.PG_HBA:
        return first.lower() in _HBA_WORDS or first.lower().startswith("include_")
    if kind is Kind.MYSQL_CNF:
        if line.startswith("!include"):
            return True
        group = line[1:].split("]", 1)[0].strip().lower() if line.startswith("[") else ""
        return group.startswith(_MYSQL_GROUPS)
    if kind is Kind.DNSMASQ_CONF:
        return _DNSMASQ_LINE.match(line) is not None
    if kind is Kind.RESOLVED_CONF:
        return line == "[Resolve]"
    return True  # a Corefile: any server block address


def _json_kind(lower: str, head: bytes) -> Kind | None:
    if any(fnmatch.fnmatch(lower, pattern) for pattern in _PLAN_NAMES) or (
        b'"terraform_version"' in head and (b'"resource_changes"' in head or b'"planned_values"' in head)
    ):
        return Kind.TERRAFORM_PLAN
    if _looks_like_cloudformation(head):
        return Kind.CLOUDFORMATION
    return None


def is_json_text(path: str, text: str) -> bool:
    """A template written in JSON rather than YAML: a ``.json`` file is, a ``.yaml``/``.yml`` file is
    not (JSON text there is read as the YAML it also is), a ``.template`` or ``.cfn`` file is when it
    opens with a brace or a bracket."""
    lower = path.lower()
    if lower.endswith(".json"):
        return True
    if lower.endswith(_YAML_SUFFIXES):
        return False
    return text.lstrip("\ufeff \t\r\n").startswith(("{", "["))


def _looks_like_cloudformation(head: bytes) -> bool:
    """A cheap test before parsing: the parse decides (``is_cloudformation``)."""
    return any(mark in head for mark in _CFN_MARKS) or (b"Resources" in head and b"AWS::" in head)


def _looks_like_zone(head: bytes) -> bool:
    text = head[:4096].upper()
    return b"$TTL" in text or b"$ORIGIN" in text or b" SOA " in text or b"\tSOA\t" in text


# Copies an administrator or an editor leaves beside the file it edits (nano saves NAME.save,
# then NAME.save.1, NAME.save.2...): never what a server loads, whatever the name before them.
_COPIES = (".orig", ".bak", ".old", ".save", "~")
# Names of files that are not what a server loads: autoconf templates (``root.db.in``), copies,
# samples, and what BIND writes itself (``dnssec-signzone`` output, journals).
_NOT_DEPLOYED = (".in", ".sample", ".example", ".dist", ".tpl", ".signed", ".jnl", *_COPIES)


def _is_copy(lower: str) -> bool:
    """``db.example.com.bak``, ``db.example.com.save.1``; not ``db.192.168.1`` (a reverse zone)."""
    stem, _, last = lower.rpartition(".")
    return lower.endswith(_COPIES) or (last.isdigit() and stem.endswith(_COPIES))


def _opens_with_zone_directive(head: bytes) -> bool:
    """The first significant line is ``$TTL`` or ``$ORIGIN`` with its argument: only a DNS master
    file starts so (comments are ``;``)."""
    for raw in head[:4096].decode("utf-8", "replace").splitlines():
        line = raw.split(";", 1)[0].strip()
        if line:
            words = line.split()
            return len(words) == 2 and words[0].upper() in ("$TTL", "$ORIGIN")
    return False


def _starts_like_zone(head: bytes) -> bool:
    """False when the first significant line of a ``.zone`` file is another format's (a named.conf
    ``zone "x" {`` stanza, a firewalld XML zone, a ``//`` or ``#`` comment) and neither a directive
    nor a record; anything else, a broken zone file included, is given the benefit of its name."""
    if b"\x00" in head:
        return True  # binary: reading it says so
    for raw in head.decode("utf-8", "replace").splitlines():
        line = raw.split(";", 1)[0].strip()
        if line:
            return line.startswith("$") or not (line.startswith(("//", "#", "<")) or "{" in line)
    return True


# named.conf's top-level statements (BIND 9 ARM, "Configuration File Grammar"), and those
# whose first statement alone says BIND in a file of any ``.conf`` name: a name, then a block.
_NAMED_STATEMENTS = frozenset(
    {"acl", "controls", "dlz", "dnssec-policy", "dyndb", "http", "include", "key", "key-store", "logging",
     "managed-keys", "masters", "options", "parental-agents", "plugin", "primaries", "remote-servers",
     "server", "statistics-channels", "template", "tls", "trust-anchors", "trusted-keys", "view", "zone"}
)  # fmt: skip
_NAMED_NAMED_BLOCKS = frozenset({"zone", "view", "acl", "key", "masters", "primaries", "remote-servers"})
_NAMED_UNNAMED_BLOCKS = frozenset({"options", "logging", "controls"})
_NAMED_OPTION = deferred_re.compile(r"[a-z][a-z0-9-]*")
_CLASSES = frozenset({"in", "ch", "chaos", "hs", "hesiod"})


def _named_conf_name(lower: str) -> bool:
    """``named.conf``, ``named.conf.local``, ``named.conf.options``, ``named-internal.conf``...; not
    ``named.conf.in`` (an autoconf template whose ``@VARIABLE@`` placeholders are not BIND's yet),
    a ``.bak`` or ``.orig`` copy."""
    named = (lower.startswith("named") and ".conf" in lower) or lower.endswith(".named.conf")
    return named and not lower.endswith(_NOT_DEPLOYED)


def _starts_like_named_conf(head: bytes, strict: bool) -> bool:
    """Whether the first statement is BIND's. ``strict`` (a ``.conf`` of any name): a named block
    (``zone "example.com" {``, ``acl internal {``), ``include "file";``, or ``options {`` whose first
    option is written as BIND's are (hyphenated words: syslog-ng's ``options { flush_lines(0);`` is
    not); an nginx ``include mime.types;`` or ``server {`` is not claimed. Otherwise any top-level
    statement, or comments alone, as the distributions' annotated files are."""
    from guardrails.parsers.named_conf import tokens

    try:
        found = tokens(head.decode("utf-8", "replace"), limit=5)
    except ParseError:
        return not strict
    if not found:
        return not strict
    words = [t.text if t.kind in ("word", "string") else t.kind for t in found]
    first = words[0].lower() if found[0].kind == "word" else ""
    if not strict:
        return first in _NAMED_STATEMENTS
    rest = [*words[1:], "", "", ""]
    if first == "include":
        return found[1:2] != [] and found[1].kind == "string" and rest[1] == ";"
    if first in _NAMED_UNNAMED_BLOCKS:
        return rest[0] == "{" and _NAMED_OPTION.fullmatch(rest[1]) is not None and len(found) > 3
    if first in _NAMED_NAMED_BLOCKS and len(found) > 2 and found[1].kind in ("word", "string"):
        return rest[1] == "{" or (rest[1].lower() in _CLASSES and rest[2] == "{")
    return False


# Where Ansible INI inventories live (the layout of Ansible's "Sample directory layout" and the
# ``-i inventories/prod/hosts`` convention) and the names they take.
_INVENTORY_DIRS = frozenset({"inventory", "inventories"})
_INVENTORY_NAMES = frozenset({"hosts", "inventory", "hosts.ini", "inventory.ini"})
_INVENTORY_SUFFIXES = (".ini", ".inventory", ".hosts", ".inv")
_VARS_DIRS = frozenset({"group_vars", "host_vars"})


def in_ansible_vars(path: str) -> bool:
    """A file under ``group_vars/`` or ``host_vars/``: Ansible loads it as variables of a group or
    host (docs.ansible.com, "Organizing host and group variables"), never deploys it as a template."""
    return any(part.lower() in _VARS_DIRS for part in posix.parts(path)[:-1])


def inventory_place(path: str) -> bool | None:
    """Whether the place of ``path`` says INI inventory: True, False (its content must also say
    Ansible), None (not an inventory's place)."""
    p = PurePosixPath(path)
    return _inventory_place(p, p.name.lower())


def _inventory_place(p: PurePosixPath, lower: str) -> bool | None:
    """True where the location says inventory (a name without extension, or an ``.ini``, under
    ``inventory/`` or ``inventories/``; ``hosts``, ``*.inventory``), False for another ``.ini``
    (its content must say Ansible), None elsewhere. ``group_vars/`` files are variables (YAML)."""
    plain = "." not in lower or lower.endswith(_INVENTORY_SUFFIXES)
    if not plain and not lower.endswith(".ini"):  # main.tf, values.yaml: no place makes it one
        return None
    if in_ansible_vars(str(p)):
        return None
    dirs = [part.lower() for part in p.parts[:-1]]
    if plain and (lower in _INVENTORY_NAMES or lower.endswith(".inventory") or any(d in _INVENTORY_DIRS for d in dirs)):
        return True
    return False if lower.endswith(".ini") else None


def _looks_like_inventory(head: bytes, strict: bool) -> bool:
    """The head reads as an INI inventory (whole lines only: the last may be cut) and is not
    YAML (an extension-less inventory may be YAML: ``all:``). ``strict``: it also says Ansible,
    with a ``:vars`` or ``:children`` section or an ``ansible_`` variable (a tox.ini, a php.ini,
    an INI file of another program is not claimed). Comments alone, or nothing read yet, give a
    file in an inventory's place the benefit of its place."""
    from guardrails.parsers.ansible_inventory import parse

    text = head.decode("utf-8", "replace")
    if len(head) >= 4096:
        text = text.rsplit("\n", 1)[0]
    first = next((line.strip() for line in text.splitlines() if line.strip()[:1] not in ("", "#", ";")), "")
    if first.startswith(("---", "{")) or first.split(" ", 1)[0].endswith(":"):
        return False
    try:
        doc = parse("", text, Kind.ANSIBLE_INVENTORY)
    except ParseError:
        return False
    if not strict:
        return True
    special = any(state != "hosts" for _, state, _ in doc.sections)
    return special or any(v.key.startswith("ansible_") for v in doc.variables)


def _is_diff(head: bytes) -> bool:
    """A unified or git diff: ``diff --git``/``Index:`` first, or ``--- `` then ``+++ ``."""
    lines = head.split(b"\n", 2)
    if lines[0].startswith((b"diff ", b"Index: ")):
        return True
    return len(lines) > 1 and lines[0].startswith(b"--- ") and lines[1].startswith(b"+++ ")


def _shebang_kind(head: bytes) -> Kind | None:
    first = head.split(b"\n", 1)[0][2:].decode("utf-8", "replace").strip().split()
    if not first:
        return None
    program = program_name(first[0])
    if program == "env":
        rest = [w for w in first[1:] if not w.startswith("-")]
        program = rest[0] if rest else ""
    if program in SHEBANG_SHELLS:
        return Kind.SHELL
    if program.startswith("python"):
        return Kind.PYTHON
    return None


#: What a CloudFormation resource type starts with: AWS's own, custom resources, Alexa skills;
#: third-party registry types (``Organization::Service::Resource``) and macro-handled ones
#: (``Boto3::CodeCommit.put_file``) count when AWS ones are there too.
_CFN_TYPE_PREFIXES = ("AWS::", "Custom::", "Alexa::")


def is_cloudformation(root: Node) -> bool:
    """A template: ``AWSTemplateFormatVersion``, a SAM ``Transform``, or a top-level ``Resources``
    mapping whose every entry is a mapping with a ``Type`` naming a resource type (``AWS::...``),
    one at least of AWS's own. A ``Resources:`` of anything else (a Serverless Framework
    ``resources:`` section, an Ansible vars file, a Kubernetes manifest) is not."""
    if not root.is_map:
        return False
    if root.get("AWSTemplateFormatVersion") is not None:
        return True
    transform = root.get("Transform")
    names = [] if transform is None else [transform] if transform.is_scalar else transform.elements()
    if any(n.is_scalar and n.text.startswith("AWS::Serverless") for n in names):
        return True
    resources = root.get("Resources")
    if resources is None or not resources.is_map or not resources.value:
        return False
    types = [v.get("Type") for _, _, v in resources.items()]
    if not all(t is not None and t.is_scalar and not t.tag.startswith("!") and "::" in t.text for t in types):
        return False
    return any(t.text.startswith(_CFN_TYPE_PREFIXES) for t in types if t is not None)


#: Pulumi YAML top-level keys (Pulumi YAML reference, and the project file's own: Pulumi.yaml).
_PULUMI_KEYS = frozenset(
    {"name", "runtime", "description", "config", "configuration", "variables", "resources", "outputs", "pulumi",
     "main", "stackConfigDir", "backend", "options", "template", "plugins", "packages", "author", "license"}
)  # fmt: skip
#: A Pulumi type token: package, module (with an optional ``/file`` part; absent for a component of the
#: package's index, ``random:RandomPassword``, ``eks:Cluster``), type.
_PULUMI_TOKEN = deferred_re.compile(r"[A-Za-z][A-Za-z0-9_-]*(:[A-Za-z0-9_./-]*)?:[A-Za-z][A-Za-z0-9_-]*")


def is_pulumi_program(root: Node, path: str) -> bool:
    """A Pulumi YAML program: only program keys at the top, a ``resources`` mapping whose every
    entry is a mapping with a ``type`` token (``aws:s3:Bucket``), and ``runtime: yaml`` (or
    ``runtime: {name: yaml}``) or the name ``Main.yaml``. A ``resources:`` of anything else (a
    Serverless Framework file, a Kubernetes RBAC rule, an Ansible vars file) is not."""
    if not root.is_map:
        return False
    keys = {key for key, _, _ in root.items()}
    resources = root.get("resources")
    if not keys <= _PULUMI_KEYS or resources is None or not resources.is_map or not resources.value:
        return False
    runtime = root.get("runtime")
    if runtime is not None and runtime.is_map:
        runtime = runtime.get("name")
    named = PurePosixPath(path).name in ("Main.yaml", "Main.yml")
    if not named and (runtime is None or not runtime.is_scalar or runtime.text != "yaml"):
        return False
    for _, _, entry in resources.items():
        rtype = entry.get("type") if entry.is_map else None
        if rtype is None or not rtype.is_scalar or not _PULUMI_TOKEN.fullmatch(rtype.text):
            return False
    return True


def is_pulumi_stack(name: str) -> bool:
    """``Pulumi.<stack>.yaml``: a stack's settings file, by the exact name Pulumi reads."""
    return re.fullmatch(r"Pulumi\.[^/]+\.ya?ml", name) is not None


# What a file named like a server's YAML config may be instead, by content.
_NAMED_LIKE_SERVER_CONFIG = frozenset({Kind.CLOUDFORMATION, Kind.KUBERNETES, Kind.ANSIBLE, Kind.COMPOSE})


def refine(doc: TreeDocument) -> Kind:
    """A generic YAML (or sniffed JSON) document's real kind, from its content."""
    roots = [r for r in doc.roots if r.is_map]
    variables = in_ansible_vars(doc.path)
    if doc.kind is Kind.CLOUDFORMATION:  # sniffed from its head: the content decides
        if not variables and len(doc.roots) == 1 and roots and is_cloudformation(roots[0]):
            return Kind.CLOUDFORMATION
        return Kind.JSON if is_json_text(doc.path, doc.text) else Kind.YAML
    if doc.kind is Kind.ELASTICSEARCH_YML:
        # Named like the server's config, but a stack, a manifest or a playbook by content
        # (``elasticsearch.yaml`` of a chart-less cluster, a CloudFormation search domain, a
        # playbook): the server's own file is one flat mapping of settings, never any of these.
        doc.kind = Kind.YAML
        found = refine(doc)
        doc.kind = found if found in _NAMED_LIKE_SERVER_CONFIG else Kind.ELASTICSEARCH_YML
        return doc.kind
    if doc.kind is not Kind.YAML:
        return doc.kind
    if variables:
        return doc.kind  # Ansible reads these files as variables, whatever they look like
    if len(doc.roots) == 1 and roots and is_cloudformation(roots[0]):
        return Kind.CLOUDFORMATION
    if len(doc.roots) == 1 and roots and is_pulumi_program(roots[0], doc.path):
        return Kind.PULUMI
    if _is_ansible(doc):
        return Kind.ANSIBLE
    if not roots:
        return doc.kind
    if any(r.get("apiVersion") is not None and r.get("kind") is not None for r in roots):
        return Kind.KUBERNETES
    services = roots[0].get("services")
    if (
        services is not None
        and services.is_map
        and any(v.is_map and (v.get("image") is not None or v.get("build") is not None) for _, _, v in services.items())
    ):
        return Kind.COMPOSE
    from guardrails.facts import octodns  # YAML only: its records cost every other kind start-up time

    if len(roots) == 1 == len(doc.roots) and octodns.is_config(roots[0]):
        return Kind.OCTODNS_CONFIG
    if len(roots) == 1 == len(doc.roots) and octodns.is_zone(roots[0]):
        return Kind.OCTODNS_ZONE
    if len(roots) == 1 and _is_mongod(roots[0]):
        return Kind.MONGOD_CONF
    if len(roots) == 1 and _is_netplan(roots[0]):
        return Kind.NETPLAN
    return doc.kind


def _is_ansible(doc: TreeDocument) -> bool:
    """A playbook (a list of plays: mappings with ``hosts``, or ``import_playbook``), or a task
    list: a list of tasks, each with one module key besides task keywords (or a ``block``). In a
    ``tasks/`` or ``handlers/`` directory any module name counts; elsewhere only one that is surely
    a module (a builtin, a fully qualified collection name), so a list of other mappings is not claimed."""
    if len(doc.roots) != 1 or not doc.roots[0].is_seq:
        return False
    items = doc.roots[0].elements()
    if not items or not all(item.is_map for item in items):
        return False
    from guardrails.facts import ansible_keywords  # lists of mappings only

    keys = [[key for key, _, _ in item.items()] for item in items]
    if ansible_keywords.is_playbook(keys):
        return True
    parent = PurePosixPath(doc.path).parent.name
    in_tasks = parent in ("tasks", "handlers")
    return all(_is_task(k, in_tasks) for k in keys)


def _is_task(keys: list[str], any_module: bool) -> bool:
    from guardrails.facts import ansible_keywords

    if any(key in ansible_keywords.BLOCK_SECTIONS for key in keys):
        return "block" in keys
    others = [key for key in keys if not ansible_keywords.is_task_keyword(key)]
    if not others:
        return "action" in keys or "local_action" in keys
    return len(others) == 1 and (any_module or ansible_keywords.is_module_key(others[0]))


_MONGOD_KEYS = frozenset(
    {"systemLog", "storage", "net", "processManagement", "security", "operationProfiling", "replication",
     "sharding", "setParameter", "auditLog", "snmp", "cloud"}
)  # fmt: skip
_NETPLAN_DEVICES = frozenset({"ethernets", "wifis", "bonds", "bridges", "vlans", "tunnels", "vrfs", "modems"})


def _is_mongod(root: Node) -> bool:
    """Only mongod's top-level sections, ``net`` among them with where it listens."""
    keys = {key for key, _, _ in root.items()}
    net = root.get("net")
    return (
        bool(keys)
        and keys <= _MONGOD_KEYS
        and net is not None
        and net.is_map
        and (net.get("bindIp") is not None or net.get("bindIpAll") is not None or net.get("port") is not None)
    )


def _is_netplan(root: Node) -> bool:
    """``network: {version: 2, ethernets: ...}`` (netplan, and cloud-init's network config v2)."""
    network = root.get("network")
    if network is None or not network.is_map:
        return False
    version = network.get("version")
    devices = {key for key, _, _ in network.items()} & _NETPLAN_DEVICES
    return version is not None and version.text == "2" and bool(devices)
