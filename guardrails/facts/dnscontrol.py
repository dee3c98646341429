"""DNSControl ``dnsconfig.js``: who operates each DNS provider type, and what a domain's
records and TTLs are. Sources: DNSControl documentation, "Providers" (provider type
identifiers), ``DefaultTTL`` (300 seconds when a domain sets none), ``DnsProvider`` (a second
argument of 0 means the provider is not to serve the domain's nameservers), ``TTL``,
``require`` and ``require_glob`` (a required ``.js`` file runs in place, in the same global
scope; a path beginning with ``.`` is relative to the requiring file, any other to the working
directory, which is where ``dnsconfig.js`` is; ``require_glob`` loads the ``.js`` files below a
directory relative to the requiring file, recursively unless its second argument is false, in
the order of DNSControl's directory walk: its ``pkg/js/js.go``, and ``helpers.js``, which forces
the ``.js`` extension and makes each ``DEFAULTS()`` replace the earlier ones), and "creds.json"
(read from the working directory; ``TYPE`` names the type of a provider declared without one,
or with the type ``-``).

A configuration is read as DNSControl runs it (``program``): the calls of ``dnsconfig.js`` and
of the files it requires, in the order they run, so a ``DEFAULTS()`` applies to the domains of
files required after it. Each file runs once (DNSControl refuses a domain declared twice). Of
``creds.json`` only the ``TYPE`` of each entry is read; the credentials beside it are never
kept. A file that cannot be read (outside the repository, linked, a path built at run time, a
file that does not parse) leaves unknown what it could change: its domains are not seen, and
the default TTL of every domain after it is unknown until a ``DEFAULTS()`` sets it again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from guardrails.discover import inside, real_path
from guardrails.documents import DnsCall, DnsControlDocument, DnsProviderDecl
from guardrails.facts import dns
from guardrails.model import Kind, Span
from guardrails.project import Project
from guardrails.records import Frozen

# The TTL of a record when neither it nor its domain sets one.
DEFAULT_TTL = 300

# Provider type -> operator. Self-hosted types are an operator per provider name.
OPERATORS: dict[str, str] = {
    "AKAMAIEDGEDNS": "Akamai Edge DNS",
    "ALIDNS": "Alibaba Cloud DNS",
    "AZURE_DNS": "Azure DNS",
    "BUNNY_DNS": "Bunny DNS",
    "CLOUDFLAREAPI": "Cloudflare",
    "CLOUDNS": "ClouDNS",
    "DESEC": "deSEC",
    "DIGITALOCEAN": "DigitalOcean",
    "DNSIMPLE": "DNSimple",
    "DNSMADEEASY": "DNS Made Easy",
    "EXOSCALE": "Exoscale",
    "GANDI_V5": "Gandi",
    "GCLOUD": "Google Cloud DNS",
    "GCORE": "G-Core Labs",
    "HEDNS": "Hurricane Electric",
    "HETZNER": "Hetzner",
    "HUAWEICLOUD": "Huawei Cloud DNS",
    "LINODE": "Linode",
    "NAMEDOTCOM": "Name.com",
    "NETLIFY": "Netlify",
    "NS1": "NS1",
    "ORACLE": "Oracle Cloud DNS",
    "OVH": "OVHcloud",
    "PORKBUN": "Porkbun",
    "ROUTE53": "Amazon Route 53",
    "TRANSIP": "TransIP",
    "VULTR": "Vultr",
}
SELF_HOSTED = frozenset({"BIND", "POWERDNS"})
# Record functions: the type each writes (the name is the type, but for these).
RECORD_TYPES: dict[str, str] = {
    **{t: t for t in ("A", "AAAA", "CAA", "CNAME", "DNAME", "DS", "HTTPS", "LOC", "MX", "NAPTR", "NS")},
    **{t: t for t in ("PTR", "SOA", "SRV", "SSHFP", "SVCB", "TLSA", "TXT", "ALIAS")},
    "CF_REDIRECT": "",
    "R53_ALIAS": "ALIAS",
}


# How deep ``require()`` may nest before the rest is unknown: each file runs once, so this
# bounds the recursion, not a loop.
_MAX_DEPTH = 32


class Written(Frozen):
    """A call with the file it is written in: findings point at the file that holds the call."""

    doc: DnsControlDocument
    call: DnsCall


class Domain(Frozen):
    """A ``D()`` and the ``DefaultTTL()`` that applies to it: its own, else that of the last
    ``DEFAULTS()`` run before it (None: DNSControl's 300 s). ``default_known`` is False when a
    file required before it could not be read (its ``DEFAULTS()`` is unknown). ``ns_ttl`` is the
    ``NAMESERVER_TTL()`` found the same way: the TTL of the apex NS records DNSControl writes for
    the domain's nameservers (``pkg/nameservers`` ``AddNSRecords``)."""

    written: Written
    default: Written | None
    default_known: bool
    ns_ttl: Written | None = None


class Program(Frozen):
    """A ``dnsconfig.js`` as DNSControl runs it: its domains in the order they are declared, and
    every provider declared by it or the files it requires, by variable."""

    domains: list[Domain]
    providers: dict[str, DnsProviderDecl]


class Record(Frozen):
    rtype: str
    name: str
    value: str
    ttl: int | None
    ttl_span: Span | None
    span: Span


def program(doc: DnsControlDocument, project: Project) -> Program:
    """``doc`` and the files it requires, run in order (memoised per scan)."""
    key = ("dnscontrol-program", doc.path)
    found: Program | None = project.cache.get(key)
    if found is None:
        found = _Run(doc, project).program()
        project.cache[key] = found
    return found


class _Run:
    """One reading of a configuration, following ``require()`` as DNSControl does."""

    def __init__(self, top: DnsControlDocument, project: Project) -> None:
        self.top, self.project = top, project
        self.working = PurePosixPath(top.path).parent
        self.domains: list[Domain] = []
        self.providers: dict[str, DnsProviderDecl] = {}
        self.default: Written | None = None
        self.ns_ttl: Written | None = None
        self.default_known = True
        self.loaded: set[str] = set()

    def program(self) -> Program:
        self._run(self.top, 0)
        types = _creds_types(self.project, self.working) if any(_untyped(p) for p in self.providers.values()) else {}
        for variable, declared in self.providers.items():
            if _untyped(declared) and declared.name in types:
                self.providers[variable] = DnsProviderDecl(variable, declared.name, types[declared.name], declared.span)
        return Program(self.domains, self.providers)

    def _run(self, doc: DnsControlDocument, depth: int) -> None:
        self.loaded.add(doc.path)
        for declared in doc.providers:
            self.providers[declared.variable] = declared
        for call in doc.domains:
            own_ns = call.first("NAMESERVER_TTL")
            if call.name == "DEFAULTS":
                # Each DEFAULTS() replaces every earlier one (DNSControl's helpers.js): known again.
                own = call.first("DefaultTTL")
                self.default, self.default_known = (Written(doc, own) if own is not None else None), True
                self.ns_ttl = Written(doc, own_ns) if own_ns is not None else None
            elif call.name == "D":
                own = call.first("DefaultTTL")
                ns_ttl = Written(doc, own_ns) if own_ns is not None else self.ns_ttl
                if own is not None:
                    self.domains.append(Domain(Written(doc, call), Written(doc, own), True, ns_ttl))
                else:
                    self.domains.append(Domain(Written(doc, call), self.default, self.default_known, ns_ttl))
            elif call.name in ("require", "require_glob"):
                for path in self._required(doc, call):
                    self._run_file(path, depth + 1)

    def _run_file(self, path: Path, depth: int) -> None:
        """Run a required file once: a second run would declare its domains again, which
        DNSControl refuses."""
        if self.project.display_of(path) in self.loaded:
            return
        required = _load(self.project, path) if depth <= _MAX_DEPTH else None
        if required is None:
            self.default_known = False  # what it would have set is unknown
            return
        self._run(required, depth)

    def _required(self, doc: DnsControlDocument, call: DnsCall) -> list[Path]:
        """The files a ``require()`` or ``require_glob()`` runs, in DNSControl's order; when which
        files is unknown, every later default TTL is unknown."""
        written = call.args[0] if call.args else None
        if not isinstance(written, str):
            self.default_known = False
            return []
        if written.lower().endswith((".json", ".json5")):
            return []  # a JSON file is data handed to the script, not configuration run
        here = self.project.cwd / PurePosixPath(doc.path).parent
        if call.name == "require":
            return [(here if written.startswith(".") else self.project.cwd / self.working) / written]
        # require_glob: below the requiring file's directory, .js files only (helpers.js forces it)
        recursive = not (len(call.args) > 1 and call.args[1] is False)
        found = _js_files_below(self.project, here / written, recursive)
        if found is None:
            self.default_known = False
        return found or []


def domain_name(domain: DnsCall) -> str:
    name = domain.args[0] if domain.args else None
    return dns.normalise_host(name) if isinstance(name, str) else ""


def seconds(call: DnsCall | None) -> int | None:
    """``TTL(60)``, ``DefaultTTL("1h")``: seconds, None when not a literal."""
    if call is None or not call.args:
        return None
    value = call.args[0]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return dns.parse_bind_ttl(value) if isinstance(value, str) else None


def records(domain: DnsCall) -> Iterator[Record]:
    for call in domain.calls:
        rtype = RECORD_TYPES.get(call.name)
        if not rtype or not call.args or not isinstance(call.args[0], str):
            continue
        value = call.args[1] if len(call.args) > 1 and isinstance(call.args[1], str) else ""
        ttl = call.first("TTL")
        yield Record(rtype, call.args[0], value, seconds(ttl), ttl.span if ttl is not None else None, call.span)


def operators(configuration: Program, domain: DnsCall) -> list[dns.NameServer] | None:
    """The operators serving ``domain`` (``DnsProvider(X)`` without a 0 nameserver count), or None
    when one is unknown (a type given neither in the declaration nor in creds.json, an argument
    that is not a variable)."""
    declared = configuration.providers
    found: list[dns.NameServer] = []
    for call in domain.calls:
        if call.name != "DnsProvider":
            continue
        if len(call.args) > 1 and call.args[1] == 0 and call.args[1] is not False:
            continue
        variable = call.calls[0].name[1:] if call.calls and call.calls[0].name.startswith("$") else ""
        provider = declared.get(variable)
        if provider is None:
            return None
        if provider.provider_type in SELF_HOSTED:
            found.append(dns.NameServer(provider.name, f"self-hosted servers of {provider.name}", many=True))
        elif provider.provider_type in OPERATORS:
            found.append(dns.NameServer(provider.name, OPERATORS[provider.provider_type], many=True))
        elif provider.provider_type != "NONE":
            return None
    return found


# What a provider type does to the TTL DNSControl sends it: type -> (the TTLs it sends as the
# provider's automatic TTL, the TTL that automatic one is served with, the floor it raises any
# other TTL to). Source: DNSControl's providers/cloudflare/cloudflareProvider.go (preprocessConfig):
# a TTL of 0 or 300 (DNSControl's default) goes as 1, Cloudflare's automatic TTL, and any other
# under 60 goes as 60; Cloudflare serves its automatic TTL as 300 s (its "Time to Live (TTL)" page).
TTL_HANDLING: dict[str, tuple[frozenset[int], int, int]] = {
    "CLOUDFLAREAPI": (frozenset({0, 1, 300}), 300, 60),
}


class ServedTtl(Frozen):
    """The TTL a domain's providers serve a written one with: the shortest of them, and the
    operator that changed it ('' when it is served as written)."""

    seconds: int
    by: str


def served_ttl(configuration: Program, domain: DnsCall, written: int) -> ServedTtl:
    """``written`` as the domain's DNS providers serve it to resolvers: those that serve its
    nameservers (``DnsProvider(X, 0)`` receives the records, but no resolver asks it); a provider
    of unknown type serves it as written."""
    shortest = ServedTtl(seconds=written, by="")
    changed: list[ServedTtl] = []
    for call in domain.calls:
        if call.name != "DnsProvider" or (len(call.args) > 1 and call.args[1] == 0 and call.args[1] is not False):
            continue
        variable = call.calls[0].name[1:] if call.calls and call.calls[0].name.startswith("$") else ""
        provider = configuration.providers.get(variable)
        handling = TTL_HANDLING.get(provider.provider_type) if provider is not None else None
        if provider is None or handling is None:
            return shortest
        automatic, served, floor = handling
        seconds = served if written in automatic else max(floor, written)
        changed.append(ServedTtl(seconds=seconds, by=OPERATORS[provider.provider_type] if seconds != written else ""))
    return min(changed, key=lambda one: one.seconds) if changed else shortest


def _untyped(declared: DnsProviderDecl) -> bool:
    return declared.provider_type in ("", "-")


def _js_files_below(project: Project, directory: Path, recursive: bool) -> list[Path] | None:
    """The ``.js`` files below ``directory`` in the order of DNSControl's walk (each directory's
    entries by name, a subdirectory's files where its name sorts); None when the listing is not
    what DNSControl would see: a directory outside the repository or missing (DNSControl stops
    there), or a linked ``.js`` file (it would run it; it is not read here)."""
    if not inside(real_path(directory), project.root):
        return None
    try:
        with os.scandir(directory) as listing:  # not a directory, missing, a name too long: OSError
            entries = sorted((entry.name, entry.is_symlink(), entry.is_dir(follow_symlinks=False)) for entry in listing)
    except OSError:
        return None
    found: list[Path] = []
    for name, link, is_directory in entries:
        if is_directory and recursive and not link:
            below = _js_files_below(project, directory / name, recursive)
            if below is None:
                return None
            found.extend(below)
        elif name.endswith(".js") and not is_directory:
            if link:
                return None
            found.append(directory / name)
    return found


def _load(project: Project, path: PurePosixPath | Path) -> DnsControlDocument | None:
    """A required file, parsed as DNSControl JavaScript; None when it cannot be read."""
    doc = project.parse_as(project.cwd / path, Kind.DNSCONTROL)
    return doc if isinstance(doc, DnsControlDocument) else None


def _creds_types(project: Project, working: PurePosixPath) -> dict[str, str]:
    """Provider name -> ``TYPE`` from ``creds.json`` in the working directory; nothing else of
    the file is kept (it holds credentials, or the names of variables holding them)."""
    data = project.read_bytes(project.cwd / working / "creds.json")
    try:
        parsed = json.loads(json_config(data.decode("utf-8"))) if data is not None else None
    except (ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(parsed, dict):
        return {}
    return {
        name: entry["TYPE"]
        for name, entry in parsed.items()
        if isinstance(entry, dict) and isinstance(entry.get("TYPE"), str)
    }


def json_config(text: str) -> str:
    """``creds.json`` as DNSControl reads it (``pkg/credsfile``, through DisposaBoy's
    JsonConfigReader): comments (``//`` to the end of the line, ``/* … */``) outside strings
    become spaces, and a comma before ``}`` or ``]`` is dropped. Positions are kept."""
    out: list[str] = []
    i, n, in_string = 0, len(text), False
    while i < n:
        c = text[i]
        if in_string:
            step = 2 if c == "\\" else 1
            out.append(text[i : i + step])
            in_string = c != '"'
            i += step
            continue
        end = i + 1
        if text.startswith("//", i):
            newline = text.find("\n", i)
            end = n if newline < 0 else newline
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            end = n if close < 0 else close + 2
        if end > i + 1:
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:end]))
            i = end
            continue
        if c in "}]":
            k = len(out) - 1
            while k >= 0 and out[k].isspace():
                k -= 1
            if k >= 0 and out[k] == ",":
                out[k] = " "
        in_string = c == '"'
        out.append(c)
        i += 1
    return "".join(out)
