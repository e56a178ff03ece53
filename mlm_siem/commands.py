"""Commands of the composition root itself: tokens (shared by collector and dashboard)."""

from __future__ import annotations

import argparse
import os
import sys

from core.paths import tokens_db
from core.tokens import KINDS, TokenStore


def default_data_dir() -> str:
    return os.environ.get("MLM_SIEM_DATA_DIR", "data")


def register(subparsers: argparse._SubParsersAction) -> None:
    token = subparsers.add_parser("token", help="manage ingest and API tokens")
    actions = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    for verb in ("create", "rotate", "revoke"):
        p = actions.add_parser(verb, help=f"{verb} a token")
        p.add_argument("--kind", choices=KINDS, required=True)
        p.add_argument("--name", help="source name (ingest) or holder name (api)")
        p.add_argument("--role", help="dashboard role for api tokens (viewer, analyst, responder, admin)")
        p.add_argument("--data-dir", default=default_data_dir())
        p.set_defaults(func=_token, verb=verb)


ROLES = ("viewer", "analyst", "responder", "admin")


def _token(args: argparse.Namespace) -> int:
    if args.kind == "api":
        if args.role not in ROLES and args.verb != "revoke":
            print(f"--role is required for api tokens: one of {', '.join(ROLES)}", file=sys.stderr)
            return 2
        args.name = args.name or f"api-{args.role}"
    if not args.name:
        print("--name is required for ingest tokens", file=sys.stderr)
        return 2
    store = TokenStore(tokens_db(args.data_dir))
    try:
        if args.verb == "revoke":
            print(f"revoked {store.revoke(args.kind, args.name)} token(s)", file=sys.stderr)
        elif args.verb == "rotate":
            print(store.rotate(args.kind, args.name, args.role))
        else:
            print(store.create(args.kind, args.name, args.role))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0
