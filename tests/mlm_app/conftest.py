"""Fixtures for the MLM app platform tests: an app on a temp data dir with captured events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mlmapp_helpers import Harness

from mlm_app.main import create_app
from mlm_app.settings import AppSettings


@pytest.fixture
def make_harness(tmp_path: Any) -> Callable[..., Harness]:
    counter = iter(range(1000))

    def build(**overrides: Any) -> Harness:
        overrides.setdefault("shipper", "off")
        settings = AppSettings(data_dir=tmp_path / f"app{next(counter)}", **overrides)
        harness = Harness(create_app(settings))
        harness.app.state.emitter.sinks.append(harness.events.append)
        return harness

    return build


@pytest.fixture
def harness(make_harness: Callable[..., Harness]) -> Harness:
    return make_harness(response_token="resp-token-for-tests-0123456789")
