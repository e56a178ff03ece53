"""Fixtures of the injection tests: one trained model per session (training takes seconds)."""

from __future__ import annotations

import pytest

from detectors.injection import InjectionDetector
from detectors.injection.analyzer import Analyzer
from detectors.injection.model import InjectionModel, load_or_train


@pytest.fixture(scope="session")
def model() -> InjectionModel:
    return load_or_train(None)


@pytest.fixture(scope="session")
def analyzer(model: InjectionModel) -> Analyzer:
    return Analyzer(model=model)


@pytest.fixture
def detector(analyzer: Analyzer) -> InjectionDetector:
    return InjectionDetector(analyzer=analyzer)
