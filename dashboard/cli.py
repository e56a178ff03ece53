"""Dashboard commands: `serve-dashboard` and `analyst create`."""

from __future__ import annotations

import argparse
import os
import sys

from dashboard.settings import DashboardSettings


def _data_dir_default() -> str:
    return os.environ.get("MLM_SIEM_DASHBOARD_DATA_DIR") or os.environ.get("MLM_SIEM_DATA_DIR", "data")


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser("serve-dashboard", help="run the SOC dashboard")
    serve.add_argument("--data-dir", default=_data_dir_default())
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(func=_serve)

    analyst = subparsers.add_parser("analyst", help="manage dashboard analysts")
    actions = analyst.add_subparsers(dest="analyst_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create an analyst; prints the password and TOTP secret once")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=("viewer", "analyst", "responder", "admin"))
    create.add_argument("--data-dir", default=_data_dir_default())
    create.set_defaults(func=_create)


def _settings(args: argparse.Namespace) -> DashboardSettings:
    overrides: dict[str, object] = {"data_dir": args.data_dir}
    for name in ("host", "port"):
        if getattr(args, name, None) is not None:
            overrides[name] = getattr(args, name)
    return DashboardSettings(**overrides)  # type: ignore[arg-type]


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from dashboard.bootstrap import credentials_file, ensure_admin
    from dashboard.main import create_app

    settings = _settings(args)
    username, _password, _secret = ensure_admin(settings)
    print(f"dashboard admin: {username} (credentials in {credentials_file(settings)})", file=sys.stderr)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    return 0


def _create(args: argparse.Namespace) -> int:
    from dashboard.analysts.service import AnalystError, create_analyst
    from dashboard.context import build_context

    ctx = build_context(_settings(args))
    try:
        password, secret = create_analyst(ctx, args.username, args.role)
    except AnalystError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        ctx.close()
    print(f"username: {args.username}\npassword: {password}\ntotp_secret: {secret}")
    return 0
