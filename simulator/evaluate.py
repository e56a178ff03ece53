"""`make eval`: generate worlds for several seeds, replay them, score the alerts against ground truth.

A scenario counts as found when an alert of its family names one of its entities within its time
window; every other alert is a false positive, counted once per (category, entity). Time to detect
is event time from the scenario's start to the first matching alert; where a scenario's truth names
the moment it became provable (`notes["evidence_at"]`), time to detect from the evidence is reported too.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from core.alert import Alert
from core.event import Event, parse_timestamp
from simulator.attacks import Truth
from simulator.world import World, generate

GRACE_BEFORE = 120.0
GRACE_AFTER = 3 * 3600.0
# A login flood is also credential abuse: either category finds it.
ALSO_ACCEPTED = {"login_flood": {"account_takeover"}}


@dataclass
class Score:
    found: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    ttd: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # From the event that made the scenario provable (truths that carry `evidence_at`) to the first alert.
    ttd_evidence: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    false_positives: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    benign_entities: int = 0
    events: int = 0
    seconds: float = 0.0  # detection only: processing the test events
    build_seconds: float = 0.0
    warm_seconds: float = 0.0
    # Hard negative (kind) each FP entity belongs to, for worlds that plant them: FP item -> kind.
    fp_labels: dict[tuple, str] = field(default_factory=dict)
    fp_examples: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    missed: list[str] = field(default_factory=list)


def run_detection(world: World, score: Score | None = None) -> list[Alert]:
    """Replay a world through the full engine: warm on the baseline, then detect on the test days."""
    from detectors.base import DetectorConfig
    from detectors.engine import Engine

    score = score or Score()
    started = time.process_time()
    engine = Engine.build(DetectorConfig())
    built = time.process_time()
    engine.warm(Event.from_dict(doc) for doc in world.baseline)
    warmed = time.process_time()
    alerts: list[Alert] = []
    for doc in world.events:
        alerts.extend(engine.process(Event.from_dict(doc)))
    alerts.extend(engine.flush())
    score.build_seconds += built - started
    score.warm_seconds += warmed - built
    score.seconds += time.process_time() - warmed
    return alerts


def _matches(alert: Alert, truth: Truth, ts: float, grace_after: float = GRACE_AFTER) -> bool:
    if not truth.start - GRACE_BEFORE <= ts <= truth.end + grace_after:
        return False
    if alert.entity_type == "service":
        return "service" in truth.entities
    return alert.entity_value in truth.entities


def score_world(world: World, alerts: Iterable[Alert], score: Score) -> None:
    """Add one world's results to `score`."""
    alerts = list(alerts)
    times = [parse_timestamp(a.timestamp).timestamp() for a in alerts]
    matched = [False] * len(alerts)
    # A world may say that a late alert naming a real attacker is late, not false (alt: whole window).
    not_false = getattr(world, "grace_after", GRACE_AFTER)
    for truth in world.truth:
        accepted = {truth.family} | ALSO_ACCEPTED.get(truth.kind, set())
        first: float | None = None
        for index, alert in enumerate(alerts):
            if not_false > GRACE_AFTER and _matches(alert, truth, times[index], not_false):
                matched[index] = True
            # Innocent beneficiaries (the upline paid on fraudulent volume): flagging them is no FP.
            if alert.entity_value in truth.notes.get("collateral", ()) and \
                    truth.start - GRACE_BEFORE <= times[index] <= truth.end + not_false:
                matched[index] = True
            if _matches(alert, truth, times[index]):
                matched[index] = True
                if alert.category in accepted:
                    first = times[index] if first is None else min(first, times[index])
        key = f"{truth.family}/{truth.kind}"
        score.found[key].append(first is not None)
        if first is None:
            score.missed.append(f"{truth.id} entities {truth.entities[:4]} notes {truth.notes}"[:300])
        if first is not None:
            score.ttd[key].append(max(0.0, first - truth.start))
            if isinstance(evidence := truth.notes.get("evidence_at"), (int, float)):
                score.ttd_evidence[key].append(max(0.0, first - evidence))
    negative_of: dict[str, str] = {}
    for negative in getattr(world, "negatives", ()):
        for entity in negative.entities:
            negative_of.setdefault(entity, negative.kind)
    for index, alert in enumerate(alerts):
        if not matched[index]:
            item = (id(world), alert.entity_type, alert.entity_value, alert.rule_id)
            score.false_positives[alert.category].add(item)
            if alert.entity_value in negative_of:
                score.fp_labels[item] = negative_of[alert.entity_value]
            examples = score.fp_examples[(alert.category, alert.rule_id)]
            if len(examples) < 3 and alert.summary not in examples:
                examples.append(alert.summary[:160])
    score.benign_entities += world.benign_entities
    score.events += len(world.events)


def report(score: Score) -> str:
    """The per-kind and per-family table `make eval` prints."""
    lines = [f"{'family/kind':45} {'found':>7} {'median TTD s':>13}"]
    families: dict[str, list[bool]] = defaultdict(list)
    family_ttd: dict[str, list[float]] = defaultdict(list)
    for key in sorted(score.found):
        hits = score.found[key]
        ttd = score.ttd.get(key, [])
        families[key.split("/")[0]].extend(hits)
        family_ttd[key.split("/")[0]].extend(ttd)
        median = f"{statistics.median(ttd):.0f}" if ttd else "-"
        lines.append(f"{key:45} {sum(hits):>3}/{len(hits):<3} {median:>13}")
    lines.append("")
    lines.append(f"{'family':20} {'recall':>7} {'FP entities':>12} {'FP per 10k benign':>18} {'median TTD s':>13}")
    for family in sorted(set(families) | set(score.false_positives)):
        hits = families.get(family, [])
        recall = f"{100 * sum(hits) / len(hits):.0f}%" if hits else "-"
        fps = len(score.false_positives.get(family, ()))
        per10k = 10_000 * fps / max(1, score.benign_entities)
        ttd = family_ttd.get(family, [])
        median = f"{statistics.median(ttd):.0f}" if ttd else "-"
        lines.append(f"{family:20} {recall:>7} {fps:>12} {per10k:>18.1f} {median:>13}")
    rate = score.events / score.seconds if score.seconds else 0
    lines.append(f"\n{score.events} test events, {score.benign_entities} benign entities; CPU time: "
                 f"engine build {score.build_seconds:.1f} s, baseline warm-up {score.warm_seconds:.1f} s, "
                 f"detection {score.seconds:.1f} s ({rate:,.0f} events/s, parsing included)")
    if score.ttd_evidence:
        lines.append("\n" + evidence_report(score))
    return "\n".join(lines)


def evidence_report(score: Score) -> str:
    """Median TTD from the scenario's start and from the event that made it provable, for the kinds
    whose truth names that event (an alert before the proof counts 0)."""
    title = "TTD from the evidence (scenario start -> first alert, and the event that made it provable -> first alert):"
    lines = [title, f"{'family/kind':45} {'found':>7} {'from start s':>13} {'from evidence s':>16}"]
    families: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for key in sorted(score.ttd_evidence):
        start, evidence = score.ttd.get(key, []), score.ttd_evidence[key]
        families[key.split("/")[0]][0].extend(start)
        families[key.split("/")[0]][1].extend(evidence)
        hits = score.found.get(key, [])
        lines.append(f"{key:45} {sum(hits):>3}/{len(hits):<3} {_median(start):>13} {_median(evidence):>16}")
    for family, (start, evidence) in sorted(families.items()):
        lines.append(f"{family + ' (these kinds)':45} {'':>7} {_median(start):>13} {_median(evidence):>16}")
    return "\n".join(lines)


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.0f}" if values else "-"


def false_positive_detail(score: Score, limit: int = 15) -> str:
    rows = sorted((cat, rule, etype, value) for cat, items in score.false_positives.items()
                  for _, etype, value, rule in items)
    return "\n".join(f"  FP {c:18} {r:40} {t}={v}" for c, r, t, v in rows[:limit])


def false_positives_by_rule(score: Score, samples: int = 4) -> str:
    """FP entities per rule, with example entities, the hard negative each belongs to and a summary."""
    rows: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for category, items in score.false_positives.items():
        for item in items:
            _, etype, value, rule = item
            rows[(category, rule)].append((etype, value, score.fp_labels.get(item, "ordinary benign")))
    lines = [f"{'FP by rule':60} {'entities':>8} {'per 10k':>8}"]
    for (category, rule), entities in sorted(rows.items(), key=lambda kv: -len(kv[1])):
        per10k = 10_000 * len(entities) / max(1, score.benign_entities)
        lines.append(f"{category + ' ' + rule:60} {len(entities):>8} {per10k:>8.1f}")
        for etype, value, label in sorted(entities)[:samples]:
            lines.append(f"    {etype}={value}  [{label}]")
        for summary in score.fp_examples.get((category, rule), [])[:1]:
            lines.append(f"    e.g. {summary}")
    return "\n".join(lines)


def issue5_bar(score: Score) -> str:
    """Issue 5's bar per family: every scenario found, <= 3 FP per 10k benign, median TTD <= 60 s."""
    lines = ["Issue 5 bar (recall 100%, FP <= 3.0 per 10k benign, median TTD <= 60 s):"]
    families = sorted({key.split("/")[0] for key in score.found})
    for family in families:
        hits = [h for key, found in score.found.items() if key.startswith(family + "/") for h in found]
        ttd = [t for key, times in score.ttd.items() if key.startswith(family + "/") for t in times]
        per10k = 10_000 * len(score.false_positives.get(family, ())) / max(1, score.benign_entities)
        median = statistics.median(ttd) if ttd else float("inf")
        checks = {"recall": all(hits), "FP": per10k <= 3.0, "TTD": median <= 60}
        failed = [name for name, ok in checks.items() if not ok]
        lines.append(f"  {family:20} {'PASS' if not failed else 'FAIL: ' + ', '.join(failed)}")
    return "\n".join(lines)


def world_generator(name: str) -> Callable[..., World]:
    """The world generator `mlm-siem eval --world` names: `sim` (default) or `alt` (independent)."""
    if name == "alt":
        from simulator.alt import generate as alt_generate

        return alt_generate
    if name == "sim":
        return generate
    raise ValueError(f"unknown world {name!r}: expected 'sim' or 'alt'")


def save_run(world: World, alerts: list[Alert], out: Path) -> None:
    """alerts.ndjson and truth.json (scenarios and planted hard negatives) of one world, for triage."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "alerts.ndjson").write_bytes(b"".join(orjson.dumps(a.to_dict()) + b"\n" for a in alerts))
    negatives = [t.to_dict() for t in getattr(world, "negatives", ())]
    (out / "truth.json").write_bytes(orjson.dumps(
        {"benign_entities": world.benign_entities, "scenarios": [t.to_dict() for t in world.truth],
         "negatives": negatives}, option=orjson.OPT_INDENT_2))


def evaluate(seeds: list[int], distributors: int, verbose: bool = False, world_name: str = "sim",
             save: Path | None = None) -> tuple[Score, str]:
    score = Score()
    make_world = world_generator(world_name)
    for seed in seeds:
        world = make_world(seed, distributors=distributors)
        alerts = run_detection(world, score)
        score_world(world, alerts, score)
        if save is not None:
            save_run(world, alerts, save / f"{world_name}-seed{seed}")
    text = report(score)
    if verbose and world_name == "alt":
        text += "\n\n" + false_positives_by_rule(score) + "\n\n" + issue5_bar(score)
        text += "\n\nMissed scenarios (per seed, in seed order):\n" + ("\n".join(f"  {m}" for m in score.missed)
                                                                     or "  none")
    elif verbose:
        text += "\n" + false_positive_detail(score)
    return score, text

