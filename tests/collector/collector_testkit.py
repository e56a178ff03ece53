"""Helpers for collector tests (a uniquely named module: every test folder has its own conftest)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from fastapi.testclient import TestClient

from core.bus import EVENTS_TOPIC
from core.bus.memory import MemoryBus

NOW = datetime(2026, 11, 2, 10, 0, 0, tzinfo=UTC)


class FixedClock:
    """An injectable clock that moves only when told to."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def ndjson(events: list[Any]) -> bytes:
    return b"\n".join(orjson.dumps(e) for e in events) + b"\n"


def post(client: TestClient, token: str | None, body: bytes, content_type: str = "application/x-ndjson",
         **headers: str):
    """POST /v1/events with a bearer token (None: no Authorization header)."""
    sent = {"Content-Type": content_type, **{k.replace("_", "-"): v for k, v in headers.items()}}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    return client.post("/v1/events", content=body, headers=sent)


def wait_drained(client: TestClient, timeout: float = 10.0) -> dict[str, Any]:
    """Poll /health until every accepted batch is stored, published and checkpointed."""
    deadline = time.monotonic() + timeout
    while True:
        health = client.get("/health").json()
        if health["queued_batches"] == 0 and health["spool_backlog_bytes"] == 0:
            return health
        if time.monotonic() > deadline:
            raise AssertionError(f"collector did not drain: {health}")
        time.sleep(0.02)


def published(bus: MemoryBus) -> list[tuple[bytes | None, dict[str, Any]]]:
    """Every event on the events topic as (key, event), splitting multi-line messages."""
    consumer = bus.consumer(EVENTS_TOPIC, f"test-{time.monotonic_ns()}")
    out = []
    while messages := consumer.poll(timeout=0):
        for message in messages:
            out.extend((message.key, orjson.loads(line)) for line in message.value.split(b"\n"))
    return out
