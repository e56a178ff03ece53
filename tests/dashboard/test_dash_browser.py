"""In a real browser: log in with MFA, triage an incident, search, live updates, and hostile data that
must never run script or reach an outside address."""

from __future__ import annotations

from urllib.parse import urlparse

import pyotp
import pytest
from builders import make_event, make_event_dict
from dash_browser import CHROMIUM, CHROMIUM_ARGS, LiveServer
from dash_kit import FAST_HASH, make_alert

from core.event import Event
from core.schema import FIELDS
from dashboard.bootstrap import ensure_admin
from dashboard.main import create_app
from dashboard.settings import DashboardSettings

PAYLOADS = [
    "<script>window.__xss=1;alert('xss')</script>",
    '"><img src=x onerror="window.__xss=1;alert(1)">',
    "javascript:window.__xss=1;alert(1)//",
    '<svg onload="window.__xss=1;alert(1)"><script>alert(2)</script></svg>',
    "{{7*7}}${7*7}<%= 7*7 %>{% print(1) %}#{7*7}",
    "<style>body{background:url(http://evil.example/bg.png)}</style>",
    '<a href="javascript:alert(1)" onclick="alert(1)">click</a>',
    '<iframe src="http://evil.example/"></iframe><link rel=stylesheet href="http://evil.example/x.css">',
    '<img src="http://evil.example/pixel.gif">',
    "';alert(1);//\\\"</textarea><body onload=alert(1)>",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _serve(tmp_path):
    settings = DashboardSettings(
        data_dir=tmp_path,
        secret_key="browser-test-secret-0123456789",
        **FAST_HASH,
        poll_interval_seconds=0.2,
        live_interval_seconds=0.5,
    )
    creds = ensure_admin(settings)
    app = create_app(settings)
    return app, LiveServer(app), creds


def _guarded_page(browser, server):
    """A page that records dialogs, CSP violations and every request to another origin (then blocks it)."""
    context = browser.new_context()
    outside: list[str] = []
    dialogs: list[str] = []
    own = urlparse(server.url).netloc

    def route(r):
        if urlparse(r.request.url).netloc != own:
            outside.append(r.request.url)
            return r.abort()
        return r.continue_()

    context.route("**/*", route)
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', function () {"
        " window.__csp = (window.__csp || 0) + 1; });"
    )
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return context, page, outside, dialogs


def _login(page, server, creds):
    username, password, secret = creds
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-submit")
    page.wait_for_url("**/login/mfa")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("#mfa-submit")
    page.wait_for_url("**/overview")


def test_login_triage_search_and_live_updates(browser, tmp_path):
    app, server, creds = _serve(tmp_path)
    store = app.state.ctx.store
    try:
        store.write_events([make_event(i, event__id=f"b-{i}", user__name="amy") for i in range(5)])
        store.write_alerts([make_alert(0, event_ids=["b-0", "b-1"], severity="high")])
        context, page, outside, dialogs = _guarded_page(browser, server)
        refused: list[str] = []  # e.g. a /favicon.ico 404: a console error on every page
        page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        _login(page, server, creds)
        page.goto(server.url + "/incidents")
        page.wait_for_selector("tr.incident-row")
        page.click("tr.incident-row a")
        for status in ("acknowledged", "investigating", "contained", "resolved"):
            page.click(f"#to-{status}")
            page.wait_for_selector(f"#incident-status .status-{status}")
        assert "contained → resolved" in page.inner_text("#timeline")
        page.goto(server.url + "/search")
        page.fill("#search-q", "user.name:amy")
        page.click("#search-submit")
        assert page.inner_text("#search-total") == "5 events"
        assert page.locator("tr.search-row").count() == 5
        page.goto(server.url + "/alerts")
        assert page.locator("tr.alert-row").count() == 1
        store.write_alerts([make_alert(30, entity_value="bob", summary="arrived live")])
        page.wait_for_selector("text=arrived live", timeout=10_000)  # no reload: the polling script
        assert outside == [] and dialogs == [] and page.evaluate("window.__csp") is None
        assert refused == []
        icon = page.request.get(server.url + page.get_attribute("link[rel=icon]", "href"))  # not a 404
        assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml")
        context.close()
    finally:
        server.stop()


# Fields whose value the contract constrains (enums, formats) cannot carry a payload.
CONSTRAINED = {"@timestamp", "event.ingested", "event.dataset", "event.outcome"}


def _hostile_event(i: int, p: str) -> Event:
    """An event where every free-form string field of the contract (and a few extra) holds `p`."""
    flat = dict(Event.from_dict(make_event_dict(i, message=p, extra__field=p)).flat)
    for name, kind in FIELDS.items():
        if name not in CONSTRAINED and kind in ("keyword", "text"):
            flat[name] = p
        elif name not in CONSTRAINED and kind == "keyword[]":
            flat[name] = [p]
    flat["event.id"] = f"h-{i}-{p}"  # unique, and hostile too
    return Event.from_dict(flat)


def _hostile_world(store):
    events, alerts = [], []
    for i, p in enumerate(PAYLOADS):
        events.append(_hostile_event(i, p))
        alerts.append(
            make_alert(
                i,
                rule_id=p,
                rule_name=p,
                entity_value=p,
                summary=p,
                tags=[p],
                event_ids=[f"h-{i}-{p}"],
                severity="critical",
            )
        )
    store.write_events(events)
    store.write_alerts(alerts)


def test_hostile_strings_never_run_or_leak(browser, tmp_path):
    app, server, creds = _serve(tmp_path)
    try:
        _hostile_world(app.state.ctx.store)
        app.state.worker.drain()
        context, page, outside, dialogs = _guarded_page(browser, server)
        _login(page, server, creds)
        pages = [
            "/alerts",
            "/incidents",
            "/overview",
            "/rules",
            "/admin/audit",
            "/search?q=",
            "/search?q=" + PAYLOADS[0],
            "/incidents/1",
            "/incidents/1/investigate",
            "/incidents/3",
            "/incidents/3/investigate",
            "/incidents/1/report.html",
        ]
        for path in pages:
            if path.endswith("report.html"):
                continue  # a download: checked below through the same session
            page.goto(server.url + path)
            page.wait_for_timeout(150)
            assert page.evaluate("window.__xss") is None, path
            assert page.evaluate("window.__csp") is None, path  # escaping held: CSP never had to act
            if path.endswith("/investigate"):
                assert page.locator("details.evidence").count() == 1, path  # the hostile event is shown
        assert "<script>window.__xss=1" in page.inner_text("body")  # shown as text, not run
        report = context.request.get(server.url + "/incidents/1/report.html").text()
        assert "<script>" not in report and "&lt;script&gt;" in report
        page.goto(server.url + "/alerts")
        page.wait_for_timeout(1200)  # let live refreshes insert the fragment at least once
        assert page.evaluate("window.__xss") is None
        assert dialogs == [] and outside == []
        context.close()
    finally:
        server.stop()
