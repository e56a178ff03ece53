"""The pieces of the flood detector: keys, bounded tables, window arithmetic, seasonal thresholds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builders import make_event

from detectors.flood import FloodDetector
from detectors.flood.baseline import FLOOR_IP, FLOOR_LOGIN, FLOOR_PATH, FLOOR_SERVICE, MIN_SERVICE, Baseline
from detectors.flood.features import network_of, normalize_path, request_of
from detectors.flood.window import BUCKET_SECONDS, NO_SESSION, WINDOW_BUCKETS, KeyTable, WindowStats


def test_networks_are_24_for_ipv4_and_64_for_ipv6() -> None:
    assert network_of("203.0.113.77") == "203.0.113.0/24"
    assert network_of("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"


def test_paths_collapse_ids_so_keys_stay_few() -> None:
    assert normalize_path("/api/orders/123/items") == "/api/orders/:id/items"
    assert normalize_path("/genealogy/D-1001") == "/genealogy/:id"
    assert normalize_path("/u/3f2b8c1e-9a7d-4e5f-8b6a-1c2d3e4f5a6b") == "/u/:id"
    assert normalize_path("/shop?q=x") == "/shop"
    assert len(normalize_path("/" + "a" * 5000)) <= 120


def test_request_features_tell_visitors_from_bare_requests() -> None:
    bare = request_of(make_event(0, event__dataset="mlm.http", url__path="/shop", user_agent__original=None).flat)
    assert bare.no_session and bare.no_referrer and not bare.asset and bare.client == "-"
    visitor = request_of(make_event(0, event__dataset="mlm.http", url__path="/shop", mlm__session__id="s1",
                                    http__request__referrer="https://mlm.example/").flat)
    assert not visitor.no_session and not visitor.no_referrer and visitor.client == "s1"
    asset = request_of(make_event(0, event__dataset="mlm.http", url__path="/static/app.js").flat)
    assert asset.asset
    login = request_of(make_event(0, event__dataset="mlm.http", url__path="/login", http__request__method="POST",
                                  http__response__status_code=401).flat)
    assert login.login and login.failed and login.path == "POST /login"


def test_key_table_is_bounded_and_sweeps_stale_keys() -> None:
    table = KeyTable(max_keys=100)
    for i in range(1000):
        table.touch(f"ip-{i}", bucket=0)
    assert len(table.keys) == 100 and "ip-999" in table.keys and "ip-0" not in table.keys
    table.touch("fresh", bucket=10)
    table.sweep(10)
    assert list(table.keys) == ["fresh"]


def test_window_counts_only_completed_buckets_inside_the_window() -> None:
    table = KeyTable(10)
    state, _ = table.touch("k", 0)
    for _ in range(30):
        state.add((1, 1, 0, 1, 0), "e", "c1", 30, 30)
    _, rolled = table.touch("k", 1)
    assert rolled
    stats = state.window()
    assert (stats.total, stats.ratio(NO_SESSION), stats.clients) == (30, 1.0, 1)
    assert stats.flood_score() == 1.0 and stats.dominated(0.8)
    assert stats.rate == 30 / (WINDOW_BUCKETS * BUCKET_SECONDS)
    table.touch("k", 1 + WINDOW_BUCKETS + 1)  # a long silence empties the window
    assert state.window().total == 0


def test_thresholds_are_floors_without_baseline_and_seasonal_with_one(tmp_path: Path) -> None:
    baseline = Baseline()
    assert baseline.threshold("ip", "x", 0) == FLOOR_IP
    assert baseline.threshold("path", "POST /login", 0, login=True) == FLOOR_LOGIN
    assert baseline.threshold("path", "/shop", 0) == FLOOR_PATH
    assert baseline.threshold("service", "mlm_app", 0) == FLOOR_SERVICE
    for n in range(360):  # busy evenings (20:00), quiet nights (03:00)
        baseline.record("service", "mlm_app", 40.0 + n % 5, 20 * 3600 + n * 10)
        baseline.record("service", "mlm_app", 2.0, 3 * 3600 + n * 10)
    baseline.fit()
    evening, night = baseline.threshold("service", "m", 20 * 3600), baseline.threshold("service", "m", 3 * 3600)
    assert evening >= 3 * 40 and night == MIN_SERVICE
    assert baseline.threshold("service", "m", 12 * 3600) == FLOOR_SERVICE  # no data for noon: the floor
    baseline.save(tmp_path)
    loaded = Baseline()
    assert loaded.load(tmp_path) and loaded.threshold("service", "m", 20 * 3600) == evening
    (tmp_path / "flood_baseline.json").write_text("not json")
    assert not Baseline().load(tmp_path)


def test_a_long_flood_re_alerts_only_after_the_suppression_window() -> None:
    detector = FloodDetector()
    alerts = []
    for i in range(20 * 700):  # 20 req/s for 700 s from one address
        alerts += detector.process(make_event(i / 20, event__dataset="mlm.http", url__path="/",
                                              source__ip="192.0.2.9"))
    assert [a.rule_id for a in alerts] == ["flood.ip"] * 3  # at ~30 s, then after 300 s and 600 s


def test_flood_score_weighs_visitor_signals_not_rate() -> None:
    # counts: total, no_session, no_referrer, asset, new_device, failed, login, top_ip, top_path
    crowd = WindowStats([1000, 30, 100, 600, 150, 20, 50, 5, 250], 400, 30.0)
    tool = WindowStats([1000, 1000, 1000, 0, 1000, 0, 0, 1000, 1000], 1, 30.0)
    spoofed_referrer_bots = WindowStats([1000, 1000, 0, 0, 1000, 0, 0, 3, 1000], 900, 30.0)
    assert crowd.flood_score() < 0.25
    assert tool.flood_score() == 1.0 and spoofed_referrer_bots.flood_score() >= 0.6
    assert WindowStats([100, 0, 0, 0, 100, 0, 0, 1, 100], 90, 30.0).flood_score(page_key=True) < 0.6


def test_packed_counters_sum_like_separate_ones() -> None:
    import random

    rng = random.Random(7)
    table = KeyTable(10)
    expected = [[0] * 9 for _ in range(3)]
    for bucket in range(3):
        state, _ = table.touch("k", bucket)
        for n in range(rng.randint(50, 400)):
            signs = tuple(rng.random() < 0.4 for _ in range(5))
            ip_count, path_count = rng.randint(0, 500), rng.randint(0, 500)
            state.add(signs, f"e{bucket}-{n}", None, ip_count, path_count)
            row = expected[bucket]
            row[0] += 1
            for slot, sign in enumerate(signs, 1):
                row[slot] += sign
            row[7], row[8] = max(row[7], ip_count), max(row[8], path_count)
        assert state.counts == expected[bucket]
    assert state.window(current=True).counts == [sum(col) for col in zip(*expected, strict=True)]
    assert state.evidence() == [f"e2-{n}" for n in range(n - 19, n + 1)]


def _http(t: float, ip: str, path: str = "/shop", method: str = "GET", status: int = 200) -> Any:
    return make_event(t, event__dataset="mlm.http", event__action="http_request", url__path=path,
                      http__request__method=method, http__response__status_code=status, source__ip=ip,
                      event__outcome="failure" if status >= 400 else "success")


def test_states_dropped_from_a_full_table_are_looked_up_again_not_counted_apart() -> None:
    detector = FloodDetector()
    detector.networks.max_keys = 2  # a tiny cap: the first network is evicted by the third
    for n, net in enumerate(("198.51.100", "203.0.113", "192.0.2")):  # two addresses: a network state each
        detector.process(_http(n, f"{net}.1"))
        detector.process(_http(n, f"{net}.2"))
    assert "198.51.100.0/24" not in detector.networks.keys
    first_ip = detector.ips.keys["198.51.100.1"]
    evicted = first_ip.net
    detector.process(_http(3, "198.51.100.1"))  # its IP state still points at the evicted network
    detector.process(_http(3, "198.51.100.2"))
    network = detector.networks.keys["198.51.100.0/24"]
    assert first_ip.net is network is detector.ips.keys["198.51.100.2"].net and network is not evicted
    # Rebuilt from the first address's own counts (networks.py), its earlier request included.
    assert network.total == 3
    detector.paths.max_keys = 1  # the same for a path key held by a raw-path route
    detector.process(_http(4, "198.51.100.1", "/cart"))
    detector.process(_http(5, "198.51.100.1", "/shop"))
    assert detector.paths.keys["/shop"].total == 1 and list(detector.paths.keys) == ["/shop"]


def test_a_raw_path_spelling_the_login_key_does_not_take_the_login_threshold() -> None:
    detector = FloodDetector()
    detector.process(_http(0, "192.0.2.7", "POST /login"))  # a GET whose raw path mimics the key
    flood = [_http(1 + i / 15, f"100.64.{i % 250}.{1 + i % 200}", "/login", "POST", 401) for i in range(15 * 60)]
    assert "flood.login" in {a.rule_id for e in flood for a in detector.process(e)}


def test_remembered_raw_paths_are_bounded() -> None:
    from detectors.flood.detector import MAX_ROUTES

    detector = FloodDetector()
    for i in range(MAX_ROUTES + 100):
        detector.process(_http(i / 1000, "192.0.2.8", f"/search/x{i}y"))
    assert len(detector._routes[False]) <= MAX_ROUTES and len(detector.paths.keys) <= 5000


def _network_windows(detector: FloodDetector, network: str) -> list[int]:
    state = detector.networks.keys[network]
    return state.window(current=True).counts + [state.bucket, state.recent, *state.evidence()]


def test_a_network_of_one_address_has_no_state_until_a_second_address_shows() -> None:
    import random

    from detectors.flood.window import SOLO

    rng = random.Random(11)
    solo, apart = FloodDetector(), FloodDetector()
    apart.solo_networks = False
    # One address of 203.0.113.0/24 for 95 s at varied rates and cookies, then its neighbours join.
    events = [_http(t, "203.0.113.5", rng.choice(["/", "/shop", "/cart"]), status=rng.choice([200, 200, 404]))
              for t in sorted(rng.uniform(0, 95) for _ in range(400))]
    assert [a for e in events for a in solo.process(e)] == [a for e in events for a in apart.process(e)]
    assert solo.ips.keys["203.0.113.5"].net is SOLO and "203.0.113.0/24" not in solo.networks.keys
    later = [_http(95 + i / 20, f"203.0.113.{(6, 5, 7, 8)[i % 4]}", "/shop") for i in range(20 * 40)]
    for event in later:  # the network's counts match after every request, from the promoting one on
        assert [a.rule_id for a in solo.process(event)] == [a.rule_id for a in apart.process(event)]
        assert _network_windows(solo, "203.0.113.0/24") == _network_windows(apart, "203.0.113.0/24")
    assert solo.ips.keys["203.0.113.5"].net is solo.networks.keys["203.0.113.0/24"]


def test_solo_networks_give_the_alerts_of_networks_counted_apart() -> None:
    import random

    rng = random.Random(5)
    solo, apart = FloodDetector(), FloodDetector()
    apart.solo_networks = False
    # Many networks, some with one address, some growing to several, bursts and pauses (sweeps).
    events = []
    for n in range(30):
        base, start = f"100.{64 + n}.7", rng.uniform(0, 600)
        addresses = rng.choice([1, 1, 2, 5])
        rate = rng.choice([0.2, 2.0, 12.0, 60.0])
        for i in range(int(rate * 60)):
            ip = f"{base}.{1 + (i * 7919) % addresses}"
            events.append(_http(start + i / rate, ip, rng.choice(["/", "/shop", "/login"]), status=404))
    events.sort(key=lambda e: e.ts)
    got = [(a.rule_id, a.entity_value, a.event_ids) for e in events for a in solo.process(e)]
    want = [(a.rule_id, a.entity_value, a.event_ids) for e in events for a in apart.process(e)]
    assert got == want and any(rule == "flood.network" for rule, _, _ in got)
    assert len(solo.networks.keys) < len(apart.networks.keys)


def test_interleaved_services_count_apart() -> None:
    detector = FloodDetector()
    alerts = []
    for i in range(120 * 60):  # 120 req/s of bare requests on "shop", 2 req/s of it on "office"
        service = "office" if i % 60 == 0 else "shop"
        alerts += detector.process(make_event(i / 120, event__dataset="mlm.http", url__path="/" + "abcdefghij"[i % 10] * (1 + i % 7),
                                              service__name=service, source__ip=f"100.64.{i % 200}.{i % 250}"))
    assert {(a.rule_id, a.entity_value) for a in alerts} == {("flood.service", "shop")}
    shop, office = detector.services.keys["shop"], detector.services.keys["office"]
    assert shop.bucket == office.bucket and (shop.total, office.total) == (1180, 20)  # the last 10 s
