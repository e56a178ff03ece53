"""`mlm-siem up`: start the whole embedded stack as one process group and print how to reach it.

Children: the MLM app, the SIEM (collector + detectors), the dashboard and, unless `--no-demo`,
the demo traffic generator. Secrets shared between them (response token, session keys) are
created once and kept 0600 in the data directory; the app's ingest token is rotated every start.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.paths import store_url, tokens_db
from core.tokens import TokenStore


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("up", help="start the embedded stack (app, collector, detectors, dashboard, demo)")
    p.add_argument("--data-dir", default="data")
    p.add_argument("--host", default="127.0.0.1", help="address every service binds to")
    p.add_argument("--app-port", type=int, default=8000)
    p.add_argument("--collector-port", type=int, default=8001)
    p.add_argument("--dashboard-port", type=int, default=8002)
    p.add_argument("--no-demo", action="store_true", help="do not start the demo traffic generator")
    p.add_argument("--seed", type=int, default=7, help="seed of the demo traffic")
    p.set_defaults(func=up)


@dataclass
class Child:
    name: str
    url: str | None
    process: subprocess.Popen


def _shared_secrets(data_dir: Path) -> dict[str, str]:
    """Secrets that must survive restarts, created on first start with owner-only permissions."""
    path = data_dir / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {name: secrets.token_urlsafe(32) for name in ("response_token", "app_secret", "dashboard_secret")}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    return values


def _spawn(name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> subprocess.Popen:
    log = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the child's lifetime
    return subprocess.Popen(
        [sys.executable, "-m", "mlm_siem", *argv], env={**os.environ, **env},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=False,
    )


def _wait_healthy(children: list[Child], timeout: float = 90.0) -> str | None:
    """None when every service answers /health; else the name of one that died or stayed silent."""
    deadline = time.monotonic() + timeout
    pending = [c for c in children if c.url]
    while pending and time.monotonic() < deadline:
        for child in list(pending):
            if child.process.poll() is not None:
                return child.name
            try:
                if httpx.get(f"{child.url}/health", timeout=1.0).status_code == 200:
                    pending.remove(child)
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    return pending[0].name if pending else None


def _stop(children: list[Child]) -> None:
    for child in children:
        if child.process.poll() is None:
            child.process.terminate()
    deadline = time.monotonic() + 10
    for child in children:
        try:
            child.process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.kill()


def _bootstrap(data_dir: Path, host: str, ports: dict[str, int], shared: dict[str, str]) -> dict:
    """Create the first admin of the app and of the dashboard; returns the stack description."""
    from dashboard.bootstrap import ensure_admin as ensure_analyst
    from dashboard.settings import DashboardSettings
    from mlm_app.bootstrap import ensure_admin
    from mlm_app.settings import AppSettings

    urls = {name: f"http://{host}:{port}" for name, port in ports.items()}
    app_user, app_password = ensure_admin(AppSettings(data_dir=str(data_dir / "app")))
    dash_settings = DashboardSettings(data_dir=str(data_dir / "dashboard"), store_url=store_url(data_dir))
    analyst, analyst_password, totp_secret = ensure_analyst(dash_settings)
    return {
        "urls": urls,
        "app_admin": {"username": app_user, "password": app_password},
        "dashboard_admin": {"username": analyst, "password": analyst_password, "totp_secret": totp_secret},
    }


def up(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    (data_dir / "logs").mkdir(parents=True, exist_ok=True)
    shared = _shared_secrets(data_dir)
    ports = {"app": args.app_port, "collector": args.collector_port, "dashboard": args.dashboard_port}
    stack = _bootstrap(data_dir, args.host, ports, shared)
    urls = stack["urls"]
    tokens = TokenStore(tokens_db(data_dir))
    ingest_token = tokens.rotate("ingest", "mlm_app")
    demo_token = tokens.rotate("ingest", "demo")
    tokens.close()
    logs = data_dir / "logs"
    children = [
        Child("siem", urls["collector"], _spawn(
            "siem", ["serve-siem", "--data-dir", str(data_dir), "--host", args.host,
                     "--port", str(args.collector_port)], {}, logs)),
        Child("app", urls["app"], _spawn(
            "app", ["serve-app", "--data-dir", str(data_dir / "app"), "--host", args.host,
                    "--port", str(args.app_port)],
            {"MLM_APP_COLLECTOR_URL": urls["collector"], "MLM_APP_INGEST_TOKEN": ingest_token,
             "MLM_APP_RESPONSE_TOKEN": shared["response_token"], "MLM_APP_SECRET_KEY": shared["app_secret"]},
            logs)),
        Child("dashboard", urls["dashboard"], _spawn(
            "dashboard", ["serve-dashboard", "--data-dir", str(data_dir / "dashboard"), "--host", args.host,
                          "--port", str(args.dashboard_port)],
            {"MLM_SIEM_DASHBOARD_STORE_URL": store_url(data_dir), "MLM_SIEM_DASHBOARD_APP_URL": urls["app"],
             "MLM_SIEM_DASHBOARD_RESPONSE_TOKEN": shared["response_token"],
             "MLM_SIEM_DASHBOARD_SECRET_KEY": shared["dashboard_secret"]},
            logs)),
    ]
    failed = _wait_healthy(children)
    if failed:
        print(f"error: {failed} did not start; see {logs / (failed + '.log')}", file=sys.stderr)
        _stop(children)
        return 1
    if not args.no_demo:
        children.append(Child("demo", None, _spawn(
            "demo", ["demo", "--app-url", urls["app"], "--collector-url", urls["collector"],
                     "--seed", str(args.seed)], {"MLM_SIEM_DEMO_INGEST_TOKEN": demo_token}, logs)))
    _write_stack_file(data_dir, stack)
    _print_banner(stack, data_dir, demo=not args.no_demo)
    return _supervise(children)


def _write_stack_file(data_dir: Path, stack: dict) -> None:
    """stack.json (0600): URLs and first logins, for scripts and tests driving the stack."""
    path = data_dir / "stack.json"
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(stack, handle, indent=2)


def _print_banner(stack: dict, data_dir: Path, demo: bool) -> None:
    urls, app, dash = stack["urls"], stack["app_admin"], stack["dashboard_admin"]
    print("mlm-siem is up (embedded stack)", flush=True)
    print(f"  MLM app    {urls['app']}   admin login: {app['username']} / {app['password']}")
    print(f"  Collector  {urls['collector']}   POST /v1/events (ingest tokens: mlm-siem token create)")
    print(f"  Dashboard  {urls['dashboard']}   analyst login: {dash['username']} / {dash['password']}")
    print(f"             TOTP secret (add to an authenticator app): {dash['totp_secret']}")
    print(f"  Data and logs in {data_dir}; demo traffic {'on' if demo else 'off'}. Ctrl-C stops.", flush=True)


def _supervise(children: list[Child]) -> int:
    """Run until Ctrl-C/SIGTERM or until a service dies; then stop everything cleanly."""
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    code = 0
    while not stopping:
        for child in children:
            if child.process.poll() is not None and child.name != "demo":
                print(f"error: {child.name} exited with {child.process.returncode}", file=sys.stderr)
                stopping, code = True, 1
        time.sleep(0.3)
    _stop(children)
    print("mlm-siem stopped.", flush=True)
    return code
