"""BIND ``named.conf`` facts: which zone each zone file holds, and where a zone's file is.

A zone stanza ``zone "example.com" { type primary; file "example"; };`` makes a file of any
name the zone ``example.com``: its records are judged by the zone rules with that origin.
A relative ``file`` is relative to ``options { directory "..." }`` of the same configuration
(the file and those it includes). Paths name where files are deployed (``/etc/bind/...``);
they are found in the repository the way a reviewer does: the deployed path mirrored under the
repository root, else its longest tail beside the configuration file that names it. Nothing
outside the repository is read (``Project`` refuses it), and nothing is guessed: a path not
found is unknown. Sources: BIND 9 Administrator Reference Manual, "zone" and "options"
statements, ``include``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from guardrails.documents import NamedConfDocument, NamedStatement, ZoneDocument
from guardrails.model import Kind, ParseError, Span
from guardrails.project import Project

# The zone types whose file is the zone's source: a secondary's (slave's) file is a copy BIND
# writes from its primary, a mirror's too; a hint file is the root's; stub, forward, static-stub,
# redirect and in-view zones hold no records of the zone.
PRIMARY_TYPES = frozenset({"primary", "master"})
# Names a configuration file of BIND takes (besides files it includes, found through them).
_CONF_NAMES = (".conf",)


@dataclass(frozen=True, slots=True)
class ZoneUse:
    """One zone stanza: the zone, its type, the file as written and where it was found."""

    zone: str
    zone_type: str
    written: str
    path: str  # display path of the zone file in the repository; '' when not found there
    conf: str  # display path of the scanned configuration file holding (or including) the stanza
    span: Span

    @property
    def primary(self) -> bool:
        return self.zone_type in PRIMARY_TYPES


def zone_name(text: str) -> str:
    return text.strip().rstrip(".").lower() or "."


def stanzas(doc: NamedConfDocument) -> list[tuple[NamedStatement, str]]:
    """Every ``zone`` statement with a name, at the top level or in a ``view`` (with its view)."""
    found: list[tuple[NamedStatement, str]] = []
    for statement in doc.statements:
        keyword = statement.keyword.lower()
        if keyword == "zone" and statement.args and statement.block is not None:
            found.append((statement, ""))
        elif keyword == "view" and statement.args and statement.block is not None:
            view = statement.args[0].text
            found += [(s, view) for s in statement.all("zone") if s.args and s.block is not None]
    return found


def includes(doc: NamedConfDocument) -> list[str]:
    """The paths ``include`` statements name, anywhere in the file."""
    found: list[str] = []
    pending = list(doc.statements)
    while pending:
        statement = pending.pop()
        if statement.keyword.lower() == "include" and statement.args:
            found.append(statement.args[0].text)
        for block in statement.blocks:
            pending.extend(block)
    return found


def directory(doc: NamedConfDocument) -> str | None:
    for options in doc.top("options"):
        value = options.value("directory")
        if value is not None:
            return value.text
    return None


def locate(project: Project, conf: str, written: str, base: str | None) -> Path | None:
    """The repository file a path of the configuration ``conf`` (display path) names: relative
    to ``base`` (the ``directory`` option) when given, else to the configuration's directory;
    a deployed absolute path mirrored under the repository root, else its longest tail found
    beside ``conf``. None when no such file is in the repository."""
    path = PurePosixPath(written)
    if not path.is_absolute() and base:
        path = PurePosixPath(base) / path
    conf_dir = (project.cwd / conf).parent
    if path.is_absolute():
        parts = path.parts[1:]
        candidates = [project.root.joinpath(*parts)] + [conf_dir.joinpath(*parts[i:]) for i in range(len(parts))]
    else:
        candidates = [conf_dir / path]
    for candidate in candidates:
        if ".." not in candidate.parts and project.read_bytes(candidate) is not None:
            return candidate
    return None


def zone_uses(project: Project) -> dict[str, list[ZoneUse]]:
    """Every zone stanza of the repository's BIND configurations, by zone file (display path;
    '' for stanzas whose file was not found), built once per scan."""
    return project.repository_fact(("bind-zone-uses",), lambda: _build(project))


def _build(project: Project) -> dict[str, list[ZoneUse]]:
    docs: dict[str, NamedConfDocument] = {}
    # A file included under a name that says nothing (``zones.rfc1918``) is read as the including
    # file's: its stanzas are reported through the configuration file that was scanned.
    owner: dict[str, str] = {}
    pending: list[tuple[Path, str]] = [(p, "") for p in project.walk(("",)) if _conf_name(p.name)]
    included: set[str] = set()
    while pending:
        path, includer = pending.pop()
        doc = _read(project, path, included_by=includer)
        if doc is None or doc.path in docs:
            continue
        docs[doc.path] = doc
        owner[doc.path] = doc.path if project.document(path) is doc else owner.get(includer, includer)
        for written in includes(doc):
            found = locate(project, doc.path, written, None)
            if found is not None:
                included.add(project.display_of(found))
                pending.append((found, doc.path))
    uses: dict[str, list[ZoneUse]] = {}
    done: set[tuple[str, int]] = set()
    for root in sorted(p for p in docs if p not in included) or sorted(docs):
        members = _closure(project, root, docs)
        base = next((d for d in map(directory, members) if d is not None), None)
        for member in members:
            for statement, _ in stanzas(member):
                if (member.path, statement.span.line) in done:
                    continue
                done.add((member.path, statement.span.line))
                use = _use(project, member, statement, base, owner.get(member.path, member.path))
                uses.setdefault(use.path, []).append(use)
    return uses


def _conf_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(_CONF_NAMES) or (lower.startswith("named") and ".conf" in lower)


def _closure(project: Project, root: str, docs: dict[str, NamedConfDocument]) -> list[NamedConfDocument]:
    """The configuration file ``root`` and every file it includes, transitively."""
    members: dict[str, NamedConfDocument] = {}
    pending = [root]
    while pending:
        path = pending.pop(0)
        doc = docs.get(path)
        if doc is None or path in members:
            continue
        members[path] = doc
        for written in includes(doc):
            found = locate(project, doc.path, written, None)
            if found is not None:
                pending.append(project.display_of(found))
    return list(members.values())


def _read(project: Project, path: Path, included_by: str) -> NamedConfDocument | None:
    """The configuration file at ``path``: as scanned when its name and content say BIND, else,
    when a configuration includes it, parsed here (an included file of any name); None when it is
    not one BIND would load."""
    doc = project.document(path)
    if doc is None and included_by:
        doc = project.parse_as(path, Kind.NAMED_CONF)
    return doc if isinstance(doc, NamedConfDocument) else None


def _use(project: Project, doc: NamedConfDocument, statement: NamedStatement, base: str | None, conf: str) -> ZoneUse:
    zone_type = statement.value("type")
    written = statement.value("file")
    path = locate(project, doc.path, written.text, base) if written is not None else None
    return ZoneUse(
        zone_name(statement.args[0].text),
        zone_type.text.lower() if zone_type is not None else "",
        written.text if written is not None else "",
        project.display_of(path) if path is not None else "",
        conf,
        statement.span,
    )


def zone_documents(doc: ZoneDocument | NamedConfDocument, project: Project) -> list[ZoneDocument]:
    """The zone files to judge for ``doc``. A zone file: itself, with the origin its primary stanza
    gives (none when every stanza naming it is a secondary's, a hint's...). A configuration file:
    the files of its primary zones whose names say no zone (``zones/example``), read with the
    stanza's origin; a file named as a zone (``db.example.com``) is judged as itself."""
    from guardrails.detect import detect
    from guardrails.parsers.zone import parse
    from guardrails.source import HEAD_SIZE

    uses = zone_uses(project)
    if isinstance(doc, ZoneDocument):
        named = uses.get(doc.path, [])
        primary = [u for u in named if u.primary]
        if named and not primary:
            return []
        if not primary or zone_name(doc.origin or "") == primary[0].zone:
            return [doc]
        try:
            return [parse(doc.path, doc.text, Kind.ZONE, primary[0].zone)]
        except ParseError:
            return [doc]
    found: list[ZoneDocument] = []
    for path, listed in sorted(uses.items()):
        mine = [u for u in listed if u.conf == doc.path and u.primary]
        if not path or not mine:
            continue
        text = project.read_as(project.cwd / path, Kind.ZONE)
        if text is None or detect(path, text[:HEAD_SIZE].encode()) is Kind.ZONE:
            continue
        try:
            found.append(parse(path, text, Kind.ZONE, mine[0].zone))
        except ParseError:
            continue  # not a zone file BIND would load: nothing to judge
    return found
