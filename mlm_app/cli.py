"""`mlm-siem` subcommands of the MLM app: serve-app, app-admin, rotate-keys, backup, restore."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mlm_app.settings import AppSettings


def default_app_dir() -> str:
    return os.environ.get("MLM_APP_DATA_DIR", "data/app")


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser("serve-app", help="run the MLM application (uvicorn)")
    serve.add_argument("--data-dir", default=None, help="app data folder (default: MLM_APP_DATA_DIR or data/app)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--certfile", help="TLS certificate (PEM); enables HTTPS, secure cookies and HSTS")
    serve.add_argument("--keyfile", help="TLS private key (PEM)")
    serve.set_defaults(func=_serve)
    admin = subparsers.add_parser("app-admin", help="create (or show) the MLM app's first admin login")
    admin.add_argument("--data-dir", default=None)
    admin.set_defaults(func=_admin)
    from mlm_app import maintenance

    maintenance.register(subparsers)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from mlm_app.main import create_app

    if bool(args.certfile) != bool(args.keyfile):
        print("error: --certfile and --keyfile go together", file=sys.stderr)
        return 2
    settings = AppSettings(data_dir=Path(args.data_dir or default_app_dir()))
    if args.certfile:
        settings.secure_cookies = True
    app = create_app(settings)
    uvicorn.run(app, host=args.host, port=args.port, ssl_certfile=args.certfile, ssl_keyfile=args.keyfile,
                proxy_headers=False, server_header=False, log_level="warning")
    return 0


def _admin(args: argparse.Namespace) -> int:
    from mlm_app.bootstrap import ensure_admin

    username, password = ensure_admin(AppSettings(data_dir=Path(args.data_dir or default_app_dir())))
    print(f"{username} {password}")
    return 0
