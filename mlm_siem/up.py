"""`mlm-siem up`: start the whole embedded stack as child processes and print how to reach it.

Children: the MLM app, the SIEM (collector + detectors), the dashboard and, unless `--no-demo`,
the demo traffic generator (with seeded distributor accounts and a confirm-only response policy).
Secrets shared between them (response token, session keys, the demo password) are created once
and kept 0600 in the data directory; ingest tokens are rotated every start. `stack.json` exists
exactly while the stack is up, so scripts can wait for it.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import time
from pathlib import Path

from core.paths import store_url, tokens_db
from core.tokens import TokenStore
from mlm_siem.processes import Child, log_tail, port_problem, spawn, stop_all, wait_healthy

SECRET_NAMES = ("response_token", "app_secret", "dashboard_secret", "demo_password")


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


def _write_private(path: Path, text: str) -> None:
    """Replace `path` with `text`, readable by the owner only from the first byte."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _shared_secrets(data_dir: Path) -> dict[str, str]:
    """Secrets that must survive restarts; missing ones (a data dir from an older version) are added."""
    path = data_dir / "secrets.json"
    values = json.loads(path.read_text()) if path.exists() else {}
    missing = [name for name in SECRET_NAMES if name not in values]
    if missing:
        values.update({name: secrets.token_urlsafe(32 if name != "demo_password" else 12) for name in missing})
        _write_private(path, json.dumps(values))
    return values


def _next_run(data_dir: Path) -> int:
    """Count the demo's starts in this data dir (0, 1, ...), so each start attacks from new addresses."""
    path = data_dir / "demo-runs"
    try:
        run = int(path.read_text().strip() or 0)
    except (OSError, ValueError):
        run = 0
    path.write_text(str(run + 1))
    return run


def _check_ports(host: str, ports: dict[str, int]) -> str | None:
    """An error message when the ports clash or one is taken; None when all are free."""
    if len(set(ports.values())) != len(ports):
        return f"the app, collector and dashboard need three different ports (got {ports})"
    for name, port in ports.items():
        problem = port_problem(host, port)
        if problem:
            flag = f"--{name}-port"
            return f"port {port} on {host} ({name}) {problem}; stop what uses it or choose another with {flag}"
    return None


def _bootstrap(data_dir: Path, host: str, ports: dict[str, int]) -> dict:
    """Create the first admin of the app and of the dashboard; returns the stack description."""
    from dashboard.bootstrap import ensure_admin as ensure_analyst
    from dashboard.settings import DashboardSettings
    from mlm_app.bootstrap import ensure_admin
    from mlm_app.settings import AppSettings

    urls = {name: f"http://{host}:{port}" for name, port in ports.items()}
    app_user, app_password = ensure_admin(AppSettings(data_dir=data_dir / "app"))
    dash_settings = DashboardSettings(data_dir=data_dir / "dashboard", store_url=store_url(data_dir))
    analyst, analyst_password, totp_secret = ensure_analyst(dash_settings)
    return {
        "urls": urls,
        "app_admin": {"username": app_user, "password": app_password},
        "dashboard_admin": {"username": analyst, "password": analyst_password, "totp_secret": totp_secret},
    }


def _services(args: argparse.Namespace, data_dir: Path, urls: dict[str, str], shared: dict[str, str],
              ingest_token: str, policy: Path | None) -> list[Child]:
    """Start the SIEM, the app and the dashboard (not waiting for them)."""
    logs = data_dir / "logs"
    (data_dir / "models").mkdir(exist_ok=True)  # the injection model is trained once, then loaded
    dashboard_env = {"MLM_SIEM_DASHBOARD_STORE_URL": store_url(data_dir), "MLM_SIEM_DASHBOARD_APP_URL": urls["app"],
                     "MLM_SIEM_DASHBOARD_RESPONSE_TOKEN": shared["response_token"],
                     "MLM_SIEM_DASHBOARD_SECRET_KEY": shared["dashboard_secret"]}
    if policy is not None and not os.environ.get("MLM_SIEM_DASHBOARD_RESPONSE_POLICY"):
        dashboard_env["MLM_SIEM_DASHBOARD_RESPONSE_POLICY"] = str(policy)
    # Also the stop order: the app first, so its shipper delivers its last batch to a live collector.
    return [
        spawn("app", urls["app"], ["serve-app", "--data-dir", str(data_dir / "app"), "--host", args.host,
              "--port", str(args.app_port)],
              {"MLM_APP_COLLECTOR_URL": urls["collector"], "MLM_APP_INGEST_TOKEN": ingest_token,
               "MLM_APP_RESPONSE_TOKEN": shared["response_token"], "MLM_APP_SECRET_KEY": shared["app_secret"]},
              logs),
        spawn("siem", urls["collector"], ["serve-siem", "--data-dir", str(data_dir), "--host", args.host,
              "--port", str(args.collector_port), "--models", str(data_dir / "models")], {}, logs),
        spawn("dashboard", urls["dashboard"], ["serve-dashboard", "--data-dir", str(data_dir / "dashboard"),
              "--host", args.host, "--port", str(args.dashboard_port)], dashboard_env, logs),
    ]


def _prepare_demo(data_dir: Path, shared: dict[str, str]) -> tuple[int, Path]:
    """Seeded accounts (first start only) and the demo response policy."""
    from mlm_siem.demo_setup import DEMO_MEMBERS, seed_members, write_policy

    seed_members(data_dir / "app", shared["app_secret"], shared["demo_password"])
    return DEMO_MEMBERS, write_policy(data_dir)


def up(args: argparse.Namespace) -> int:
    started = time.monotonic()
    data_dir = Path(args.data_dir).resolve()
    ports = {"app": args.app_port, "collector": args.collector_port, "dashboard": args.dashboard_port}
    problem = _check_ports(args.host, ports)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    (data_dir / "logs").mkdir(parents=True, exist_ok=True)
    (data_dir / "stack.json").unlink(missing_ok=True)  # present only while this stack is up
    children: list[Child] = []
    try:
        stack = _start(args, data_dir, ports, children)
    except KeyboardInterrupt:
        stack = None
    if stack is None:
        stop_all(children)
        print("mlm-siem stopped.", flush=True)
        return 1
    _write_private(data_dir / "stack.json", json.dumps(stack, indent=2))
    _print_banner(stack, data_dir, time.monotonic() - started)
    try:
        return _supervise(children)
    finally:
        (data_dir / "stack.json").unlink(missing_ok=True)


def _start(args: argparse.Namespace, data_dir: Path, ports: dict[str, int], children: list[Child]) -> dict | None:
    """Bootstrap, start every child (appended to `children`) and wait for health; None on failure."""
    shared = _shared_secrets(data_dir)
    stack = _bootstrap(data_dir, args.host, ports)
    members, policy = (0, None) if args.no_demo else _prepare_demo(data_dir, shared)
    tokens = TokenStore(tokens_db(data_dir))
    ingest_token = tokens.rotate("ingest", "mlm_app")
    demo_token = tokens.rotate("ingest", "demo")
    tokens.close()
    urls = stack["urls"]
    children.extend(_services(args, data_dir, urls, shared, ingest_token, policy))
    failed = wait_healthy(children)
    if failed:
        state = "exited" if failed.process.poll() is not None else "did not answer /health"
        print(f"error: {failed.name} {state}; end of {failed.log}:\n{log_tail(failed)}", file=sys.stderr)
        return None
    if not args.no_demo:
        stack["demo_logins"] = {"usernames": f"dist000001..dist{members:06d}", "password": shared["demo_password"]}
        children.insert(0, spawn("demo", None, [
            "demo", "--app-url", urls["app"], "--collector-url", urls["collector"], "--seed", str(args.seed),
            "--members", str(members), "--run", str(_next_run(data_dir))],
            {"MLM_SIEM_DEMO_INGEST_TOKEN": demo_token, "MLM_SIEM_DEMO_PASSWORD": shared["demo_password"]},
            data_dir / "logs"))
    return stack


def _print_banner(stack: dict, data_dir: Path, seconds: float) -> None:
    urls, app, dash = stack["urls"], stack["app_admin"], stack["dashboard_admin"]
    demo = stack.get("demo_logins")
    print(f"mlm-siem is up (embedded stack, started in {seconds:.1f} s)", flush=True)
    print(f"  Dashboard  {urls['dashboard']}   analyst login: {dash['username']} / {dash['password']}")
    print(f"             TOTP secret (add to an authenticator app): {dash['totp_secret']}")
    print(f"  MLM app    {urls['app']}   admin login: {app['username']} / {app['password']}")
    if demo:
        print(f"             distributor logins: {demo['usernames']} / {demo['password']}")
    print(f"  Collector  {urls['collector']}   POST /v1/events (ingest tokens: mlm-siem token create)")
    traffic = "demo traffic on: incidents appear within a minute or two" if demo else "demo traffic off"
    print(f"  Data and logs in {data_dir}; {traffic}. Ctrl-C stops.", flush=True)


def _supervise(children: list[Child]) -> int:
    """Run until Ctrl-C/SIGTERM or until a service dies; then stop everything in order."""
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
                print(f"error: {child.name} exited with {child.process.returncode}; end of {child.log}:\n"
                      f"{log_tail(child)}", file=sys.stderr)
                stopping, code = True, 1
                break
        time.sleep(0.3)
    print("stopping...", flush=True)
    stop_all(children)  # demo first, then app (its shipper delivers), SIEM, dashboard
    print("mlm-siem stopped.", flush=True)
    return code
