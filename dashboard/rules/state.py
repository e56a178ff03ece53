"""Rule state kept by the dashboard (enabled, suppression) and published for the detectors to read."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.alert import Alert
from core.event import format_timestamp
from dashboard.context import AppContext
from dashboard.models import RuleState


@dataclass(frozen=True, slots=True)
class Suppressions:
    """A snapshot of rule states used while grouping one batch of alerts."""

    disabled: frozenset[str]
    windows: dict[str, tuple[datetime, str | None]]  # rule id -> (until, entity or None for all)

    @classmethod
    def load(cls, ctx: AppContext) -> Suppressions:
        with ctx.db.session() as db:
            rows = db.scalars(select(RuleState)).all()
        return cls(
            frozenset(r.rule_id for r in rows if not r.enabled),
            {r.rule_id: (r.suppressed_until, r.suppress_entity) for r in rows if r.suppressed_until},
        )

    def suppressed(self, alert: Alert, now: datetime) -> bool:
        """A disabled rule's alerts, and alerts inside a suppression window, open no incident."""
        if alert.rule_id in self.disabled:
            return True
        window = self.windows.get(alert.rule_id)
        if window is None or window[0] <= now:
            return False
        return window[1] is None or window[1] == alert.entity_value


def state_document(ctx: AppContext) -> dict[str, Any]:
    """Every rule's state as JSON for detectors: disabled ids and active suppressions."""
    now = ctx.clock()
    with ctx.db.session() as db:
        rows = db.scalars(select(RuleState).order_by(RuleState.rule_id)).all()
        return {
            "generated": format_timestamp(now),
            "disabled": [r.rule_id for r in rows if not r.enabled],
            "suppressions": [
                {
                    "rule_id": r.rule_id,
                    "until": format_timestamp(r.suppressed_until),
                    "entity": r.suppress_entity,
                }
                for r in rows
                if r.suppressed_until and r.suppressed_until > now
            ],
        }


def state_file(ctx: AppContext) -> Path:
    return ctx.settings.resolved_rule_state_file()


def publish(ctx: AppContext) -> None:
    """Rewrite data_dir/rule_state.json atomically (readers never see half a file)."""
    path = state_file(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(state_document(ctx), indent=1), encoding="utf-8")
    os.replace(tmp, path)
