"""The walking skeleton end to end: real processes on free ports, a brute force seen on the dashboard."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from builders import csrf_fields


def test_every_service_answers_health(stack):
    for url in stack.info["urls"].values():
        assert httpx.get(f"{url}/health", timeout=5).status_code == 200
    assert oct((stack.data_dir / "stack.json").stat().st_mode & 0o777) == "0o600"


def test_brute_force_reaches_dashboard_within_10_seconds(stack):
    app = httpx.Client(base_url=stack.app_url, timeout=10)
    dashboard = stack.dashboard_session()
    started = time.monotonic()
    for attempt in range(12):
        form = csrf_fields(app.get("/login").text)  # the login form is CSRF-protected, as a browser would see it
        answer = app.post("/login", data={**form, "username": "victim.amy", "password": f"wrong-{attempt}"})
        assert answer.status_code in (200, 400, 401, 429), answer.status_code
    page = None
    while time.monotonic() - started < 10:
        page = dashboard.get("/alerts")
        if page.status_code == 200 and "victim.amy" in page.text:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"no brute-force alert for victim.amy within 10 s:\n{page.text[:1500]}\n{stack.logs()}")
    assert re.search(r"brute", page.text, re.I)
