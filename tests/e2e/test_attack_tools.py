"""Real attack tools against the running app: the app holds, and the SOC sees an incident."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time

import httpx
import pytest


def _incidents_naming(stack, token: str, category: str, needle: str, within: float) -> dict | None:
    api = httpx.Client(base_url=stack.dashboard_url, timeout=10, headers={"authorization": f"Bearer {token}"})
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        answer = api.get("/api/v1/incidents", params={"category": category})
        if answer.status_code == 200:
            for incident in answer.json().get("items", []):
                if incident.get("category") == category and needle in str(incident):
                    return incident
        time.sleep(1)
    return None


@pytest.mark.skipif(shutil.which("sqlmap") is None, reason="sqlmap is installed by .ci/run")
def test_sqlmap_finds_nothing_and_the_soc_sees_an_injection_incident(stack, tmp_path):
    token = stack.api_token("analyst")
    run = subprocess.run(
        ["sqlmap", "-u", f"{stack.app_url}/shop?q=vitamin", "--batch", "--level=1", "--risk=1",
         "--technique=BEU", "--timeout=5", "--retries=0", "--threads=2", "--flush-session",
         "--disable-coloring", f"--output-dir={tmp_path}"],
        capture_output=True, text=True, timeout=300,
    )
    output = run.stdout + run.stderr
    assert "appears to be injectable" not in output and "is vulnerable" not in output, output[-3000:]
    assert "do not appear to be injectable" in output or "not injectable" in output, output[-3000:]
    incident = _incidents_naming(stack, token, "injection", "127.0.0.1", within=60)
    assert incident, f"no injection incident naming 127.0.0.1 within 60 s\n{stack.logs()}"


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is installed by .ci/run")
def test_wrk_flood_is_seen_while_a_legitimate_client_is_served(stack):
    token = stack.api_token("analyst")
    served: list[float] = []
    failures: list[str] = []
    stop = threading.Event()

    def legitimate_client() -> None:
        with httpx.Client(base_url=stack.app_url, timeout=10, transport=httpx.HTTPTransport(
                local_address="127.0.0.42")) as client:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    if client.get("/shop", params={"q": "vitamin"}).status_code == 200:
                        served.append(time.monotonic() - started)
                    else:
                        failures.append("status")
                except httpx.HTTPError as exc:
                    failures.append(type(exc).__name__)
                stop.wait(0.5)

    thread = threading.Thread(target=legitimate_client)
    thread.start()
    try:
        subprocess.run(["wrk", "-t2", "-c32", "-d15s", f"{stack.app_url}/"], capture_output=True, timeout=60)
    finally:
        stop.set()
        thread.join()
    assert len(served) >= 10 and len(failures) <= len(served) // 5, (len(served), failures)
    incident = _incidents_naming(stack, token, "traffic_flood", "", within=60)
    assert incident, f"no traffic-flood incident within 60 s\n{stack.logs()}"
