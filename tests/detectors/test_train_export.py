"""`mlm-siem train` saves every trainable model with a manifest; `rules export` converts the pack."""

from __future__ import annotations

import orjson
from builders import make_event_dict

from detectors.base import DetectorConfig
from detectors.engine import Engine
from mlm_siem.cli import main


def test_train_saves_models_that_replay_loads(tmp_path, capsys):
    baseline = tmp_path / "baseline.ndjson"
    events = []
    for day in range(3):
        for user in range(30):
            t = day * 86400 + user * 60
            events.append(make_event_dict(t, user__id=str(1000 + user), user__name=f"user{user}",
                                          source__ip=f"198.51.100.{user}", mlm__device__id=f"dev-{user}",
                                          **{"source.geo.country_iso_code": "US", "mlm.auth.mfa_required": False}))
    baseline.write_bytes(b"\n".join(orjson.dumps(e) for e in events) + b"\nnot json\n")
    out = tmp_path / "models"
    assert main(["train", "--baseline", str(baseline), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "train: 90 baseline events (1 bad lines)" in err
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    assert manifest["failed"] == [] and manifest["version"] == 1
    assert len(manifest["baseline"]["sha256"]) == 64 and manifest["baseline"]["events"] == 90
    engine = Engine.build(DetectorConfig(models_dir=out))
    trainable = [d.name for d in engine.trainable()]
    assert manifest["models"] == trainable and engine.loaded_models == trainable


def test_rules_export_lucene_and_esql(tmp_path, capsys):
    out = tmp_path / "lucene.ndjson"
    assert main(["rules", "export", "--target", "elasticsearch", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    items = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    queries = {i["rule"]["name"]: i["queries"] for i in items}
    assert queries["mlm_bulk_export"] == ["event.action:data_exported AND mlm.export.records:>=1000"]
    assert queries["mlm_failed_login"] == ["event.dataset:mlm.auth AND event.action:login AND event.outcome:failure"]
    assert "skipped Brute force against one account" in err  # Lucene has no correlations
    assert main(["rules", "export", "--language", "esql"]) == 0
    captured = capsys.readouterr()
    items = [orjson.loads(line) for line in captured.out.splitlines()]
    brute = next(i for i in items if i["rule"]["name"] == "mlm_brute_force_user")
    assert brute["correlation"] and "user.id" in brute["queries"][0] and "10" in brute["queries"][0]
