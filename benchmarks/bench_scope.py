"""Detection split by scope (detectors/scope.py), as docker-compose.yml runs it: is it exact, and
how much of the work scales with the entity group?

A simulated world (benign population and attack campaigns) is spread over six partitions by the
collector's key (`user.id`, else `source.ip`, kafka-python's partitioner). Two entity members hold
three partitions each, one global member holds all six; each is warmed on its share of the
baseline and fed its share of the events. Figures: whether their alerts equal one process's (ids
included), what two members that each run every detector (the layout before scopes) miss, the
detection CPU per event of each member, and the cost of merging partitions by event time.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from core.bus.order import PartitionMerge
from core.event import Event
from detectors.base import DetectorConfig
from detectors.scope import build_engine

SEED = 1
PARTITIONS = 6
MEMBERS = ({0, 1, 2}, {3, 4, 5})


def _partition(event: Event) -> int:
    from kafka.partitioner.default import murmur2

    key = str(event.flat.get("user.id") or event.flat.get("source.ip") or "").encode()
    return (murmur2(key) & 0x7FFFFFFF) % PARTITIONS


def _member(scope: str, partitions: set[int], baseline: list[Event], events: list[Event]) -> tuple[list, float, int]:
    """Alerts, detection CPU seconds and events of one member holding `partitions`."""
    engine = build_engine(DetectorConfig(), scope)
    engine.warm([e for e in baseline if _partition(e) in partitions])
    mine = [e for e in events if _partition(e) in partitions]
    started = time.process_time()
    alerts = [a for e in mine for a in engine.process(e)] + engine.flush()
    return alerts, time.process_time() - started, len(mine)


def _merge_cost(count: int) -> float:
    """CPU microseconds per event to merge six partitions of 10-event messages by time."""
    merge, offsets = PartitionMerge(), [0] * PARTITIONS
    started = time.process_time()
    for batch in range(count // 500):
        partition = batch % PARTITIONS
        for k in range(50):
            merge.add(partition, offsets[partition], [(float(batch * 500 + k * 10 + j), j) for j in range(10)])
            offsets[partition] += 1
        merge.release(set())
        merge.offsets()
    return (time.process_time() - started) / count * 1e6


def run(quick: bool) -> dict[str, Any]:
    from simulator.world import generate

    world = generate(SEED, 120 if quick else 600, baseline_days=1, test_days=1 if quick else 2)
    baseline = sorted((Event.from_dict(d) for d in world.baseline), key=lambda e: e.ts)
    events = sorted((Event.from_dict(d) for d in world.events), key=lambda e: e.ts)
    everything = set(range(PARTITIONS))
    reference, cpu_all, _ = _member("all", everything, baseline, events)
    split, cpu_global, _ = _member("global", everything, baseline, events)
    entity_cpu, entity_total = [], 0.0
    for partitions in MEMBERS:
        alerts, cpu, count = _member("entity", partitions, baseline, events)
        split += alerts
        entity_cpu.append(round(cpu / max(count, 1) * 1e6, 1))
        entity_total += cpu
    old: list = []
    for partitions in MEMBERS:
        old += _member("all", partitions, baseline, events)[0]
    want, got, before = (Counter(a.id for a in x) for x in (reference, split, old))
    return {
        "events": len(events),
        "alerts_one_process": len(reference),
        "split_equals_one_process": want == got,
        "old_layout_missed": sum((want - before).values()),
        "old_layout_wrong_extra": sum((before - want).values()),
        "us_per_event_all_in_one": round(cpu_all / len(events) * 1e6, 1),
        "us_per_event_global_member": round(cpu_global / len(events) * 1e6, 1),
        "us_per_event_entity_members": entity_cpu,
        # of the split layout's detection CPU (a ratio within one layout: robust to a busy machine)
        "global_share_of_detection_cpu": f"{cpu_global / (cpu_global + entity_total):.0%}",
        "merge_us_per_event": round(_merge_cost(100_000), 2),
    }
