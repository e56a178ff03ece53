"""Expand the rule pack's sample files (detectors/rules/samples/*.yml) into timed event sequences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import yaml
from builders import T0

from core.event import Event, format_timestamp, nest
from detectors.sigma import PACKAGED_RULES

SAMPLES = PACKAGED_RULES / "samples"
BASE = {
    "event.kind": "event", "event.dataset": "mlm.auth", "event.action": "login",
    "event.category": ["authentication"], "event.type": ["start"], "event.outcome": "success",
    "service.name": "mlm_app", "source.ip": "203.0.113.10", "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64)",
}


@dataclass
class Case:
    file: str
    rule: str
    name: str
    match: bool
    alerts: int
    entity: str | None
    events: list[dict[str, Any]]

    @property
    def id(self) -> str:
        return f"{self.file}:{self.name}"


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(SAMPLES.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text()) or []:
            cases.append(Case(
                file=path.stem, rule=str(raw["rule"]), name=raw["name"], match=bool(raw["match"]),
                alerts=int(raw.get("alerts", 1 if raw["match"] else 0)),
                entity=None if raw.get("entity") is None else str(raw["entity"]), events=raw["events"],
            ))
    return cases


def expand(case: Case) -> list[Event]:
    """Entries run one after another (or at `at` seconds); `repeat` times, `every` seconds apart."""
    events: list[Event] = []
    clock = 0.0
    for entry in case.events:
        clock = float(entry.get("at", clock))
        every = float(entry.get("every", 1))
        for i in range(int(entry.get("repeat", 1))):
            flat = dict(BASE)
            for key, value in (entry.get("set") or {}).items():
                flat[key] = value.format(i=i) if isinstance(value, str) else value
            flat["@timestamp"] = format_timestamp(T0 + timedelta(seconds=clock))
            flat["event.id"] = f"{case.file}-{len(events):04d}"
            events.append(Event.from_dict(nest(flat)))
            clock += every
    return events
