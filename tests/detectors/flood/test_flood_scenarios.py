"""Timed traffic sequences: floods alert fast and once; flash crowds, NAT offices and crawlers stay quiet."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from typing import Any

from builders import make_event

from core.alert import Alert
from core.event import Event, parse_timestamp
from detectors.base import DetectorConfig
from detectors.flood import FloodDetector, build


def req(t: float, ip: str, path: str = "/shop", method: str = "GET", status: int = 200, **extra: Any) -> Event:
    fields: dict[str, Any] = {
        "event__dataset": "mlm.http", "event__action": "http_request", "event__category": ["web"],
        "event__outcome": "failure" if status >= 400 else "success", "http__request__method": method,
        "url__path": path, "http__response__status_code": status, "source__ip": ip,
    }
    fields.update({k.replace(".", "__"): v for k, v in extra.items()})
    return make_event(t, **fields)


def run(detector: FloodDetector, events: Iterable[Event]) -> list[Alert]:
    return [alert for event in sorted(events, key=lambda e: e.ts) for alert in detector.process(event)]


def browsing(rng: random.Random, start: float, seconds: float, visitors: int, ip_of: Any,
             per_visitor_rate: float, returning: bool = True) -> Iterator[Event]:
    """Real visitors: a session and device cookie, pages with their assets, referrers, logins that work."""
    pages = ["/", "/shop", "/shop/promo", "/product/17", "/product/42", "/cart", "/genealogy"]
    for v in range(visitors):
        t = start + rng.random() * 5
        session, device = f"s-{v}", f"d-{v}" if returning or rng.random() < 0.5 else None
        while t < start + seconds:
            page = rng.choice(pages)
            yield req(t, ip_of(v), page, **{"mlm.session.id": session, "mlm.device.id": device,
                                            "http.request.referrer": "https://mail.example/promo"})
            for asset in ("/static/app.css", "/static/app.js", "/static/logo.png"):
                yield req(t + 0.05, ip_of(v), asset, **{"mlm.session.id": session,
                                                        "http.request.referrer": "https://mlm.example/"})
            if rng.random() < 0.05:
                yield req(t + 0.1, ip_of(v), "/login", "POST", 302 if rng.random() < 0.9 else 401,
                          **{"mlm.device.id": device, "http.request.referrer": "https://mlm.example/login"})
            t += rng.expovariate(per_visitor_rate / 4)


def test_wrk_from_one_ip_alerts_within_60_s_and_once() -> None:
    rng = random.Random(1)
    background = list(browsing(rng, 0, 120, 40, lambda v: f"198.51.100.{v % 200}", 0.5))
    flood = [req(30 + i / 400, "127.0.0.1", "/shop", **{"user_agent.original": "wrk"}) for i in range(400 * 40)]
    alerts = run(FloodDetector(), background + flood)
    ip_alerts = [a for a in alerts if a.rule_id == "flood.ip"]
    assert [a.entity_value for a in ip_alerts] == ["127.0.0.1"]
    first = min(e.ts for e in flood)
    assert parse_timestamp(ip_alerts[0].timestamp).timestamp() - first <= 60
    assert ip_alerts[0].category == "traffic_flood" and "attack.t1499" in ip_alerts[0].tags
    assert ip_alerts[0].event_ids and set(ip_alerts[0].event_ids) <= {e.id for e in flood}
    # One source, one story: no service, path or network alert duplicating it.
    assert {a.rule_id for a in alerts} == {"flood.ip"}


def test_distributed_flood_from_thousands_of_ips_alerts_on_the_service() -> None:
    rng = random.Random(2)
    background = list(browsing(rng, 0, 120, 40, lambda v: f"198.51.100.{v % 200}", 0.5))
    bots = [f"{rng.randint(11, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            for _ in range(3000)]
    flood = [req(30 + i / 250, bots[i % len(bots)], "/") for i in range(250 * 60)]
    alerts = run(FloodDetector(), background + flood)
    rules = [a.rule_id for a in alerts]
    assert rules.count("flood.service") == 1
    service = next(a for a in alerts if a.rule_id == "flood.service")
    assert (service.entity_type, service.entity_value, service.severity) == ("service", "mlm_app", "critical")
    assert parse_timestamp(service.timestamp).timestamp() - flood[0].ts <= 60
    assert "flood.ip" not in rules  # no single bot is fast


def test_login_flood_from_many_ips_alerts_on_the_login_endpoint() -> None:
    rng = random.Random(3)
    background = list(browsing(rng, 0, 120, 30, lambda v: f"198.51.100.{v}", 0.5))
    flood = [req(20 + i / 15, f"100.{64 + i % 50}.{i % 250}.{1 + i % 200}", "/login", "POST", 401,
                 **{"user_agent.original": "python-requests/2.31"}) for i in range(15 * 60)]
    alerts = run(FloodDetector(), background + flood)
    login = [a for a in alerts if a.rule_id == "flood.login"]
    assert len(login) == 1 and "POST /login" in login[0].summary
    assert "attack.t1110" in login[0].tags and login[0].entity_type == "service"
    assert parse_timestamp(login[0].timestamp).timestamp() - flood[0].ts <= 60


def test_promo_flash_crowd_of_real_sessions_stays_quiet() -> None:
    rng = random.Random(4)
    crowd = list(browsing(rng, 0, 90, 300, lambda v: f"{20 + v % 180}.{v % 251}.{v % 13}.{1 + v % 250}", 0.6,
                          returning=False))
    assert len(crowd) / 90 > 150  # well above the static service floor of 100 req/s
    assert run(FloodDetector(), crowd) == []


def test_shared_office_nat_and_modest_crawlers_stay_quiet() -> None:
    rng = random.Random(5)
    office = list(browsing(rng, 0, 120, 80, lambda v: "203.0.113.1", 0.5))
    assert len(office) / 120 > 20  # above the per-IP floor, spread over 80 people
    crawler = [req(i / 3, "66.249.66.1", f"/product/{i}", **{"user_agent.original": "Googlebot/2.1"})
               for i in range(3 * 300)]
    assert run(FloodDetector(), office + crawler) == []


def test_network_flood_of_slow_bots_in_one_24_alerts_on_the_network() -> None:
    flood = [req(i / 200, f"45.67.89.{1 + i % 200}", "/shop") for i in range(200 * 60)]
    alerts = run(FloodDetector(), flood)
    nets = [a for a in alerts if a.rule_id == "flood.network"]
    assert [a.entity_value for a in nets] == ["45.67.89.0/24"]
    assert not [a for a in alerts if a.rule_id == "flood.ip"]


def test_baseline_learns_seasonality_and_is_saved_and_loaded(tmp_path: Any) -> None:
    rng = random.Random(6)
    quiet = FloodDetector()
    baseline = list(browsing(rng, 0, 600, 6, lambda v: f"198.51.100.{v}", 0.5))
    for event in sorted(baseline, key=lambda e: e.ts):
        quiet.observe_baseline(event)
    quiet.fit_baseline()
    quiet.save(tmp_path)
    # 25 req/s of bare requests: under the static floors, far over this small site's normal.
    flood = [req(1000 + i / 25, f"{11 + i % 200}.{i % 250}.1.{1 + i % 250}", "/") for i in range(25 * 60)]
    assert [a.rule_id for a in run(FloodDetector(), flood)] == []
    loaded = build(DetectorConfig(models_dir=tmp_path))[0]
    assert isinstance(loaded, FloodDetector) and loaded.baseline.fitted is not None
    assert {"flood.service", "flood.path"} <= {a.rule_id for a in run(loaded, flood)}
    # The same baseline keeps the site's own busiest benign minute quiet.
    replay = [e for e in baseline if e.ts < 300]
    assert run(loaded, [req(e.ts + 2000, str(e.get("source.ip")), str(e.get("url.path")),
                            **{"mlm.session.id": e.get("mlm.session.id") or "s",
                               "http.request.referrer": "https://mlm.example/"}) for e in replay]) == []


def test_non_http_events_are_ignored() -> None:
    detector = FloodDetector()
    assert all(detector.process(make_event(i / 1000)) == [] for i in range(5000))


def test_ipv6_bots_sharing_one_64_alert_on_the_network() -> None:
    flood = [req(i / 150, f"2001:db8:1:2::{1 + i % 150:x}", "/shop") for i in range(150 * 45)]
    nets = [a for a in run(FloodDetector(), flood) if a.rule_id == "flood.network"]
    assert [a.entity_value for a in nets] == ["2001:db8:1:2::/64"]


def test_slow_flood_from_one_address_alerts_after_minutes_and_once() -> None:
    rng = random.Random(7)
    background = list(browsing(rng, 0, 900, 30, lambda v: f"198.51.100.{v}", 0.5))
    pages = ["/shop", "/shop/promo", "/genealogy", "/", "/enroll"]
    flood, t = [], 60.0
    while t < 60 + 600:  # 3 req/s for 10 minutes: under every 30-s threshold
        flood.append(req(t, "203.0.113.99", rng.choice(pages), status=rng.choice((200, 200, 200, 503)),
                         **{"user_agent.original": "Go-http-client/2.0"}))
        t += rng.expovariate(3.0)
    alerts = run(FloodDetector(), background + flood)
    assert [(a.rule_id, a.entity_value) for a in alerts] == [("flood.ip_sustained", "203.0.113.99")]
    took = parse_timestamp(alerts[0].timestamp).timestamp() - flood[0].ts
    assert 300 <= took <= 360 and "req/s for 5 min" in alerts[0].summary


def test_signed_in_scraper_walking_ids_that_mostly_fail_alerts() -> None:
    rng = random.Random(8)
    scrape, t = [], 0.0
    for target in range(100_000, 101_500):  # ~2 req/s, one at a time, with a member's session
        status = 200 if target % 9 == 0 else (403 if target % 7 == 0 else 404)
        scrape.append(req(t, "20.43.31.31", f"/api/genealogy/{target}", status=status,
                          **{"mlm.session.id": "s-scraper", "user_agent.original": "python-requests/2.32.3"}))
        t += 0.02 + rng.expovariate(2.2)
    alerts = run(FloodDetector(), scrape)  # ~11 minutes: alerted, and again once suppression ends
    # The same walk spread over two addresses (about 1 req/s each) is still seen on both.
    spread = [req(e.ts, ("20.43.31.31", "52.142.118.208")[n % 2], str(e.get("url.path")),
                  status=int(e.get("http.response.status_code")), **{"mlm.session.id": "s-scraper"})
              for n, e in enumerate(scrape) if e.ts - scrape[0].ts < 500]
    assert {a.entity_value for a in run(FloodDetector(), spread)} == {"20.43.31.31", "52.142.118.208"}
    assert [(a.rule_id, a.entity_value) for a in alerts] == [("flood.ip_sustained", "20.43.31.31")] * 2
    times = [parse_timestamp(a.timestamp).timestamp() - scrape[0].ts for a in alerts]
    assert 300 <= times[0] <= 360 and times[1] - times[0] >= 300


def test_steady_crawlers_and_busy_people_are_not_slow_floods() -> None:
    rng = random.Random(9)
    crawler = [req(i * 1.0, "66.249.66.7", f"/product/{i}", **{"user_agent.original": "Googlebot/2.1"})
               for i in range(1200)]  # 1 req/s for 20 minutes, no session: a steady crawler
    shopper = list(browsing(rng, 0, 900, 1, lambda v: "198.51.100.50", 2.0))  # a fast clicker with assets
    office = list(browsing(rng, 0, 900, 20, lambda v: "203.0.113.1", 0.5))  # a call centre behind one NAT
    assert run(FloodDetector(), crawler + shopper + office) == []


def _fitted(rng: random.Random) -> FloodDetector:
    """A detector that learned ten minutes of a small site's normal traffic (a few req/s)."""
    detector = FloodDetector()
    for event in sorted(browsing(rng, 0, 600, 8, lambda v: f"198.51.100.{v}", 0.5), key=lambda e: e.ts):
        detector.observe_baseline(event)
    detector.fit_baseline()
    return detector


def test_low_rate_distributed_flood_of_thousands_of_addresses_alerts_on_the_service() -> None:
    rng = random.Random(10)
    detector = _fitted(rng)
    background = list(browsing(rng, 1000, 400, 8, lambda v: f"198.51.100.{v}", 0.5))
    bots = [f"{rng.randint(11, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            for _ in range(2500)]
    # Each address sends one request a minute (~42 req/s in all), cache-busting the home page.
    flood = [req(1060 + minute * 60 + rng.uniform(0, 60), ip, "/", **{"user_agent.original": "Mozilla/5.0"})
             for minute in range(5) for ip in bots]
    alerts = run(detector, background + flood)
    service = [a for a in alerts if a.rule_id == "flood.service"]
    start = min(e.ts for e in flood)
    assert service and parse_timestamp(service[0].timestamp).timestamp() - start <= 60
    assert not [a for a in alerts if a.entity_type == "ip"]  # no single address stands out


def test_login_flood_from_a_proxy_pool_alerts_on_the_login_form() -> None:
    rng = random.Random(11)
    detector = _fitted(rng)
    pool = [f"45.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}" for _ in range(800)]
    flood = [req(1000 + i / 6, rng.choice(pool), "/login", "POST", 401,
                 **{"user_agent.original": "python-httpx/0.27.2"}) for i in range(6 * 180)]  # 6 req/s
    alerts = run(detector, list(browsing(rng, 1000, 200, 8, lambda v: f"198.51.100.{v}", 0.5)) + flood)
    login = [a for a in alerts if a.rule_id == "flood.login"]
    assert login and parse_timestamp(login[0].timestamp).timestamp() - flood[0].ts <= 60


def _guessing(ip: str, accounts: list[str], rate: float, seconds: float, seed: int) -> list[Event]:
    """A password guesser: the login form fetched, then posted and refused, at `rate` tries a second,
    with the application's own record of each refused login (mlm.auth)."""
    rng, events, t = random.Random(seed), [], 0.0
    agent = {"user_agent.original": "python-requests/2.32.3"}
    while t < seconds:
        events.append(req(t, ip, "/login", **agent))
        events.append(req(t + 0.05, ip, "/login", "POST", 401, **agent))
        events.append(make_event(t + 0.06, event__outcome="failure", source__ip=ip, user__name=rng.choice(accounts),
                                 mlm__auth__failure_reason="bad_password", user_agent__original=agent["user_agent.original"]))
        t += rng.expovariate(rate)
    return events


def test_password_guessing_from_one_address_is_the_account_takeover_familys_alone() -> None:
    from detectors.engine import Engine

    for seed, accounts, rate in ((1, ["amy"], 1.0), (2, ["amy", "bob", "carla"], 2.5)):
        engine = Engine.build(DetectorConfig(families=["flood", "ato"]))
        events = sorted(_guessing("198.51.100.77", accounts, rate, 900, seed), key=lambda e: e.ts)
        rules = {a.rule_id for e in events for a in engine.process(e)}
        assert not any(rule.startswith("flood.") for rule in rules), rules  # one attack, one incident
        assert any(rule.startswith("mlm-ato-") for rule in rules), rules
    # The same pace of refusals on anything but the login form is still a slow flood (a scraper).
    scraper = [req(e.ts, e.flat["source.ip"], "/api/genealogy/7" if e.get("url.path") else "/x", status=404,
                   **{"user_agent.original": "python-requests/2.32.3"})
               for e in _guessing("198.51.100.77", ["amy"], 1.0, 900, 1) if e.get("event.dataset") == "mlm.http"]
    assert {a.rule_id for a in run(FloodDetector(), scraper)} == {"flood.ip_sustained"}


def test_a_login_flood_from_a_few_hosts_is_still_a_flood() -> None:
    rng = random.Random(4)
    hosts = [f"45.90.{n}.{n + 10}" for n in range(rng.randint(3, 5))]
    flood, t = [], 0.0
    while t < 120:  # 30 posts a second in all: a few per host, under the per-address threshold
        flood.append(req(t, rng.choice(hosts), "/login", "POST", 401, **{"user_agent.original": "hydra"}))
        t += rng.expovariate(30.0)
    assert "flood.login" in {a.rule_id for a in run(FloodDetector(), flood)}
