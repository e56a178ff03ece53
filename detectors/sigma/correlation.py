"""Sigma correlation rules on event time: event_count, value_count, temporal, temporal_ordered.

Each rule keeps one small state per group (the `group-by` values, through `aliases` when the
referenced rules name the entity by different fields). State is bounded: entries older than the
timespan expire as event time advances, each group keeps at most `MAX_ITEMS` entries, and each rule
at most `max_groups` groups (the least recently active are dropped first). After an alert a group
is suppressed for `suppress` (default: the timespan), so a long attack gives one alert per window.
"""

from __future__ import annotations

import operator
from collections import OrderedDict, deque
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
SWEEP_EVERY = 300.0  # seconds of event time between sweeps of one rule, at least
KNOWN = "@known_from"  # the reference name under which `known_from` rules feed a correlation
HISTORY_VALUES = 16  # places remembered per entity for `new_value_of`
_OPS: dict[str, Callable[[int, int], bool]] = {
    "GT": operator.gt, "GTE": operator.ge, "EQ": operator.eq, "LT": operator.lt, "LTE": operator.le,
    "NEQ": operator.ne,
}
SUPPORTED = {
    SigmaCorrelationType.EVENT_COUNT, SigmaCorrelationType.VALUE_COUNT,
    SigmaCorrelationType.TEMPORAL, SigmaCorrelationType.TEMPORAL_ORDERED,
}


_NO_ITEMS: deque[tuple[float, Any, str]] = deque(maxlen=0)  # shared, always empty
_NO_LATEST: dict[Any, tuple[float, str]] = {}  # shared, never written: the type does not use it


class _Group:
    __slots__ = ("items", "last", "latest", "steps", "until")

    def __init__(self, counts: bool, distinct: bool) -> None:
        # Only what the rule's type uses is allocated: a stuffing run opens a group per typed name.
        self.items: deque[tuple[float, Any, str]] = deque() if counts else _NO_ITEMS  # event_count: (ts, None, id)
        self.latest: dict[Any, tuple[float, str]] = {} if distinct else _NO_LATEST  # value -> (ts, event id)
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
        self.feed_order = [*self.refs, KNOWN]  # how the names of several rules an event matched are ordered
        self.op = _OPS[rule.condition.op.name]
        self.threshold = rule.condition.count
        self.value_field = rule.condition.fieldref if isinstance(rule.condition.fieldref, str) else None
        self.group_by = list(rule.group_by or [])
        self.fields = self._resolve_fields(rule)
        self.entity_key = meta.entity_field if meta.entity_field in self.group_by else (
            self.group_by[0] if self.group_by else None)
        self.max_groups = max_groups
        # `mlm.new_value_of` (temporal_ordered): the last step counts only when these fields' values are
        # all new for the entity, e.g. a login from a country the account never used before.
        self.novel_fields: list[str] = meta.new_value_of
        self.novel_field: str | None = self.novel_fields[0] if self.novel_fields else None
        # entity -> field -> {value: first seen}; fed by the last step and by the `known_from` rules' events
        self.history: OrderedDict[tuple[Any, ...], dict[str, dict[Any, float]]] = OrderedDict()
        # An event matching two referenced rules is one event to count, but two steps of a sequence.
        self._counts_events = self.kind in (SigmaCorrelationType.EVENT_COUNT, SigmaCorrelationType.VALUE_COUNT)
        # Groups in order of last activity (touched ones move to the end): sweeps stop at the first fresh
        # one. An OrderedDict, not a dict: a dict keeps a hole per entry moved or dropped until it grows
        # again, and every sweep would scan those holes (a stuffing run leaves thousands).
        self.groups: OrderedDict[tuple[Any, ...], _Group] = OrderedDict()
        self._next_sweep = float("-inf")
        self._clock = float("-inf")
        # event_count keeps enough events to decide the condition and fill the evidence, never more.
        self.cap = min(MAX_ITEMS, max(self.threshold + 1, MAX_EVIDENCE))
        self._check(where)
        self._prepare()

    def _prepare(self) -> None:
        """What the per-event path needs, decided once from the rule."""
        # Only the first step opens a sequence group; any referenced rule opens a count group.
        ordered = self.kind == SigmaCorrelationType.TEMPORAL_ORDERED
        self._starters = frozenset(self.refs[:1] if ordered else self.refs)
        self._keyers = {ref: _keyer(fields) for ref, fields in self.fields.items()}
        self._keyers[KNOWN] = _keyer(self.group_by)  # `known_from` rules name the entity by the group-by fields
        self._distinct_field = self.value_field if self.kind == SigmaCorrelationType.VALUE_COUNT else None
        self._novel_step = self.refs[-1] if self.novel_field and self.refs else None  # the step judged by novelty
        self._shape = (self.kind == SigmaCorrelationType.EVENT_COUNT,
                       self.kind in (SigmaCorrelationType.VALUE_COUNT, SigmaCorrelationType.TEMPORAL))
        self._advance = {  # chosen once: the per-event path never tests the type
            SigmaCorrelationType.EVENT_COUNT: self._advance_count, SigmaCorrelationType.VALUE_COUNT: self._advance_values,
            SigmaCorrelationType.TEMPORAL: self._advance_values, SigmaCorrelationType.TEMPORAL_ORDERED: self._ordered,
        }[self.kind]

    def _check(self, where: str) -> None:
        """Refuse conditions this engine cannot evaluate on a stream, naming the rule."""
        if self._counts_events:
            if self.op not in (operator.gt, operator.ge, operator.eq):
                raise ValueError(f"{where}: count correlations support only gt, gte and eq conditions")
            if self.threshold >= MAX_ITEMS:
                raise ValueError(f"{where}: condition count must be below {MAX_ITEMS}")
        if self.kind == SigmaCorrelationType.VALUE_COUNT and not self.value_field:
            raise ValueError(f"{where}: value_count needs condition.field")
        if self.meta.known_from and not (self.novel_field and self.kind == SigmaCorrelationType.TEMPORAL_ORDERED):
            raise ValueError(f"{where}: mlm.known_from teaches mlm.new_value_of of a temporal_ordered rule only")
        if self.novel_field and self.kind != SigmaCorrelationType.TEMPORAL_ORDERED:
            raise ValueError(f"{where}: mlm.new_value_of applies to temporal_ordered rules only")

    def _resolve_fields(self, rule: SigmaCorrelationRule) -> dict[str, list[str]]:
        """For each referenced rule, the event field behind each group-by name (aliases resolved)."""
        aliases = {a.alias: {ref.reference: f for ref, f in a.mapping.items()} for a in rule.aliases}
        return {ref: [aliases.get(g, {}).get(ref, g) for g in self.group_by] for ref in self.refs}

    @property
    def used_fields(self) -> set[str]:
        found = {f for fields in self.fields.values() for f in fields}
        return found | set(self.novel_fields) | ({self.value_field} if self.value_field else set())

    def observe(self, matched: list[str], event: Event) -> Alert | None:
        """Advance state with an event that matched the base rules `matched` (in rule order)."""
        ts = event.ts
        # The sweep clock follows event time but moves at most MAX_CLOCK_STEP per event, so one
        # event stamped far in the future cannot expire every group (and hide an attack in progress).
        if ts > self._clock:
            self._clock = ts if self._clock == float("-inf") else min(ts, self._clock + MAX_CLOCK_STEP)
        if self._clock >= self._next_sweep:
            self.sweep(self._clock)
        if len(matched) == 1:  # nearly every event: one referenced rule matched
            name = matched[0]
            key = self._keyers[name](event.flat)
            return None if key is None else self._step(name, key, event, ts)
        alert = None
        counted: set[tuple[Any, ...]] = set()
        # Later steps first, so one event matching two steps of a sequence cannot complete both.
        for name in reversed(matched):
            if name == KNOWN:  # teaches only, and not twice: the judged step records its own value
                key = self._keyers[name](event.flat)
                if key is not None and self._novel_step not in matched:
                    self._remember(key, event)
                continue
            key = self._keyers[name](event.flat)
            if key is None or (key in counted and self._counts_events):
                continue
            counted.add(key)
            alert = self._step(name, key, event, ts) or alert
        return alert

    def _step(self, name: str, key: tuple[Any, ...], event: Event, ts: float) -> Alert | None:
        """One referenced rule's match for one group: record it, alert when the condition holds."""
        if name == KNOWN:  # an event of a `known_from` rule: it only teaches the entity's values
            self._remember(key, event)
            return None
        groups = self.groups
        group = groups.get(key)
        if group is not None:
            groups.move_to_end(key)  # the most recently active go last
        else:
            if name not in self._starters:  # a later step of a sequence never started: only history moves
                if name == self._novel_step:
                    self._remember(key, event)
                return None
            if len(groups) >= self.max_groups:
                self._evict(self._clock)
            group = groups[key] = _Group(*self._shape)
        if ts > group.last:  # noqa: PLR1730 - the hot path: no builtin call
            group.last = ts
        fired = self._advance(group, name, event, ts < group.until)
        if name == self._novel_step:
            fired = fired if self._remember(key, event) else None
        if fired is not None and ts >= group.until:
            group.until = ts + self.suppress
            return self._alert(name, key, event, fired)
        return None

    def _advance_count(self, group: _Group, name: str, event: Event, held: bool) -> tuple[int, list[str]] | None:
        """event_count: record the event; (count, evidence ids) when the condition holds and is not held.

        Only the newest `cap` events are kept: enough to decide and to fill the evidence.
        """
        items, ts = group.items, event.ts
        items.append((ts, None, event.flat["event.id"]))
        horizon = ts - self.timespan
        while items and (items[0][0] < horizon or len(items) > self.cap):
            items.popleft()
        n = len(items)
        if held or not self.op(n, self.threshold):
            return None  # while suppressed, skip building evidence: an attack can fill the window
        return n, [i for _, _, i in islice(reversed(items), MAX_EVIDENCE)][::-1]

    def _advance_values(self, group: _Group, name: str, event: Event, held: bool) -> tuple[int, list[str]] | None:
        """value_count: distinct values of the condition field; temporal: distinct rules seen."""
        if self._distinct_field is None:
            value: Any = name
        else:
            value = event.flat.get(self._distinct_field)
            if value is None or value.__class__ is list:
                return None
        # Newest time per value; dict order = recency order, so the oldest leave from the front.
        latest, ts = group.latest, event.ts
        latest.pop(value, None)
        latest[value] = (ts, event.flat["event.id"])
        horizon = ts - self.timespan
        while latest:
            oldest = next(iter(latest))
            if latest[oldest][0] >= horizon and len(latest) <= MAX_ITEMS:
                break
            del latest[oldest]
        n = len(latest)
        if held or not self.op(n, self.threshold):
            return None
        ids = [i for _, i in list(latest.values())[-MAX_EVIDENCE:]]
        if self._distinct_field is None:
            latest.clear()  # temporal: a completed set starts over
        return n, ids

    def _remember(self, key: tuple[Any, ...], event: Event) -> bool:
        """Record the entity's values of the `new_value_of` fields; True when every one is new to it."""
        history = self.history
        seen = history.get(key)
        if seen is None:
            if len(history) >= self.max_groups:
                history.popitem(last=False)  # the least recently active entity
            seen = history[key] = {}
        else:
            history.move_to_end(key)
        verdicts = [self._novel(seen.setdefault(f, {}), event.flat.get(f), event.ts) for f in self.novel_fields]
        return all(verdicts)

    def _novel(self, seen: dict[Any, float], value: Any, ts: float) -> bool:
        """Record one value (first-seen times); new: never seen, or first seen within the timespan while
        older values were known (the device a stranger logged in with just before). An absent value is
        new only with `mlm.new_if_absent` (a missing device cookie is the client's choice; a missing
        country is only a missing enrichment)."""
        if value is None or value.__class__ is list:
            return self.meta.new_if_absent
        first = seen.get(value)
        if first is None:
            if len(seen) >= HISTORY_VALUES:
                del seen[next(iter(seen))]  # the value first seen longest ago
            seen[value] = ts
            return True
        return ts - first <= self.timespan and any(t < first for t in seen.values())

    def _ordered(self, group: _Group, name: str, event: Event, held: bool) -> tuple[int, list[str]] | None:
        """Steps hold (start time, ids) of the newest partial sequence ending at that step."""
        steps = group.steps or [None] * len(self.refs)
        group.steps = steps
        fired = None
        for index in reversed([i for i, ref in enumerate(self.refs) if ref == name]):
            if index == 0 and len(self.refs) == 1:  # a sequence of one step: each match completes it
                fired = (1, [event.id])
                continue
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
        # Sweeping is per call, not per group: a sparse rule would pay it on most events if it ran each
        # minute. Idle groups outstay their window by at most this long (and max_groups caps them).
        self._next_sweep = now + max(SWEEP_EVERY, self.timespan / 4)
        stale = []
        for key, group in self.groups.items():  # least recently active first: stop at the first fresh one
            if group.last >= horizon or group.until > now:
                break
            stale.append(key)
        for key in stale:
            del self.groups[key]

    def _evict(self, now: float) -> None:
        """At the group cap: sweep, then drop the least recently active tenth."""
        self.sweep(now)
        if len(self.groups) < self.max_groups:
            return
        oldest = sorted(self.groups, key=lambda k: self.groups[k].last)[: max(1, self.max_groups // 10)]
        for key in oldest:
            del self.groups[key]


def _keyer(fields: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...] | None]:
    """The group key of an event's flat view: the group-by values, None when one is missing or a list."""
    if len(fields) == 1:
        name = fields[0]

        def one(flat: dict[str, Any]) -> tuple[Any, ...] | None:
            value = flat.get(name)
            if value is None or value == "" or value.__class__ is list:
                return None
            return (value,)

        return one

    def many(flat: dict[str, Any]) -> tuple[Any, ...] | None:
        key = tuple(flat.get(f) for f in fields)
        if any(v is None or v == "" or isinstance(v, list) for v in key):
            return None
        return key

    return many
