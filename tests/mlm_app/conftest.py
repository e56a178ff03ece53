"""Fixtures for the MLM app platform tests: an app on a temp data dir with captured events.

Every event any test makes is also checked against the EVENTS.md contract (core.event.Event) and
for leaked test secrets; a violation fails the test that caused it, whatever it asserted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from mlmapp_helpers import PASSWORD, Harness

from core.event import Event, EventError
from mlm_app.main import create_app
from mlm_app.settings import AppSettings


@pytest.fixture
def make_harness(tmp_path: Any) -> Iterator[Callable[..., Harness]]:
    counter = iter(range(1000))
    problems: list[str] = []

    def check(doc: dict[str, Any]) -> None:
        try:
            Event.from_dict(doc)
        except EventError as exc:
            problems.append(f"{doc['event']['action']}: {exc}")
        if PASSWORD in str(doc):
            problems.append(f"{doc['event']['action']}: the test password leaked into an event")

    def build(**overrides: Any) -> Harness:
        overrides.setdefault("shipper", "off")
        settings = AppSettings(data_dir=tmp_path / f"app{next(counter)}", **overrides)
        harness = Harness(create_app(settings))
        harness.app.state.emitter.sinks.extend([check, harness.events.append])
        return harness

    yield build
    assert problems == []


@pytest.fixture
def harness(make_harness: Callable[..., Harness]) -> Harness:
    return make_harness(response_token="resp-token-for-tests-0123456789")
