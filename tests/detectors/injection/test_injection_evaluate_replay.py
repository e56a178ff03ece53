"""The end-to-end evaluation's scoring: evidence of any injection alert counts (attempts only on request)."""

from __future__ import annotations

from pathlib import Path

import orjson

from detectors.injection.evaluate_replay import _address, score


def _write(path: Path, docs: list[dict[str, object]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    return path


def test_score_counts_attempt_evidence_per_class_placement_and_benign(tmp_path: Path) -> None:
    labels = ["atk|sqli|query|wfuzz:SQL.txt|0", "atk|sqli|query|wfuzz:SQL.txt|1", "atk|xss|json|x|0",
              "ben|name|query|0", "ben|name|query|1", "ben|name|query|2", "ben|name|query|3"]
    events = _write(tmp_path / "e.ndjson", [{"event.id": label} for label in labels])
    alerts = _write(tmp_path / "a.ndjson", [
        {"category": "injection", "rule": {"id": "injection.sqli"}, "event_ids": [labels[0]]},
        {"category": "injection", "rule": {"id": "injection.xss"}, "event_ids": [labels[3]]},
        {"category": "injection", "rule": {"id": "injection.continued"}, "event_ids": [labels[1], labels[4]]},
        {"category": "traffic_flood", "rule": {"id": "flood.ip"}, "event_ids": [labels[2]]},  # not injection
    ])
    figures = score(events, alerts)
    assert figures["sqli/query"] == {"n": 2, "alerted": 1.0}
    assert figures["xss/json"] == {"n": 1, "alerted": 0.0}
    assert figures["benign/name"] == {"n": 4, "alerted": 0.5} and figures["benign_fpr"] == 0.5
    single = score(events, alerts, attempts_only=True)  # what one request alone raises
    assert single["sqli/query"] == {"n": 2, "alerted": 0.5} and single["benign_fpr"] == 0.25


def test_every_event_gets_its_own_unrouted_address() -> None:
    addresses = {_address(n) for n in range(1, 70_000)}
    assert len(addresses) == 69_999 and all(a.startswith(("198.18.", "198.19.")) for a in addresses)
