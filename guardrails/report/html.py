"""A self-contained HTML audit (``-f html:FILE``): one file to attach to a ticket, read offline.

Everything is inline (CSS, the SVG chart, a little JavaScript for the filters) and a Content
Security Policy forbids loading anything else, so opening it fetches nothing. With JavaScript
off every finding is on the page: the script only hides what the filters leave out, and
printing shows every finding whatever the filters say. Text from scanned files (paths,
messages, code) is escaped; code frames come from ``frame``, which never quotes a secret.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from guardrails import __version__
from guardrails.model import Category, Finding, Severity
from guardrails.report import Report
from guardrails.report.frame import frame, secret_lines
from guardrails.report.grouping import (
    SEVERITIES,
    by_file,
    by_rule,
    lesson_counts,
    plural,
    related_places,
    severity_totals,
    skipped_reasons,
    suppressed,
    visible,
)

COLOURS = {
    Severity.CRITICAL: "#a61b1b",
    Severity.HIGH: "#d9480f",
    Severity.MEDIUM: "#b7791f",
    Severity.LOW: "#1c7ed6",
    Severity.INFO: "#6b7280",
}
_CHART_LABEL = 230  # width of the lesson names left of the bars
_CHART_BARS = 420
_CHART_ROW = 30


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _prose(text: str) -> str:
    """A rule's own text (fix, incident): its `code` spans as <code>, everything escaped."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code span to keep
        return esc(text)
    return "".join(esc(part) if i % 2 == 0 else f"<code>{esc(part)}</code>" for i, part in enumerate(parts))


def _link(url: str, text: str) -> str:
    """A link to a rule's incident source; only web addresses become links."""
    if url.startswith(("https://", "http://")):
        return f'<a href="{esc(url)}" rel="noreferrer noopener">{text}</a>'
    return text


def _badge(severity: Severity) -> str:
    return f'<span class="sev sev-{severity.label}">{severity.label}</span>'


def _chart(shown: list[Finding]) -> str:
    """Findings per lesson as horizontal bars stacked by severity, in inline SVG."""
    rows = lesson_counts(shown)
    if not rows:
        return '<p class="none">No findings.</p>'
    widest = max(sum(row) for _, row in rows)
    height = _CHART_ROW * (len(rows) + 1) + 10
    width = _CHART_LABEL + _CHART_BARS + 60
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="chart-title">',
        '<title id="chart-title">Findings by lesson and severity</title>',
    ]
    x = _CHART_LABEL
    for severity in SEVERITIES:  # the legend
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{COLOURS[severity]}"/>'
            f'<text x="{x + 16}" y="16" class="legend">{severity.label}</text>'
        )
        x += 80
    for index, (category, row) in enumerate(rows):
        y = _CHART_ROW * (index + 1) + 4
        parts.append(
            f'<text x="{_CHART_LABEL - 8}" y="{y + 15}" text-anchor="end" class="lesson">{esc(category.value)}</text>'
        )
        x = _CHART_LABEL
        for severity, count in zip(SEVERITIES, row, strict=True):
            if not count:
                continue
            w = max(2.0, count / widest * _CHART_BARS)
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y}" width="{w:.1f}" height="20" fill="{COLOURS[severity]}" '
                f'data-lesson="{esc(category.value)}" data-severity="{severity.label}">'
                f"<title>{esc(category.value)}: {plural(count, severity.label + ' finding')}</title></rect>"
            )
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 15}" class="total">{sum(row)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _counts_table(shown: list[Finding]) -> str:
    """The chart's numbers as a table (for screen readers, copying, and print)."""
    head = "".join(f"<th>{s.label}</th>" for s in SEVERITIES)
    body = "".join(
        f"<tr><th>{esc(category.value)}</th>" + "".join(f"<td>{n}</td>" for n in row) + f"<td>{sum(row)}</td></tr>"
        for category, row in lesson_counts(shown)
    )
    totals = "".join(f"<td>{n}</td>" for n in severity_totals(shown))
    return (
        f'<table class="counts"><thead><tr><th>lesson</th>{head}<th>total</th></tr></thead><tbody>{body}</tbody>'
        f"<tfoot><tr><th>total</th>{totals}<td>{len(shown)}</td></tr></tfoot></table>"
    )


def _where(files: dict[str, list[Finding]]) -> str:
    """Each file with findings, the most first, with a bar as long as its count (a heat list)."""
    if not files:
        return ""
    most = max(len(group) for group in files.values())
    rows = []
    for index, (path, group) in enumerate(files.items()):
        worst = max(f.severity for f in group)
        share = len(group) / most * 100
        rows.append(
            f'<tr><td class="path"><a href="#file-{index}">{esc(path)}</a></td>'
            f'<td class="num">{len(group)}</td><td class="heat"><span style="width:{share:.0f}%;'
            f'background:{COLOURS[worst]}" title="worst: {worst.label}"></span></td></tr>'
        )
    return (
        '<div class="scroll"><table class="where"><thead><tr><th>file</th><th>findings</th><th>worst severity</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _code_frame(f: Finding, source: str, secrets: frozenset[int]) -> str:
    lines = frame(f, source, secrets)
    if not lines:
        return ""
    width = len(str(lines[-1].number))
    body = "".join(
        f'<span class="line{" hit" if line.reported else ""}"><span class="ln">{line.number:>{width}}</span>'
        f"{esc(line.text)}</span>"
        for line in lines
    )
    return f'<pre class="frame"><code>{body}</code></pre>'


def _finding(f: Finding, index: int, source: str, secrets: frozenset[int]) -> str:
    where = f"{f.path}:{f.span.line}:{f.span.column}"
    related = related_places(f)
    parts = [
        f'<article class="finding" id="finding-{index}" data-lesson="{esc(f.category.value)}" '
        f'data-severity="{f.severity.label}" data-path="{esc(f.path)}">',
        f"<h4>{_badge(f.severity)} <span class=rule>{esc(f.rule_id)} {esc(f.rule_name)}</span> "
        f'<span class="loc">{esc(where)}</span></h4>',
        f'<p class="msg">{esc(f.message)}</p>',
        _code_frame(f, source, secrets),
    ]
    if related:
        items = "".join(f"<li>at <code>{esc(w)}</code>{': ' + esc(what) if what else ''}</li>" for w, what in related)
        parts.append(f'<ul class="related">{items}</ul>')
    parts.append(f'<p class="fix"><b>Fix:</b> {_prose(f.remediation)}</p>')
    if f.incident is not None:
        title = _link(f.incident.url, _prose(f.incident.title))
        parts.append(f'<p class="why"><b>Incident:</b> {title} ({esc(f.incident.date)})</p>')
    parts.append(f'<p class="lesson">Lesson: {esc(f.category.value)}</p></article>')
    return "".join(parts)


def _findings(files: dict[str, list[Finding]], sources: dict[str, str], secrets: dict[str, frozenset[int]]) -> str:
    sections = []
    number = 0
    for index, (path, group) in enumerate(files.items()):
        items = []
        for f in group:
            items.append(_finding(f, number, sources.get(path, ""), secrets.get(path, frozenset())))
            number += 1
        sections.append(
            f'<section class="file" id="file-{index}" data-path="{esc(path)}"><h3>{esc(path)} '
            f'<span class="count">{plural(len(group), "finding")}</span></h3>{"".join(items)}</section>'
        )
    return "".join(sections)


def _filters(shown: list[Finding]) -> str:
    """The filter form; hidden until the script shows it (without JavaScript it could do nothing)."""
    lessons = sorted({f.category for f in shown}, key=list(Category).index)
    severities = [s for s in SEVERITIES if any(f.severity is s for f in shown)]
    lesson_options = "".join(f'<option value="{esc(c.value)}">{esc(c.value)}</option>' for c in lessons)
    severity_options = "".join(f'<option value="{s.label}">{s.label}</option>' for s in severities)
    return (
        '<form id="filters" class="filters" hidden role="search">'
        f'<label>Lesson <select name="lesson"><option value="">all</option>{lesson_options}</select></label>'
        f'<label>Severity <select name="severity"><option value="">all</option>{severity_options}</select></label>'
        '<label>Path <input name="path" type="text" placeholder="part of a path"></label>'
        '<label>Search <input name="q" type="search" placeholder="rule, message, fix…"></label>'
        '<button type="reset">Clear</button> <output id="shown" aria-live="polite"></output></form>'
    )


def _table(findings: Iterable[Finding], reasons: bool = False) -> str:
    """Findings outside the gate (suppressed, with their reason; baselined): a row each, no code frame."""
    rows = []
    for f in findings:
        reason = f"<td>{esc(f.suppressed)}</td>" if reasons else ""
        rows.append(
            f'<tr><td class="path">{esc(f.path)}:{f.span.line}</td><td>{esc(f.rule_id)}</td>'
            f"<td>{_badge(f.severity)}</td><td>{esc(f.message)}</td>{reason}</tr>"
        )
    head = "<th>location</th><th>rule</th><th>severity</th><th>message</th>" + ("<th>reason</th>" if reasons else "")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _apart(report: Report) -> str:
    """Suppressed and baselined findings, stale baseline entries and skipped files: each listed."""
    result = report.result
    parts = []
    quiet = suppressed(result)
    if quiet:
        parts.append(
            f'<section id="suppressed"><h2>Suppressed ({len(quiet)})</h2><p>Excused by an inline directive or '
            f"annotation, with its reason; not counted above and not gating.</p>{_table(quiet, reasons=True)}</section>"
        )
    if result.baselined_findings:
        parts.append(
            f'<section id="baselined"><h2>Baselined ({len(result.baselined_findings)})</h2><p>Accepted debt '
            f"recorded in the baseline file; not counted above and not gating.</p>"
            f"{_table(result.baselined_findings)}</section>"
        )
    if result.stale_baseline:
        items = "".join(
            f"<li><code>{esc(e['path'])}</code>: {esc(e['rule_id'])} {esc(e['anchor'])}</li>"
            for e in result.stale_baseline
        )
        parts.append(
            f'<section id="stale"><h2>Stale baseline entries ({len(result.stale_baseline)})</h2>'
            f"<p>They match no finding any more: remove them from the baseline.</p><ul>{items}</ul></section>"
        )
    if result.skipped:
        counted = ", ".join(f"{n} {esc(reason)}" for reason, n in skipped_reasons(result))
        rows = "".join(
            f'<tr><td class="path">{esc(s.path)}</td><td>{esc(s.reason)}</td><td>{esc(s.detail)}</td></tr>'
            for s in result.skipped
        )
        parts.append(
            f'<section id="skipped"><h2>Skipped files ({len(result.skipped)})</h2><p>Seen but not analysed '
            f"({counted}).</p><table><thead><tr><th>file</th><th>reason</th><th>detail</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>"
        )
    return "".join(parts)


def _header(report: Report, shown: list[Finding]) -> str:
    result = report.result
    commit = esc(report.commit) if report.commit else "unknown (not a git checkout)"
    rule_ids = ", ".join(esc(r.id) for r in report.rules)
    ruleset = (
        f"<details><summary>{plural(len(report.rules), 'rule')}</summary>{rule_ids}</details>"
        if report.rules
        else "the default rules"
    )
    failing = sum(f.severity >= report.fail_on for f in shown)
    verdict = "fails" if failing or result.internal_errors else "passes"
    facts = [
        ("Repository", esc(report.repository or "unknown")),
        ("Commit", f"<code>{commit}</code>"),
        ("Scanned", esc(report.date or "unknown")),
        ("Tool", f"guardrails {esc(__version__)}"),
        ("Rule set", ruleset),
        ("Gate", f"{verdict}: {failing} at or above <b>{report.fail_on.label}</b>"),
    ]
    listed = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)
    summary = (
        f"{plural(len(shown), 'finding')} in {plural(result.files_scanned, 'file')} scanned"
        + (f", {len(suppressed(result))} suppressed" if suppressed(result) else "")
        + (f", {result.baselined} baselined" if result.baselined else "")
        + (f", {plural(len(result.skipped), 'file')} skipped" if result.skipped else "")
        + (f", {plural(result.internal_errors, 'internal error')} (GR000)" if result.internal_errors else "")
        + (f", {result.hidden} below --severity not shown" if result.hidden else "")
    )
    return (
        f'<header><h1>guardrails audit: {esc(report.repository or "repository")}</h1><dl class="facts">{listed}'
        f'</dl><p class="summary">{summary}.</p></header>'
    )


def _rules(shown: list[Finding]) -> str:
    """Each rule that reported, once: its count, lesson and incident (the index a reader scans first)."""
    rows = []
    for rule_id, group in by_rule(shown).items():
        first = group[0]
        incident = _link(first.incident.url, _prose(first.incident.title)) if first.incident else ""
        rows.append(
            f"<tr><td>{esc(rule_id)}</td><td>{esc(first.rule_name)}</td><td>{esc(first.category.value)}</td>"
            f'<td class="num">{len(group)}</td><td>{incident}</td></tr>'
        )
    return (
        "<table><thead><tr><th>rule</th><th>name</th><th>lesson</th><th>findings</th><th>incident</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def render(report: Report) -> str:
    shown = visible(report.result)
    files = by_file(shown)
    body = [_header(report, shown), '<main><section id="summary"><h2>Summary</h2>', _chart(shown)]
    if shown:
        body += [_counts_table(shown), '</section><section id="where"><h2>Where</h2>', _where(files)]
        body += [
            f'</section><section id="findings"><h2>Findings ({len(shown)})</h2>',
            _filters(shown),
            _findings(files, report.sources, secret_lines(report.result.findings)),
            f'</section><section id="rules"><h2>Rules that reported ({len(by_rule(shown))})</h2>',
            _rules(shown),
        ]
    body += ["</section>", _apart(report), "</main>"]
    title = f"guardrails audit: {report.repository or 'repository'}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="guardrails {esc(__version__)}">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head>\n<body>"
        + "\n".join(body)
        + f"\n<script>{_JS}</script></body></html>\n"
    )


_CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);
margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:26px;margin:0 0 12px}
h2{font-size:20px;border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:32px}
h3{font-size:16px;margin:20px 0 8px}h4{font-size:15px;margin:0 0 6px;font-weight:600}
code,pre,.path,.loc{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
details summary{cursor:pointer}
.summary{font-size:16px;font-weight:600}
table{border-collapse:collapse;margin:8px 0;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
thead th{background:var(--soft)}td.num,.counts td{text-align:right}
table.counts{width:auto}.counts td{min-width:64px}
#rules td:nth-child(-n+3){white-space:nowrap}
.chart{max-width:100%;height:auto;display:block;margin:8px 0}
.chart text{font-size:13px;fill:var(--fg)}.chart .bar{cursor:pointer}
.where td.heat{width:40%}.where td.heat span{display:block;height:12px;border-radius:2px;min-width:3px}
.where td.path{word-break:break-all}
.scroll{max-height:440px;overflow-y:auto;border-bottom:1px solid var(--line)}
.scroll thead th{position:sticky;top:0}
td.path{min-width:12em}
.sev{display:inline-block;color:#fff;border-radius:3px;padding:0 6px;font-size:12px;font-weight:600;
text-transform:uppercase;letter-spacing:.02em}
.sev-critical{background:#a61b1b}.sev-high{background:#d9480f}.sev-medium{background:#b7791f}
.sev-low{background:#1c7ed6}.sev-info{background:#6b7280}
.file h3{background:var(--soft);padding:6px 10px;border:1px solid var(--line);border-radius:4px;
font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.file h3 .count{font-family:system-ui,sans-serif;font-weight:400;color:var(--muted);font-size:13px}
.finding{border:1px solid var(--line);border-left:4px solid var(--muted);border-radius:4px;padding:10px 14px;
margin:8px 0 12px}
.finding[data-severity=critical]{border-left-color:#a61b1b}.finding[data-severity=high]{border-left-color:#d9480f}
.finding[data-severity=medium]{border-left-color:#b7791f}.finding[data-severity=low]{border-left-color:#1c7ed6}
.finding .rule{font-weight:600}.finding .loc{color:var(--muted);font-weight:400;margin-left:6px}
.finding p{margin:6px 0}.finding .lesson{color:var(--muted);font-size:13px}
.frame{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:6px 0;overflow-x:auto;margin:8px 0}
.frame .line{display:block;padding:0 10px;white-space:pre}.frame .hit{background:#fff1c2}
.frame .ln{display:inline-block;color:var(--muted);margin-right:14px;user-select:none;text-align:right}
.related{margin:4px 0;padding-left:20px;font-size:14px}
.filters{position:sticky;top:0;z-index:1;background:var(--bg);border-bottom:1px solid var(--line);padding:8px 0;
display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center}
.filters input,.filters select,.filters button{font:inherit;padding:2px 6px}
.filters output{color:var(--muted)}
.none{color:var(--muted)}
@media print{
body{max-width:none;padding:0;font-size:11pt}
.filters{display:none!important}
.finding[hidden],.file[hidden]{display:block!important}
.finding,.where tr,.chart{break-inside:avoid}
h2,h3{break-after:avoid}
a{color:inherit}.why a::after{content:" (" attr(href) ")";font-size:9pt;word-break:break-all}
.sev,.frame .hit,.where td.heat span{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.frame{overflow:visible}.frame .line{white-space:pre-wrap}.scroll{max-height:none;overflow:visible}
}
"""

_JS = """
(function () {
  var form = document.getElementById("filters");
  if (!form) return;
  form.hidden = false;
  var items = Array.prototype.slice.call(document.querySelectorAll("#findings .finding"));
  var files = Array.prototype.slice.call(document.querySelectorAll("#findings .file"));
  var output = document.getElementById("shown");
  var text = items.map(function (el) { return el.textContent.toLowerCase(); });
  function apply() {
    var lesson = form.elements.lesson.value, severity = form.elements.severity.value;
    var path = form.elements.path.value.toLowerCase(), query = form.elements.q.value.toLowerCase().trim();
    var shown = 0;
    items.forEach(function (el, i) {
      var ok = (!lesson || el.dataset.lesson === lesson) && (!severity || el.dataset.severity === severity) &&
        (!path || el.dataset.path.toLowerCase().indexOf(path) >= 0) && (!query || text[i].indexOf(query) >= 0);
      el.hidden = !ok;
      if (ok) shown++;
    });
    files.forEach(function (el) { el.hidden = !el.querySelector(".finding:not([hidden])"); });
    output.textContent = shown + " of " + items.length + " findings shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  Array.prototype.forEach.call(document.querySelectorAll(".chart .bar"), function (bar) {
    bar.addEventListener("click", function () {
      form.elements.lesson.value = bar.getAttribute("data-lesson");
      form.elements.severity.value = bar.getAttribute("data-severity");
      apply();
      form.scrollIntoView();
    });
  });
  apply();
})();
"""
