"""One small independent world per test session: generating it costs seconds, every alt test reads it."""

from __future__ import annotations

import pytest

from simulator.alt import generate


@pytest.fixture(scope="session")
def alt_world():
    return generate(5, distributors=150, baseline_days=2, test_days=1, scale=0.5)
