"""What `mlm-siem up` prepares for the demo: seeded distributor accounts and a response policy.

The accounts give the demo's visitors real sign-ins, orders and a genealogy (and the simulated
business scenarios real accounts to act on: the world's D000001.. are the seeded ones). The policy
makes responses show up on incidents, but every decision waits for a responder's click, and
loopback addresses that the analyst's own browser uses are never proposed for a block.
"""

from __future__ import annotations

from pathlib import Path

DEMO_MEMBERS = 200
DEMO_POLICY = """\
# Response policy of the demo (written by `mlm-siem up`; your own file wins:
# MLM_SIEM_DASHBOARD_RESPONSE_POLICY). Every decision waits for a responder's confirmation on the
# incident page; the analyst's own addresses are never proposed for a block.
profiles:
  - name: demo_block_attacking_address
    filters:
      - {field: category, in: [traffic_flood, injection]}
      - {field: entity.type, eq: ip}
      - {field: entity.value, not_in: ["127.0.0.1", "::1"]}
      - {field: risk_score, gte: 70}
    decisions:
      - {action: block_ip, duration: 1h}
    mode: confirm
    on_success: break

  - name: demo_contain_account_takeover
    filters:
      - {field: category, eq: account_takeover}
      - {field: severity, in: [high, critical]}
      - {field: entity.type, eq: user}
    decisions:
      - {action: revoke_sessions}
      - {action: force_password_reset}
    mode: confirm
    on_success: break

  - name: demo_hold_fraud_payouts
    filters:
      - {field: category, eq: commission_fraud}
      - {field: entity.type, in: [user, distributor]}
    decisions:
      - {action: hold_payouts, duration: 7d}
    mode: confirm
    on_success: break
"""


def seed_members(app_data_dir: Path, app_secret: str, password: str, count: int = DEMO_MEMBERS) -> int:
    """Seed `count` distributors (dist000001..) with `password` into an app without any; returns how many."""
    from sqlalchemy import func, select

    from mlm_app.business.config import DEFAULT_CONFIG
    from mlm_app.business.distributors.models import Distributor
    from mlm_app.business.seed import seed
    from mlm_app.db import init_db, make_engine, session_factory, transaction, utcnow
    from mlm_app.security.crypto import KeyRing
    from mlm_app.security.passwords import hash_password
    from mlm_app.settings import AppSettings

    settings = AppSettings(data_dir=app_data_dir, secret_key=app_secret)  # the app's own fingerprint key
    engine = make_engine(settings.db_url())
    try:
        init_db(engine)
        with transaction(session_factory(engine)) as session:
            if session.scalar(select(func.count()).select_from(Distributor)):
                return 0  # a restart: the business is already there
            keys = KeyRing.load(app_data_dir / "keys.json", settings.secret_key)
            result = seed(session, count, config=DEFAULT_CONFIG, now=utcnow(), password_hash=hash_password(password),
                          fingerprint=keys.fingerprint, seed_value=1)
        return result.distributors
    finally:
        engine.dispose()


def write_policy(data_dir: Path) -> Path:
    """The demo policy file in the data dir (rewritten each start, so it follows the code)."""
    path = data_dir / "demo-response-policy.yml"
    path.write_text(DEMO_POLICY, encoding="utf-8")
    return path
