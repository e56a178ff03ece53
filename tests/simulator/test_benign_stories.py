"""The main world's benign household stories cast distinct, established members (simulator/benign.py)."""

from __future__ import annotations

import random

import pytest

from simulator import benign, fraud
from simulator.events import Emitter
from simulator.ipplan import build_plan
from simulator.population import grow_population
from simulator.world import DAY, START, _days


@pytest.mark.parametrize("seed", [1, 4])
def test_families_and_partners_never_reuse_ring_members_newcomers_or_each_other(seed):
    rng = random.Random(seed)
    plan = build_plan(seed)
    people = grow_population(rng, plan, 120)
    _days(Emitter(seed * 10 + 1), rng, plan, people, 0, 1)
    before = {p.user_id for p in people}
    test = Emitter(seed * 10 + 2)
    _days(test, rng, plan, people, 1, 2)
    first = START + DAY
    rings = [fraud.fake_ring(test, rng, plan, people, first + 3600 * i) for i in range(2)]
    stories = [benign.family_signup(test, rng, plan, people, first + 9 * 3600 + i * 900) for i in range(3)]
    pairs = [
        benign.partner_joins_bank(test, rng, plan, people, first + 12 * 3600 + i * 900) for i in range(3)
    ]
    enrolled_today = {
        e["mlm"]["distributor"]["id"] for e in test.events if e["event"]["action"] == "distributor_enrolled"
    }
    cast = [s[0] for s in stories] + [who for pair in pairs for who in pair]
    # Protagonists: established before the test day, no ring account or ring sponsor, each in one story.
    assert len(cast) == len(set(cast))
    assert set(cast) <= before and not set(cast) & {e for r in rings for e in r.entities}
    assert not set(cast) & (enrolled_today - {m for s in stories for m in s[1:]})
    by_id = {p.user_id: p for p in people}
    for owner, partner in pairs:  # partners live together: one country
        assert by_id[owner].country == by_id[partner].country
        assert by_id[partner].bank == by_id[owner].bank
