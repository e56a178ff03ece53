"""`mlm-siem train` and `--models`: the ato and fraud models are fitted, saved, found and used."""

from __future__ import annotations

import random

import orjson
from ato_helpers import login

from detectors.base import DetectorConfig
from detectors.engine import Engine
from detectors.train import train

DAY = 86_400.0
MINE = {"ato.credential_stuffing", "ato.impossible_travel", "ato.login_risk", "fraud.commission_spikes"}


def test_models_train_save_and_load_through_the_engine(tmp_path):
    rng = random.Random(1)
    baseline = [login(d * DAY + rng.uniform(0, 600), f"u{u}", country="US", device=f"d{u}", source__as__number=7922)
                for d in range(10) for u in range(20)]
    path = tmp_path / "baseline.ndjson"
    path.write_bytes(b"".join(orjson.dumps(e.doc) + b"\n" for e in baseline))
    config = DetectorConfig(families=["ato", "fraud"])
    result = train(config, path, tmp_path / "models")
    assert MINE <= set(result.models) and result.failed == []
    engine = Engine.build(DetectorConfig(families=["ato", "fraud"], models_dir=tmp_path / "models"))
    assert MINE <= set(engine.load_models(tmp_path / "models"))
    stranger = login(20 * DAY, "u3", ip="203.0.113.50", country="RO", device="evil", source__as__number=9009)
    assert [a.rule_id for a in engine.process(stranger)] == ["mlm-ato-login-risk"]
