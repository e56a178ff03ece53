"""Sigma correlation rules on event time: event_count, value_count, temporal, temporal_ordered.

Each rule keeps one small state per group (the `group-by` values, through `aliases` when the
referenced rules name the entity by different fields). State is bounded: entries older than the
timespan expire as event time advances, each group keeps at most `MAX_ITEMS` entries, and each rule
at most `max_groups` groups (the least recently active are dropped first). After an alert a group
is suppressed for `suppress` (default: the timespan), so a long attack gives one alert per window.
"""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Callable
from itertools import islice
from typing import Any

from sigma.correlations import (
    SigmaCorrelationCondition,
    SigmaCorrelationRule,
    SigmaCorrelationType,
)

from core.alert import MAX_EVIDENCE, Alert
from core.event import Event
from detectors.sigma.meta import RuleMeta, entity_type_for, human_span, render_summary

MAX_ITEMS = 10_000
MAX_CLOCK_STEP = 60.0  # seconds; a steady stream keeps the clock current, a forged jump barely moves it
HISTORY_VALUES = 16  # places remembered per entity for `new_value_of`
_OPS: dict[str, Callable[[int, int], bool]] = {
    "GT": operator.gt, "GTE": operator.ge, "EQ": operator.eq, "LT": operator.lt, "LTE": operator.le,
    "NEQ": operator.ne,
}
SUPPORTED = {
    SigmaCorrelationType.EVENT_COUNT, SigmaCorrelationType.VALUE_COUNT,
    SigmaCorrelationType.TEMPORAL, SigmaCorrelationType.TEMPORAL_ORDERED,
}


class _Group:
    __slots__ = ("items", "last", "latest", "steps", "until")

    def __init__(self) -> None:
        self.items: deque[tuple[float, Any, str]] = deque()  # event_count: (ts, None, event id)
        self.latest: dict[Any, tuple[float, str]] = {}  # value_count/temporal: value -> (ts, event id)
        self.steps: list[tuple[float, list[str]] | None] = []
        self.last = 0.0
        self.until = float("-inf")


class Correlation:
    """One compiled correlation rule; `observe` is called with the base rules an event matched."""

    def __init__(self, rule: SigmaCorrelationRule, meta: RuleMeta, where: str, max_groups: int = 50_000) -> None:
        if rule.type not in SUPPORTED:
            raise ValueError(f"{where}: correlation type {rule.type.name.lower()} is not supported")
        if not isinstance(rule.condition, SigmaCorrelationCondition):
            raise ValueError(f"{where}: extended correlation conditions are not supported")  # noqa: TRY004
        self.meta = meta
        self.kind = rule.type
        self.timespan = float(rule.timespan.seconds)
        self.suppress = meta.suppress_seconds or self.timespan
        self.refs = [ref.reference for ref in rule.rules or []]
        self.op = _OPS[rule.condition.op.name]
        self.threshold = rule.condition.count
        self.value_field = rule.condition.fieldref if isinstance(rule.condition.fieldref, str) else None
        self.group_by = list(rule.group_by or [])
        self.fields = self._resolve_fields(rule)
        self.entity_key = meta.entity_field if meta.entity_field in self.group_by else (
            self.group_by[0] if self.group_by else None)
        self.max_groups = max_groups
        # `mlm.new_value_of` (temporal_ordered): the last step counts only when this field's value is
        # new for the entity, e.g. a login from a country the account never used before.
        self.novel_field: str | None = meta.new_value_of
        self.history: dict[tuple[Any, ...], deque[Any]] = {}
        # An event matching two referenced rules is one event to count, but two steps of a sequence.
        self._counts_events = self.kind in (SigmaCorrelationType.EVENT_COUNT, SigmaCorrelationType.VALUE_COUNT)
        self.groups: dict[tuple[Any, ...], _Group] = {}
        self._next_sweep = float("-inf")
        self._oldest_last = float("inf")  # a lower bound of every group's `last`: sweeps skip when none can be stale
        self._clock = float("-inf")
        # event_count keeps enough events to decide the condition and fill the evidence, never more.
        self.cap = min(MAX_ITEMS, max(self.threshold + 1, MAX_EVIDENCE))
        self._check(where)

    def _check(self, where: str) -> None:
        """Refuse conditions this engine cannot evaluate on a stream, naming the rule."""
        if self._counts_events:
            if self.op not in (operator.gt, operator.ge, operator.eq):
                raise ValueError(f"{where}: count correlations support only gt, gte and eq conditions")
            if self.threshold >= MAX_ITEMS:
                raise ValueError(f"{where}: condition count must be below {MAX_ITEMS}")
        if self.kind == SigmaCorrelationType.VALUE_COUNT and not self.value_field:
            raise ValueError(f"{where}: value_count needs condition.field")

    def _resolve_fields(self, rule: SigmaCorrelationRule) -> dict[str, list[str]]:
        """For each referenced rule, the event field behind each group-by name (aliases resolved)."""
        aliases = {a.alias: {ref.reference: f for ref, f in a.mapping.items()} for a in rule.aliases}
        return {ref: [aliases.get(g, {}).get(ref, g) for g in self.group_by] for ref in self.refs}

    @property
    def used_fields(self) -> set[str]:
        found = {f for fields in self.fields.values() for f in fields}
        return found | {f for f in (self.value_field, self.novel_field) if f}

    def observe(self, matched: list[str], event: Event) -> Alert | None:
        """Advance state with an event that matched the base rules `matched` (in rule order)."""
        ts = event.ts
        # The sweep clock follows event time but moves at most MAX_CLOCK_STEP per event, so one
        # event stamped far in the future cannot expire every group (and hide an attack in progress).
        if ts > self._clock:
            self._clock = ts if self._clock == float("-inf") else min(ts, self._clock + MAX_CLOCK_STEP)
        if self._clock >= self._next_sweep:
            self.sweep(self._clock)
        alert = None
        counted: set[tuple[Any, ...]] = set()
        # Later steps first, so one event matching two steps of a sequence cannot complete both.
        for name in reversed(matched):
            key = self._key(name, event)
            if key is None or (key in counted and self._counts_events):
                continue
            counted.add(key)
            group = self.groups.get(key)
            if group is None:
                if len(self.groups) >= self.max_groups:
                    self._evict(self._clock)
                group = self.groups[key] = _Group()
            group.last = max(group.last, ts)
            self._oldest_last = min(self._oldest_last, group.last)
            fired = self._advance(group, name, event, ts < group.until)
            if self.novel_field and name == self.refs[-1]:
                fired = fired if self._remember(key, event) else None
            if fired is not None and ts >= group.until:
                group.until = ts + self.suppress
                alert = self._alert(name, key, event, fired)
        return alert

    def _key(self, name: str, event: Event) -> tuple[Any, ...] | None:
        flat = event.flat
        key = tuple(flat.get(f) for f in self.fields.get(name, ()))
        if any(v is None or v == "" or isinstance(v, list) for v in key):
            return None
        return key

    def _advance(self, group: _Group, name: str, event: Event, held: bool) -> tuple[int, list[str]] | None:
        """Record the event; (count, evidence ids) when the condition now holds and alerts are not held."""
        if self.kind == SigmaCorrelationType.TEMPORAL_ORDERED:
            return self._ordered(group, name, event)
        if self.kind == SigmaCorrelationType.EVENT_COUNT:
            n = self._count(group, event)
        else:
            value: Any = name  # temporal: the distinct rules seen; value_count: the distinct values
            if self.kind == SigmaCorrelationType.VALUE_COUNT:
                value = event.flat.get(self.value_field or "")
                if value is None or isinstance(value, list):
                    return None
            n = self._distinct(group, value, event)
        if held or not self.op(n, self.threshold):
            return None  # while suppressed, skip building evidence: an attack can fill the window
        if self.kind == SigmaCorrelationType.EVENT_COUNT:
            ids = [i for _, _, i in islice(reversed(group.items), MAX_EVIDENCE)][::-1]
        else:
            ids = [i for _, i in list(group.latest.values())[-MAX_EVIDENCE:]]
        if self.kind == SigmaCorrelationType.TEMPORAL:
            group.latest.clear()
        return n, ids

    def _count(self, group: _Group, event: Event) -> int:
        """event_count: events in the window; only the newest `cap` are kept (enough to decide)."""
        items, horizon = group.items, event.ts - self.timespan
        items.append((event.ts, None, event.id))
        while items and (items[0][0] < horizon or len(items) > self.cap):
            items.popleft()
        return len(items)

    def _distinct(self, group: _Group, value: Any, event: Event) -> int:
        """Distinct values in the window: newest time per value, dict order = recency order."""
        latest, horizon = group.latest, event.ts - self.timespan
        latest.pop(value, None)
        latest[value] = (event.ts, event.id)
        while latest:
            oldest = next(iter(latest))
            if latest[oldest][0] >= horizon and len(latest) <= MAX_ITEMS:
                break
            del latest[oldest]
        return len(latest)

    def _remember(self, key: tuple[Any, ...], event: Event) -> bool:
        """Record the entity's value of `novel_field`; True when it was not seen before (or is absent)."""
        value = event.flat.get(self.novel_field or "")
        if value is None:
            return True
        seen = self.history.pop(key, None)  # re-inserted below: dict order is recency order
        if seen is None:
            seen = deque(maxlen=HISTORY_VALUES)
            if len(self.history) >= self.max_groups:
                del self.history[next(iter(self.history))]
        new = value not in seen
        if new:
            seen.append(value)
        self.history[key] = seen
        return new

    def _ordered(self, group: _Group, name: str, event: Event) -> tuple[int, list[str]] | None:
        """Steps hold (start time, ids) of the newest partial sequence ending at that step."""
        steps = group.steps or [None] * len(self.refs)
        group.steps = steps
        fired = None
        for index in reversed([i for i, ref in enumerate(self.refs) if ref == name]):
            if index == 0:
                steps[0] = (event.ts, [event.id])
                continue
            prev = steps[index - 1]
            if prev is None or event.ts - prev[0] > self.timespan:
                continue
            steps[index] = (prev[0], (prev[1] + [event.id])[-100:])
            if index == len(self.refs) - 1:
                fired = (len(self.refs), steps[index][1])  # type: ignore[index]
                group.steps = [None] * len(self.refs)
                steps = group.steps
        return fired

    def _alert(self, name: str, key: tuple[Any, ...], event: Event, fired: tuple[int, list[str]]) -> Alert:
        count, ids = fired
        values = dict(zip(self.group_by, key))
        entity = values.get(self.entity_key, "") if self.entity_key else event.get("source.ip", "")
        field = self.fields[name][self.group_by.index(self.entity_key)] if self.entity_key else "source.ip"
        summary = render_summary(
            self.meta.summary, entity=entity, count=count, window=human_span(self.timespan),
            title=self.meta.title, **{k.replace(".", "_"): v for k, v in values.items()},
        )
        return Alert(
            rule_id=self.meta.rule_id, rule_name=self.meta.title, category=self.meta.category,
            severity=self.meta.severity, risk_score=self.meta.risk_score,
            entity_type=entity_type_for(self.meta, field), entity_value=str(entity),
            timestamp=event.timestamp, event_ids=ids, summary=summary, tags=list(self.meta.tags),
        )

    def sweep(self, now: float) -> None:
        """Drop groups idle for longer than the window and their suppression."""
        horizon = now - max(self.timespan, self.suppress)
        self._next_sweep = now + max(60.0, self.timespan / 4)
        if self._oldest_last >= horizon:
            return  # no group is idle that long (9 sweeps in 10 on live traffic): skip the scan
        stale = [k for k, g in self.groups.items() if g.last < horizon and g.until <= now]
        for key in stale:
            del self.groups[key]
        self._oldest_last = min((g.last for g in self.groups.values()), default=float("inf"))

    def _evict(self, now: float) -> None:
        """At the group cap: sweep, then drop the least recently active tenth."""
        self.sweep(now)
        if len(self.groups) < self.max_groups:
            return
        oldest = sorted(self.groups, key=lambda k: self.groups[k].last)[: max(1, self.max_groups // 10)]
        for key in oldest:
            del self.groups[key]
