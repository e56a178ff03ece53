"""Where each detector runs when detection is spread over a Kafka consumer group.

Events are keyed by entity (`user.id`, else `source.ip`), so one member of the scaled `detectors`
group sees every event of its users but only a share of the service. A detector whose state is
keyed by `user.id` alone is *entity*-local and scales with the group. One that counts across
users (per address, network, service, bank account, sponsor) must see the whole stream: it is
*global* and runs in a consumer group of its own with exactly one member. Sigma is split by
rule: single-event rules and correlations grouped by `user.id` are entity-local, the other
correlations global. `all` (the embedded stack, or a single worker) runs everything in one place.
A detector may declare its own `scope` attribute (it wins over the list); unknown ones are global.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule

from core.alert import Alert
from core.event import Event
from detectors.base import Detector, DetectorConfig
from detectors.engine import Engine
from detectors.registry import FAMILY_MODULES
from detectors.sigma import PACKAGED_RULES, SigmaDetector
from detectors.sigma.compiler import where
from detectors.sigma.loader import load_collection, rule_files
from detectors.sigma.meta import rule_meta

Scope = Literal["all", "entity", "global"]
SCOPES: tuple[str, ...] = ("all", "entity", "global")
ENTITY_FIELD = "user.id"  # the partition key whenever an event has one (collector/publish.py)
SIGMA = "sigma"

# Every registered detector, by name, with why its state does or does not stay inside one user.
DETECTOR_SCOPES: dict[str, str] = {
    SIGMA: "split",  # by rule, see sigma_rule_scopes
    "ato.credential_stuffing": "global",  # service-wide failure wave over many users and addresses
    "ato.password_spraying": "global",  # per /24 and per AS: one network's users hash apart
    "ato.brute_force": "entity",  # one known account's failed logins (they carry user.id)
    "ato.impossible_travel": "entity",  # one user's successful logins
    "ato.session_hijack": "entity",  # one session id, used by one signed-in user.id
    "ato.login_risk": "entity",  # one user's habits; a known user's failed logins carry user.id
    "fraud.linked_accounts": "global",  # distributors linked through banks, cards, devices
    "fraud.enrollment_bursts": "global",  # per sponsor: each recruit's enrollment has its own key
    "fraud.order_cycling": "global",  # commissions name the distributors whose volume made them
    "fraud.shared_bank_accounts": "global",  # one bank account, several distributors
    "fraud.sponsor_paid_orders": "global",  # a sponsor's card paying for the downline's orders
    "fraud.commission_spikes": "global",  # downline growth; commission runs may carry no user.id
    "injection": "global",  # per-address scanner aggregation; signed-in requests are keyed by user
    "flood": "global",  # service-wide, per-network and per-path request rates
}


def scope_of(detector: Any) -> str:
    """A detector's (or detector name's) scope: its own `scope` attribute ("entity" or "global";
    its author knows its keys best), else listed here, else global (always correct, only unscaled)."""
    declared = getattr(detector, "scope", None)
    if declared in ("entity", "global"):
        return str(declared)
    name = detector if isinstance(detector, str) else str(getattr(detector, "name", ""))
    return DETECTOR_SCOPES.get(name, "global")


def correlation_is_local(rule: SigmaCorrelationRule) -> bool:
    """Whether every referenced rule's group-by (aliases resolved) includes `user.id`."""
    group_by = list(rule.group_by or [])
    aliases = {a.alias: {ref.reference: f for ref, f in a.mapping.items()} for a in rule.aliases}
    refs = [ref.reference for ref in rule.rules or []]
    # Grouping by user.id (and maybe more) keeps each group inside one user, hence one partition.
    return bool(refs) and all(ENTITY_FIELD in [aliases.get(g, {}).get(ref, g) for g in group_by] for ref in refs)


def rule_scope(rule: Any) -> str:
    """Correlations by their group-by; single-event rules are entity-local unless they suppress
    repeats per an entity other than the user (then one member must remember every entity)."""
    if isinstance(rule, SigmaCorrelationRule):
        return "entity" if correlation_is_local(rule) else "global"
    meta = rule_meta(rule, where(rule))
    return "global" if meta.suppress_seconds and meta.entity_field != ENTITY_FIELD else "entity"


def sigma_rule_scopes(collection: SigmaCollection) -> dict[str, str]:
    """Rule id -> the scope that produces its alerts."""
    return {str(r.id): rule_scope(r) for r in collection.rules}


class RuleFilter:
    """A detector whose alerts are kept only for some rule ids (the others are produced elsewhere)."""

    def __init__(self, inner: Any, rule_ids: Iterable[str]) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.actions = getattr(inner, "actions", None)
        self.datasets = getattr(inner, "datasets", None)
        self.rule_ids = frozenset(rule_ids)

    @property
    def hits(self) -> Any:
        return getattr(self.inner, "hits", None)

    @property
    def errors(self) -> Any:
        return getattr(self.inner, "errors", None)

    def process(self, event: Event) -> list[Alert]:
        return [a for a in self.inner.process(event) if a.rule_id in self.rule_ids]


def sigma_part(dirs: list[Path], scope: str) -> Detector | None:
    """The Sigma rules of one scope, compiled; None when the scope has none."""
    collection = load_collection(rule_files(dirs or [PACKAGED_RULES]))
    scopes = sigma_rule_scopes(collection)
    ids = {rid for rid, s in scopes.items() if s == scope}
    if not ids:
        return None
    cross = [r for r in collection.rules if isinstance(r, SigmaCorrelationRule) and scopes[str(r.id)] == "global"]
    crossing = {id(c) for c in cross}
    rules: list[Any]
    if scope == "entity":
        rules = [r for r in collection.rules if id(r) not in crossing]
    else:  # the global rules and the rules feeding global correlations
        crossing |= {id(ref.rule) for c in cross for ref in c.rules or []}
        rules = [r for r in collection.rules if id(r) in crossing or scopes[str(r.id)] == "global"]
    # A feeding rule that also alerts on its own (`generate: true`) alerts only where its scope says.
    return RuleFilter(SigmaDetector(SigmaCollection(rules)), ids)


def build_engine(config: DetectorConfig, scope: str = "all") -> Engine:
    """The engine of one scope: `all` is every detector, `entity` / `global` their share."""
    if scope not in SCOPES:
        raise ValueError(f"unknown detector scope {scope[:40]!r} (one of {', '.join(SCOPES)})")
    if scope == "all":
        return Engine.build(config)
    families = [SIGMA] if config.only_rules else (config.families or list(FAMILY_MODULES))
    detectors: list[Detector] = []
    build_errors: dict[str, str] = {}
    if SIGMA in families:
        part = sigma_part(list(config.rules_dirs), scope)
        detectors += [part] if part is not None else []
    others = [f for f in families if f != SIGMA]
    if others:
        built = Engine.build(replace(config, models_dir=None, families=others, only_rules=False))
        detectors += [d for d in built.detectors if scope_of(d) == scope]
        build_errors = built.build_errors
    engine = Engine(detectors)
    engine.build_errors = build_errors
    if config.models_dir is not None:
        engine.loaded_models = engine.load_models(Path(config.models_dir))
    return engine
