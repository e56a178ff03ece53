"""The Sigma detector: compiled single-event rules dispatched by event.action, feeding correlations."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.rule import SigmaRule, SigmaStatus

from core.alert import Alert
from core.event import Event
from detectors.sigma.compiler import CompiledMatcher, compile_rule, where
from detectors.sigma.correlation import KNOWN, Correlation
from detectors.sigma.meta import DEFAULT_ENTITY_FIELDS, RuleMeta, entity_type_for, render_summary, rule_meta

log = logging.getLogger(__name__)
MAX_SUPPRESSED = 100_000


class _BaseRule:
    __slots__ = ("feeds", "links", "matcher", "meta", "output", "suppressed")

    def __init__(self, meta: RuleMeta, matcher: CompiledMatcher, output: bool) -> None:
        self.meta = meta
        self.matcher = matcher
        self.output = output  # False when it only feeds correlations (Sigma `generate: false`)
        self.links: list[tuple[Correlation, str]] = []  # correlations fed, by reference name
        # (correlation, [reference]) per link when this rule alone matched; None when one
        # correlation references it twice (the general path then orders the references).
        self.feeds: list[tuple[Correlation, list[str]]] | None = None
        self.suppressed: dict[Any, float] = {}  # entity -> event time until which alerts are held

    def prepare(self) -> None:
        """Precompute what one match feeds, once every correlation is linked."""
        corrs = [id(c) for c, _ in self.links]
        self.feeds = [(c, [name]) for c, name in self.links] if len(set(corrs)) == len(corrs) else None


class SigmaDetector:
    """Runs every Sigma rule and correlation rule of one collection over events in event-time order."""

    name = "sigma"

    def __init__(self, collection: SigmaCollection) -> None:
        self.rules: list[_BaseRule] = []
        self.correlations: list[Correlation] = []
        self.hits: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self._build(collection)
        self._by_action: dict[str, list[_BaseRule]] = {}
        self._any_action: list[_BaseRule] = []
        for rule in self.rules:
            rule.prepare()
            if not rule.output and not rule.links:
                continue  # alerts nothing and feeds nothing (`generate: false`, unreferenced): never run
            if rule.matcher.actions is None:
                self._any_action.append(rule)
            else:
                for action in rule.matcher.actions:
                    self._by_action.setdefault(action, []).append(rule)
        # The engine skips this detector for actions no rule can match (most HTTP requests).
        self.actions: frozenset[str] | None = None if self._any_action else frozenset(self._by_action)
        # Keep each action's list in file order, with any-action rules merged in the same order.
        order = {id(r): i for i, r in enumerate(self.rules)}
        for action, rules in self._by_action.items():
            rules.extend(self._any_action)
            rules.sort(key=lambda r: order[id(r)])

    def _build(self, collection: SigmaCollection) -> None:
        """Compile every rule, then link each correlation to the rules it reads (in any file)."""
        seen: dict[str, str] = {}
        base_of: dict[int, _BaseRule] = {}
        by_name: dict[str, _BaseRule] = {}
        pending: list[tuple[SigmaCorrelationRule, Correlation, str]] = []
        shared: dict[tuple[Any, ...], Correlation] = {}
        for rule in collection.rules:
            location = where(rule)
            rid = str(rule.id) if rule.id else ""
            if not rid:
                raise ValueError(f"{location}: every rule needs an id")
            if rid in seen:
                raise ValueError(f"{location}: duplicate rule id (also in {seen[rid]})")
            seen[rid] = location
            if rule.status == SigmaStatus.DEPRECATED:
                continue  # kept for reference (its id stays taken), covered elsewhere: never run
            if isinstance(rule, SigmaRule):
                base = _BaseRule(rule_meta(rule, location), _compiled(rule), rule._output)
                base_of[id(rule)] = base
                by_name.update({n: base for n in (rule.name, rid) if n})
                self.rules.append(base)
            elif isinstance(rule, SigmaCorrelationRule):
                corr = Correlation(rule, rule_meta(rule, location), location)
                self.correlations.append(corr)
                pending.append((rule, corr, location))
        for rule, corr, location in pending:
            for ref in rule.rules or []:
                target = base_of.get(id(ref.rule))
                if target is None:
                    raise ValueError(f"{location}: {ref.reference} must be a detection rule that is not deprecated")
                if ref.reference not in [n for c, n in target.links if c is corr]:
                    target.links.append((corr, ref.reference))
            _link_known(corr, by_name, shared)

    def process(self, event: Event) -> list[Alert]:
        """Alerts completed by this event: single-event rules first, then correlations."""
        flat = event.flat
        action = flat.get("event.action")
        rules = self._by_action.get(action) if action.__class__ is str else None  # type: ignore[arg-type]
        if rules is None:
            rules = self._by_action.get(action.lower() if isinstance(action, str) else "", self._any_action)
            if not rules:  # most traffic (HTTP requests) has no rule of its own: leave at once
                return []
        matched: list[_BaseRule] = []
        for rule in rules:
            try:
                if rule.matcher.match(flat):
                    matched.append(rule)
            except Exception:  # a rule must never stop the stream
                self.errors[rule.meta.rule_id] += 1
                log.exception("rule %s failed on event %r", rule.meta.rule_id, event.id[:80])
        if not matched:
            return []
        feeds = matched[0].feeds
        if len(matched) == 1 and feeds is not None:
            rule = matched[0]
            self.hits[rule.meta.rule_id] += 1
            alerts: list[Alert] = []
            if rule.output:
                alert = self._single(rule, event)
                if alert is not None:
                    alerts.append(alert)
            return self._correlate(feeds, event, alerts)
        return self._matched(matched, event)

    def _matched(self, matched: list[_BaseRule], event: Event) -> list[Alert]:
        """Several rules matched one event: alerts of each, then every correlation fed once."""
        alerts: list[Alert] = []
        fed: dict[int, tuple[Correlation, list[str]]] = {}
        for rule in matched:
            self.hits[rule.meta.rule_id] += 1
            if rule.output:
                alert = self._single(rule, event)
                if alert is not None:
                    alerts.append(alert)
            for corr, ref in rule.links:
                fed.setdefault(id(corr), (corr, []))[1].append(ref)
        feeds = [(corr, list(dict.fromkeys(n for n in corr.feed_order if n in names))) for corr, names in fed.values()]
        return self._correlate(feeds, event, alerts)

    def _correlate(self, feeds: list[tuple[Correlation, list[str]]], event: Event, alerts: list[Alert]) -> list[Alert]:
        """Feed the correlations; a failing one is counted and logged, the others still run."""
        for corr, names in feeds:
            try:
                alert = corr.observe(names, event)
            except Exception:
                self.errors[corr.meta.rule_id] += 1
                log.exception("correlation %s failed on event %r", corr.meta.rule_id, event.id[:80])
                continue
            if alert is not None:
                self.hits[corr.meta.rule_id] += 1
                alerts.append(alert)
        return alerts

    def _single(self, rule: _BaseRule, event: Event) -> Alert | None:
        meta = rule.meta
        fields = (meta.entity_field,) if meta.entity_field else DEFAULT_ENTITY_FIELDS
        field = next((f for f in fields if event.flat.get(f) not in (None, "")), None)
        entity = event.flat.get(field) if field else None
        if entity is None or isinstance(entity, list):
            field, entity = "service.name", event.flat.get("service.name") or "unknown"
        if meta.suppress_seconds:
            if event.ts < rule.suppressed.get(entity, float("-inf")):
                return None
            if len(rule.suppressed) >= MAX_SUPPRESSED:
                rule.suppressed = {k: t for k, t in rule.suppressed.items() if t > event.ts}
            rule.suppressed[entity] = event.ts + meta.suppress_seconds
        values = {k.replace(".", "_"): v for k, v in event.flat.items() if isinstance(v, (str, int, float))}
        summary = render_summary(meta.summary, **values, entity=entity, count=1, title=meta.title)
        return Alert(
            rule_id=meta.rule_id, rule_name=meta.title, category=meta.category, severity=meta.severity,
            risk_score=meta.risk_score, entity_type=entity_type_for(meta, field), entity_value=str(entity),
            timestamp=event.timestamp, event_ids=[event.id], summary=summary, tags=list(meta.tags),
        )

    def used_fields(self) -> dict[str, set[str]]:
        """Every event field each rule reads, by rule id (for the rule-file test)."""
        used = {r.meta.rule_id: set(r.matcher.fields) for r in self.rules}
        for corr in self.correlations:
            used[corr.meta.rule_id] = corr.used_fields
        return used


def _compiled(rule: SigmaRule) -> CompiledMatcher:
    """The rule's matcher; a rule of one action is dispatched only to that action's events, so its
    tests of `event.action` are decided at compile time."""
    matcher = compile_rule(rule)
    if matcher.actions is not None and len(matcher.actions) == 1:
        return compile_rule(rule, known_action=next(iter(matcher.actions)))
    return matcher


def _link_known(corr: Correlation, by_name: dict[str, _BaseRule], shared: dict[tuple[Any, ...], Correlation]) -> None:
    """Feed a correlation the events of its `mlm.known_from` rules (they teach `new_value_of` only).

    Correlations learning the same field of the same entity from the same rules share one history,
    taught once per event (every successful login would otherwise be recorded once per rule).
    """
    if not corr.meta.known_from:
        return
    signature = (tuple(corr.group_by), tuple(corr.novel_fields), tuple(corr.meta.known_from))
    teacher = shared.setdefault(signature, corr)
    if teacher is not corr:
        corr.history = teacher.history
        return
    for name in corr.meta.known_from:
        target = by_name.get(name)
        if target is None:
            raise ValueError(f"{corr.meta.title}: mlm.known_from names {name!r}, not a detection rule that runs here")
        if (corr, KNOWN) not in target.links:
            target.links.append((corr, KNOWN))
