"""`mlm-siem seed`: fill the MLM app's database with a seeded business (catalog, distributors, orders).

`mlm_siem/cli.py` must list `mlm_app.business.cli` in PACKAGES for the command to appear.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time

from mlm_app.business.errors import BusinessError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("seed", help="seed the MLM app with distributors, products and orders")
    parser.add_argument("--distributors", type=int, default=1_000, help="how many distributors (default 1000)")
    parser.add_argument("--data-dir", default=None, help="app data folder (default: MLM_APP_DATA_DIR or data/app)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same business)")
    parser.add_argument("--password", default=None,
                        help="password of every seeded login (default: a random one, printed once)")
    parser.set_defaults(func=_seed)


def _seed(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mlm_app.business.config import DEFAULT_CONFIG
    from mlm_app.business.seed import seed
    from mlm_app.db import init_db, make_engine, session_factory, transaction, utcnow
    from mlm_app.security.crypto import KeyRing
    from mlm_app.security.passwords import hash_password
    from mlm_app.settings import AppSettings

    if not 1 <= args.distributors <= 2_000_000:
        print("error: --distributors must be between 1 and 2,000,000", file=sys.stderr)
        return 2
    settings = AppSettings(data_dir=Path(args.data_dir or os.environ.get("MLM_APP_DATA_DIR", "data/app")))
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url())
    init_db(engine)
    keys = KeyRing.load(Path(settings.data_dir) / "keys.json", settings.secret_key)
    password = args.password or secrets.token_urlsafe(12)
    started = time.perf_counter()
    try:
        with transaction(session_factory(engine)) as session:
            result = seed(session, args.distributors, config=DEFAULT_CONFIG, now=utcnow(),
                          password_hash=hash_password(password), fingerprint=keys.fingerprint, seed_value=args.seed)
    except BusinessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"seeded {result.distributors} distributors, {result.orders} orders, {result.products} products "
          f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if not args.password:
        print(f"password of every seeded login (dist000001...): {password}")
    return 0
