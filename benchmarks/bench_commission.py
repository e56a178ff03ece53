"""Commission run engine on a seeded 100,000-distributor population (target: <= 10 s on one core).

Builds sponsor and binary placement arrays directly (not through the ORM), then times one full
period: unilevel with compression, binary pairing with carry and cap, ranks, and the conversion of
every total to Decimal money plus the source ids the commission events carry. Then the same through
the database: seed n distributors into SQLite and time `run_commissions` (load, engine, ledger
inserts, carry and rank updates, one commission_calculated event per credit).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal as D

import numpy as np

from mlm_app.business.engine.arrays import Population
from mlm_app.business.engine.run import RunConfig, run_period
from mlm_app.business.plans.binary import BinaryPlan
from mlm_app.business.plans.ranks import Rank
from mlm_app.business.plans.unilevel import UnilevelPlan

CONFIG = RunConfig(
    unilevel=UnilevelPlan(levels=(D(10), D(5), D(3), D(2), D(1), D(1), D(1)), qualification_pv=D(100)),
    binary=BinaryPlan(pair_unit=D(100), pair_value=D(10), cap_pairs=100, service_pct=D(10), tax_pct=D(10)),
    binary_active_pv=D(100),
    ranks=(Rank("Bronze", personal_pv=D(100)),
           Rank("Silver", personal_pv=D(100), group_volume=D(1000), active_legs=2, max_leg_pct=D(40)),
           Rank("Gold", personal_pv=D(100), group_volume=D(4350), active_legs=3, max_leg_pct=D(40))),
)


def seeded_population(n: int, seed: int = 42) -> Population:
    """A random enrollment order: sponsors among recent members; binary placement as a filled heap."""
    rng = np.random.default_rng(seed)
    idx = np.arange(n)
    back = rng.integers(1, 200, n)
    sponsor = np.where(idx > 0, np.maximum(idx - back, 0), -1)
    sponsor[0] = -1
    pv = rng.choice(np.array([0, 5_000, 10_000, 12_000, 20_000, 35_000], np.int64), n)
    bparent = np.where(idx > 0, (idx - 1) // 2, -1)
    bside = ((idx - 1) % 2).astype(np.int8)
    ids = [f"D{i:06d}" for i in range(n)]
    return Population(ids, sponsor.astype(np.int64), pv, bparent.astype(np.int64), bside)


def database_round(n: int) -> dict[str, object]:
    """Seed n distributors into a temporary SQLite app database, then time one full commission run."""
    import tempfile
    from pathlib import Path

    from sqlalchemy import select

    from mlm_app.business.commissions.service import run_commissions
    from mlm_app.business.config import BusinessConfig
    from mlm_app.business.orders.models import Order
    from mlm_app.business.seed import seed
    from mlm_app.db import init_db, make_engine, session_factory, transaction
    from mlm_app.events import Emitter

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'app.db'}")
        init_db(engine)
        factory = session_factory(engine)
        started = time.perf_counter()
        with transaction(factory) as session:
            seed(session, n, config=BusinessConfig(), now=datetime(2026, 11, 20, tzinfo=UTC),
                 password_hash="!", fingerprint=lambda value, kind: kind + value[:20])
        seeded = time.perf_counter() - started
        events: list[int] = [0]
        with transaction(factory) as session:
            period = session.scalars(select(Order.period).limit(1)).one()
            started = time.perf_counter()
            run = run_commissions(session, period, config=BusinessConfig(), now=datetime(2026, 11, 30, tzinfo=UTC),
                                  events=Emitter([lambda _doc: events.__setitem__(0, events[0] + 1)]))
            elapsed = time.perf_counter() - started
        engine.dispose()
    return {"db_seed_seconds": round(seeded, 1), "db_run_seconds": round(elapsed, 2), "db_run_status": run.status,
            "db_run_events": events[0]}


def run(quick: bool = False) -> dict[str, object]:
    n = 20_000 if quick else 100_000
    pop = seeded_population(n)
    started = time.perf_counter()
    result = run_period(CONFIG, pop)
    uni = result.unilevel_totals()
    binary = result.binary_totals()
    sources = result.unilevel_sources()
    elapsed = time.perf_counter() - started
    return {
        "distributors": n,
        "seconds": round(elapsed, 2),
        "distributors_per_second": int(n / elapsed),
        "unilevel_earners": len(uni),
        "binary_earners": len(binary),
        "paid_total": str(sum(uni.values(), D(0)) + sum(binary.values(), D(0))),
        "source_lists": len(sources),
        "target_seconds": 10,
        **database_round(n),
    }
