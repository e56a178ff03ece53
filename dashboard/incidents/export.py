"""Incident report as Markdown (the HTML report is a template); every value escaped for Markdown."""

from __future__ import annotations

import re

from dashboard.incidents.schemas import IncidentDetail

_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")
# C0/C1 controls (ANSI escapes, NUL, bell) and bidi overrides: shown as \uXXXX, never passed to a terminal.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def md(text: object) -> str:
    """Escape a value so a Markdown renderer shows it literally (no links, HTML or tables)."""
    flat = _CONTROL_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", " ".join(str(text).split()))
    return _SPECIAL_RE.sub(r"\\\1", flat)


def markdown(inc: IncidentDetail) -> str:
    r = inc.row
    lines = [
        f"# Incident {r.id}: {md(r.title)}",
        "",
        f"- Status: {md(r.status)}",
        f"- Severity: {md(r.severity)}",
        f"- Category: {md(r.category)}",
        f"- Entity: {md(r.entity_type)} {md(r.entity_value)}",
        f"- Assignee: {md(r.assignee or '-')}",
        f"- First seen: {md(r.first_seen)}",
        f"- Last seen: {md(r.last_seen)}",
        f"- Alerts: {r.alert_count}",
        f"- Time to acknowledge: {md(inc.mtta)}",
        f"- Time to resolve: {md(inc.mttr)}",
        "",
        "## Alerts",
        "",
    ]
    lines += [f"- {md(a.ts)} \\[{md(a.severity)}\\] {md(a.rule_name)}: {md(a.summary)}" for a in inc.alerts]
    lines += ["", "## Responses", ""]
    lines += [f"- {md(x.created)} {md(x.action)} {md(x.target)}: {md(x.status)}" for x in inc.responses] or [
        "- none"
    ]
    lines += ["", "## Timeline", ""]
    lines += [f"- {md(t.ts)} {md(t.kind)} {md(t.actor)}: {md(t.text)}" for t in inc.timeline]
    return "\n".join(lines) + "\n"
