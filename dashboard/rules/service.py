"""The rules page: Sigma rule files' metadata, our enabled/suppression state, hits and last fired."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from core.event import format_timestamp
from dashboard.analysts import audit
from dashboard.analysts.schemas import Principal
from dashboard.context import AppContext
from dashboard.models import AlertRecord, RuleState
from dashboard.rules.state import publish

log = logging.getLogger(__name__)
MAX_SUPPRESS_MINUTES = 30 * 24 * 60


class RuleError(ValueError):
    """A refused rule change."""


@dataclass(frozen=True, slots=True)
class RuleFile:
    id: str
    title: str
    name: str
    level: str
    kind: str  # sigma, correlation
    tags: tuple[str, ...]
    category: str
    description: str
    path: str
    status: str = ""  # Sigma status; a deprecated rule keeps its id but is never run or exported


@dataclass(frozen=True, slots=True)
class RuleRow:
    id: str
    title: str
    level: str
    kind: str
    tags: tuple[str, ...]
    category: str
    enabled: bool
    suppressed_until: str
    suppress_entity: str
    hits: int
    last_fired: str
    path: str
    deprecated: bool = False


def load_rule_files(rules_dir: Path) -> tuple[list[RuleFile], list[str]]:
    """Every rule document under rules_dir (samples excluded); unreadable files are listed, not fatal."""
    rules: list[RuleFile] = []
    problems: list[str] = []
    if not rules_dir.is_dir():
        return rules, problems
    for path in sorted(rules_dir.rglob("*.y*ml")):
        if "samples" in path.relative_to(rules_dir).parts:
            continue
        try:
            docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(d, dict)]
        except (OSError, yaml.YAMLError) as exc:
            problems.append(f"{path.name}: {type(exc).__name__}")
            continue
        rules.extend(_rule(d, path.relative_to(rules_dir)) for d in docs if d.get("id") and d.get("title"))
    return rules, problems


def _rule(doc: dict[str, Any], path: Path) -> RuleFile:
    mlm: dict[str, Any] = doc["mlm"] if isinstance(doc.get("mlm"), dict) else {}
    tags: list[Any] = doc["tags"] if isinstance(doc.get("tags"), list) else []
    return RuleFile(
        str(doc["id"]),
        str(doc["title"]),
        str(doc.get("name", "")),
        str(doc.get("level", "")),
        "correlation" if "correlation" in doc else "sigma",
        tuple(str(t) for t in tags),
        str(mlm.get("category", "")),
        str(doc.get("description", "")),
        str(path),
        str(doc.get("status", "")),
    )


def cached_rule_files(ctx: AppContext) -> tuple[list[RuleFile], list[str]]:
    """Rule files, re-parsed only when a file is added, removed or changed (pages refresh often)."""
    folder = Path(ctx.settings.rules_dir)
    files = sorted(folder.rglob("*.y*ml")) if folder.is_dir() else []
    signature = tuple((str(f), f.stat().st_mtime_ns) for f in files)
    cached = ctx.cache.get("rule_files")
    if not isinstance(cached, tuple) or cached[0] != signature:
        cached = (signature, load_rule_files(folder))
        ctx.cache["rule_files"] = cached
    rules, problems = cached[1]
    return list(rules), list(problems)


def rule_rows(ctx: AppContext) -> tuple[list[RuleRow], list[str]]:
    """Rule files joined with state and alert statistics; rules that fired without a file are listed too."""
    files, problems = cached_rule_files(ctx)
    now = ctx.clock()
    with ctx.db.session() as db:
        states = {s.rule_id: s for s in db.scalars(select(RuleState))}
        stats = {
            r[0]: (r[1], r[2], r[3])
            for r in db.execute(
                select(
                    AlertRecord.rule_id,
                    func.count(),
                    func.max(AlertRecord.ts),
                    func.max(AlertRecord.rule_name),
                ).group_by(AlertRecord.rule_id)
            )
        }
    known = {f.id for f in files}
    files += [
        RuleFile(rid, name or rid, "", "", "model", (), "", "", "")
        for rid, (_, _, name) in stats.items()
        if rid not in known
    ]
    rows = [_row(f, states.get(f.id), stats.get(f.id, (0, None, "")), now) for f in files]
    return rows, problems


def _row(f: RuleFile, state: RuleState | None, stat: tuple[Any, ...], now: datetime) -> RuleRow:
    """One rule's row: file metadata, our state (suppression only while active) and its hits."""
    hits, last, _ = stat
    until = state.suppressed_until if state is not None else None
    active = state is not None and until is not None and until > now
    return RuleRow(
        f.id,
        f.title,
        f.level,
        f.kind,
        f.tags,
        f.category,
        state.enabled if state else True,
        format_timestamp(until) if until is not None and active else "",
        (state.suppress_entity or "") if state is not None and active else "",
        hits,
        format_timestamp(last) if last else "",
        f.path,
        f.status == "deprecated",
    )


def _state(db: Any, rule_id: str) -> RuleState:
    state = db.get(RuleState, rule_id)
    if state is None:
        state = RuleState(rule_id=rule_id, enabled=True)
        db.add(state)
    return state


def set_enabled(ctx: AppContext, who: Principal, rule_id: str, enabled: bool) -> None:
    if not rule_id or len(rule_id) > 128:
        raise RuleError("bad rule id")
    with ctx.db.session() as db:
        state = _state(db, rule_id)
        state.enabled, state.updated_by, state.updated_at = enabled, who.username, ctx.clock()
    publish(ctx)
    audit.record_by(ctx, who, "rule_enabled" if enabled else "rule_disabled", f"rule:{rule_id}")


def suppress(ctx: AppContext, who: Principal, rule_id: str, minutes: int, entity: str, reason: str) -> None:
    """Hold a rule's alerts out of incidents for a while, for one entity or for all."""
    if not rule_id or len(rule_id) > 128 or not 0 <= minutes <= MAX_SUPPRESS_MINUTES:
        raise RuleError("bad suppression")
    now: datetime = ctx.clock()
    with ctx.db.session() as db:
        state = _state(db, rule_id)
        state.suppressed_until = now + timedelta(minutes=minutes) if minutes else None
        state.suppress_entity = entity[:256] or None
        state.reason, state.updated_by, state.updated_at = reason[:512], who.username, now
    publish(ctx)
    audit.record_by(
        ctx,
        who,
        "rule_suppressed" if minutes else "rule_unsuppressed",
        f"rule:{rule_id}",
        f"minutes={minutes} entity={entity[:256]} reason={reason[:200]}",
    )
