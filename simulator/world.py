"""A simulated MLM world: a benign baseline week, then test days with injected attack scenarios.

`generate(seed, ...)` returns the baseline events, the test events and the ground truth; `write`
puts them in NDJSON (gzip) files that `mlm-siem replay --baseline` and `mlm-siem eval` read.
"""

from __future__ import annotations

import gzip
import random
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import orjson

from simulator import attacks, benign, fraud, web
from simulator.attacks import Truth
from simulator.events import Emitter
from simulator.ipplan import build_plan
from simulator.population import grow_population

START = datetime(2026, 11, 2, tzinfo=timezone.utc).timestamp()  # a Monday
DAY = 86_400.0
ATO = (attacks.credential_stuffing, attacks.password_spraying, attacks.brute_force, attacks.mfa_brute_force,
       attacks.impossible_travel, attacks.session_hijack, attacks.payout_redirection)
INJECTION_CLASSES = ("sqli", "xss", "path_traversal", "command_injection", "template_injection", "nosql_injection")


@dataclass
class World:
    baseline: list[dict[str, Any]]
    events: list[dict[str, Any]]
    truth: list[Truth]
    benign_entities: int
    # An alert naming a real attacker after its scenario (a ring member flagged again when the ring
    # grows) is late, not false: it counts against no one for the whole test window.
    grace_after: float = 3 * DAY


def _days(em: Emitter, rng: random.Random, plan, people, first: int, last: int,
          refunds: benign.Refunds | None = None) -> None:
    """Benign life for days [first, last): sessions, visitors, crawlers, recruiting, weekly runs, refunds."""
    for day in range(first, last):
        day_start = START + day * DAY
        for person in list(people):
            benign.person_day(em, rng, plan, person, day, day_start, refunds)
        benign.visitors(em, rng, plan, day_start, max(20, len(people) // 4))
        benign.crawler(em, rng, plan, day_start + rng.uniform(0, 20) * 3600)
        benign.new_members(em, rng, plan, people, day_start, max(1, len(people) // 150))
        if day % 7 == 6:
            benign.commission_run(em, rng, people, day_start + 23.5 * 3600, f"2026-W{45 + day // 7}")


def _scenarios(em: Emitter, rng: random.Random, plan, people, first_day: int, days: int) -> list[Truth]:
    """Every kind at least once, at random times of the test days, with random parameters."""
    span = days * DAY - 8 * 3600
    base = START + first_day * DAY

    def when() -> float:
        return base + rng.uniform(2 * 3600, span)

    truth: list[Truth] = []
    for campaign in ATO:
        truth.append(campaign(em, rng, plan, people, when()))
    for campaign in (fraud.fake_ring, fraud.slow_fake_ring, fraud.shared_bank, fraud.sponsor_funded_orders):
        truth.append(campaign(em, rng, plan, people, when()))
    close_day = first_day + (6 - first_day % 7) if days > (6 - first_day % 7) else first_day
    period_close = START + close_day * DAY + 23.5 * 3600
    period = f"2026-W{45 + close_day // 7}"
    truth.append(fraud.order_cycling(em, rng, plan, people, when(), period_close, period))
    truth.append(fraud.commission_spike(em, rng, plan, people, period_close + 0.5, period))
    truth.append(web.injection_scanner(em, rng, plan, when()))
    for cls in INJECTION_CLASSES:
        truth.append(web.careful_injection(em, rng, plan, when(), cls))
    for flood in (web.single_ip_flood, web.distributed_flood, web.login_flood):
        truth.append(flood(em, rng, plan, when()))
    # Hard negatives on test days: a promo flash crowd and a recruiting event.
    benign.flash_crowd(em, rng, plan, people, when())
    benign.enrollment_meeting(em, rng, plan, people, when())
    benign.family_signup(em, rng, plan, people, when())
    benign.partner_joins_bank(em, rng, plan, people, when())
    for index, item in enumerate(truth):
        item.id = f"S{index + 1:02d}-{item.kind}"
    return truth


def generate(seed: int, distributors: int = 1500, baseline_days: int = 7, test_days: int = 2) -> World:
    rng = random.Random(seed)
    plan = build_plan(seed)
    people = grow_population(rng, plan, distributors)
    base_em, refunds = Emitter(seed * 10 + 1), benign.Refunds(seed)
    _days(base_em, rng, plan, people, 0, baseline_days, refunds)
    # Counting on from the baseline keeps order ids unique: test days refund baseline orders.
    test_em = Emitter(seed * 10 + 2, count=base_em.count)
    _days(test_em, rng, plan, people, baseline_days, baseline_days + test_days, refunds)
    benign_count = len({e["event"]["id"] for e in test_em.events})  # stable before attacks are added
    truth = _scenarios(test_em, rng, plan, people, baseline_days, test_days)
    key: Callable[[dict], str] = lambda e: e["@timestamp"]
    entities = {e.get("user", {}).get("id") for e in test_em.events[:benign_count]} | \
               {e.get("source", {}).get("ip") for e in test_em.events[:benign_count]}
    return World(sorted(base_em.events, key=key), sorted(test_em.events, key=key), truth,
                 len(entities - {None}))


def write(world: World, out: Path) -> dict[str, Path]:
    """baseline.ndjson.gz, events.ndjson.gz and truth.json in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"baseline": out / "baseline.ndjson.gz", "events": out / "events.ndjson.gz", "truth": out / "truth.json"}
    for name in ("baseline", "events"):
        with gzip.open(paths[name], "wb", compresslevel=3) as handle:
            for event in getattr(world, name):
                handle.write(orjson.dumps(event) + b"\n")
    paths["truth"].write_bytes(orjson.dumps(
        {"benign_entities": world.benign_entities, "scenarios": [t.to_dict() for t in world.truth]},
        option=orjson.OPT_INDENT_2))
    return paths
