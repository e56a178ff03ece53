"""Dashboard: incident list server time with 100,000 alerts stored (target < 300 ms), and grouping speed."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from core.alert import Alert
from core.event import format_timestamp

T0 = datetime(2026, 10, 1, tzinfo=UTC)
CATEGORIES = ("account_takeover", "commission_fraud", "injection", "traffic_flood")
SEVERITIES = ("low", "medium", "high", "critical")
TARGET_MS = 300.0


def _alerts(n: int, seed: int = 7) -> list[Alert]:
    """A month of alerts over 5,000 users and 2,000 IPs, in time order (deterministic).

    Entities rarely repeat within the one-hour window, so nearly every alert opens its own incident:
    the worst case for the incident list (most rows).
    """
    rng = random.Random(seed)
    out = []
    for i in range(n):
        moment = T0 + timedelta(seconds=i * (30 * 86400 / n))
        ip = rng.random() < 0.3
        entity = f"198.51.{rng.randrange(8)}.{rng.randrange(250)}" if ip else f"u{rng.randrange(5000)}"
        out.append(
            Alert(
                rule_id=f"rule-{rng.randrange(40)}",
                rule_name="Benchmark rule",
                category=rng.choice(CATEGORIES),
                severity=rng.choice(SEVERITIES),
                risk_score=rng.randrange(101),
                entity_type="ip" if ip else "user",
                entity_value=entity,
                timestamp=format_timestamp(moment),
                event_ids=[f"e{i}"],
                summary=f"alert {i}",
            )
        )
    return out


def _median_ms(fn: Any, repeat: int) -> float:
    fn()  # warm caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def _logged_in(app: Any) -> Any:
    """A TestClient through the real login (password, then a TOTP code)."""
    import re

    import pyotp
    from fastapi.testclient import TestClient

    from dashboard.analysts.service import create_analyst

    password, secret = create_analyst(app.state.ctx, "bench", "viewer")
    client = TestClient(app)

    def csrf(path: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)  # type: ignore[union-attr]

    client.post("/login", data={"username": "bench", "password": password, "csrf_token": csrf("/login")})
    client.post("/login/mfa", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf("/login/mfa")})
    return client


def run(quick: bool = False) -> dict[str, object]:
    from fastapi.testclient import TestClient

    from dashboard.incidents.schemas import IncidentFilter
    from dashboard.incidents.service import list_incidents
    from dashboard.main import create_app
    from dashboard.settings import DashboardSettings

    n = 20_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            DashboardSettings(data_dir=tmp, worker_enabled=False, secret_key="bench-secret-0123456789")
        )
        ctx = app.state.ctx
        alerts = _alerts(n)
        start = time.perf_counter()
        for i in range(0, n, 10_000):
            ctx.store.write_alerts(alerts[i : i + 10_000])
        store_s = time.perf_counter() - start
        start = time.perf_counter()
        app.state.worker.drain()
        group_s = time.perf_counter() - start
        total = list_incidents(ctx, IncidentFilter(status="all")).total
        token = ctx.tokens.create("api", "bench", "viewer")
        client = TestClient(app)
        headers = {"Authorization": f"Bearer {token}"}
        figures = {
            "alerts": n,
            "incidents": total,
            "store_write_alerts_per_s": round(n / store_s),
            "grouping_alerts_per_s": round(n / group_s),
            "list_service_open_ms": _median_ms(lambda: list_incidents(ctx, IncidentFilter()), 15),
            "list_service_all_page_100_ms": _median_ms(
                lambda: list_incidents(ctx, IncidentFilter(status="all", page=100)), 15
            ),
            "api_incidents_ms": _median_ms(
                lambda: client.get("/api/v1/incidents?status=all", headers=headers), 15
            ),
        }
        browser = _logged_in(app)
        assert browser.get("/incidents").status_code == 200
        figures["html_incidents_page_ms"] = _median_ms(lambda: browser.get("/incidents"), 15)
        figures["target_ms"] = TARGET_MS
        figures["meets_target"] = (
            max(figures["html_incidents_page_ms"], figures["api_incidents_ms"]) < TARGET_MS
        )
        ctx.close()
    return figures


if __name__ == "__main__":
    for key, value in run(quick=True).items():
        print(f"{key}: {value}")
