"""Bus fixtures: the in-process bus and Kafka (noida), each with fresh topic names per test."""

from __future__ import annotations

import itertools
import time

import pytest

from core.bus.kafka import KafkaBus
from core.bus.memory import MemoryBus

_names = itertools.count(1)


@pytest.fixture
def topic():
    """A topic name no other test uses (Kafka topics outlive a test)."""
    return f"test.t{next(_names)}.{int(time.time() * 1000) % 10**8}"


@pytest.fixture
def kafka_bus(noida):
    bus = KafkaBus(noida.kafka_bootstrap, partitions=3)
    yield bus
    bus.close()


@pytest.fixture(params=["memory", "kafka"])
def bus(request):
    """Every behaviour test runs on both backends."""
    if request.param == "memory":
        yield MemoryBus()
    else:
        yield request.getfixturevalue("kafka_bus")
