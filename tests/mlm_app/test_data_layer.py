"""The data layer on SQLite and on a real PostgreSQL: accounts, sessions, responses, keys, backups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mlm_app.accounts import sessions
from mlm_app.accounts.models import User
from mlm_app.accounts.service import AccountError, create_account, find_by_username, next_staff_id
from mlm_app.backup import BackupError, dump, read_backup, restore, write_backup
from mlm_app.db import init_db, make_engine, session_factory, transaction, utcnow
from mlm_app.maintenance import rotate_keys
from mlm_app.profile import service as pii
from mlm_app.response.schemas import ResponseRequest
from mlm_app.response.service import UnknownTarget, perform
from mlm_app.security.crypto import CryptoError, KeyRing
from mlm_app.settings import AppSettings

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.db'}"
    return request.getfixturevalue("postgres_db_url")


@pytest.fixture
def factory(db_url):
    engine = make_engine(db_url)
    init_db(engine)
    yield session_factory(engine)
    engine.dispose()


def test_accounts_unique_and_parameterized(factory):
    with transaction(factory) as db:
        create_account(db, "obrien.o", "a long password", "distributor", "D000001")
        assert next_staff_id(db) == "S0001"
        create_account(db, "root", "another long one", "admin", next_staff_id(db))
    with pytest.raises(AccountError), transaction(factory) as db:
        create_account(db, "obrien.o", "a long password", "distributor", "D000002")
    with transaction(factory) as db:
        assert find_by_username(db, "obrien.o").id == "D000001"
        assert find_by_username(db, "' OR '1'='1") is None
        assert next_staff_id(db) == "S0002"


def test_sessions_expire_rotate_and_revoke(factory):
    settings = AppSettings(session_idle_minutes=30, session_hours=8)
    now = utcnow()
    client = sessions.ClientInfo("203.0.113.1", "UA", "dev-x")
    with transaction(factory) as db:
        create_account(db, "sess.user", "a long password", "distributor", "D000010")
        token, _row = sessions.open_session(db, "D000010", client, mfa_passed=True, settings=settings, now=now)
        other, _ = sessions.open_session(db, "D000010", client, mfa_passed=True, settings=settings, now=now)
    with transaction(factory) as db:
        assert sessions.resolve(db, token, settings, now + timedelta(minutes=10)) is not None
        assert sessions.resolve(db, token, settings, now + timedelta(minutes=31)) is None  # idle
        assert sessions.resolve(db, token, settings, now + timedelta(hours=9)) is None  # expired
        live = sessions.resolve(db, token, settings, now)
        new_token = sessions.rotate(live, now)
    with transaction(factory) as db:
        assert sessions.resolve(db, token, settings, now) is None
        current = sessions.resolve(db, new_token, settings, now)
        assert sessions.revoke_all(db, "D000010", now, keep_id=current.id) == 1
    with transaction(factory) as db:
        assert sessions.resolve(db, other, settings, now) is None
        assert sessions.resolve(db, new_token, settings, now) is not None


def test_response_actions_on_backend(factory):
    now = utcnow()
    with transaction(factory) as db:
        create_account(db, "resp.user", "a long password", "distributor", "D000020")
    with transaction(factory) as db:
        outcome = perform(db, ResponseRequest(action="lock_account", target="D000020", duration_seconds=60), now)
        assert outcome.revert == {"action": "unlock_account", "target": "D000020"}
        perform(db, ResponseRequest(action="block_ip", target="2001:DB8::5"), now)
        with pytest.raises(UnknownTarget):
            perform(db, ResponseRequest(action="hold_payouts", target="D404"), now)
    with transaction(factory) as db:
        assert db.get(User, "D000020").locked_until > now


def test_key_rotation_reencrypts_everything(factory, tmp_path):
    keys = KeyRing.load(tmp_path / "keys.json")
    with transaction(factory) as db:
        user = create_account(db, "pii.user", "a long password", "distributor", "D000030")
        pii.set_tax_id(user, "987-65-4321", keys)
        pii.set_bank_account(user, "DE89370400440532013000", keys, utcnow())
        fingerprint = user.bank_fingerprint
    with transaction(factory) as db:
        assert rotate_keys(db, keys) == 2
    reloaded = KeyRing.load(tmp_path / "keys.json")
    assert reloaded.current == 2 and set(reloaded.keys) == {1, 2}
    with transaction(factory) as db:
        user = db.get(User, "D000030")
        assert reloaded.version_of(user.tax_id_enc) == 2
        assert pii.read(user, "tax_id", reloaded) == "987-65-4321"
        assert user.bank_fingerprint == fingerprint  # fingerprints do not depend on data keys
        with pytest.raises(CryptoError):  # a ciphertext moved to another row does not decrypt
            reloaded.decrypt(user.tax_id_enc, "app_users.tax_id:D000031")


def test_backup_restores_into_fresh_database(factory, tmp_path, db_url):
    keys = KeyRing.load(tmp_path / "keys.json")
    now = utcnow()
    with transaction(factory) as db:
        user = create_account(db, "bk.user", "a long password", "distributor", "D000040")
        pii.set_tax_id(user, "111-22-3333", keys)
        sessions.open_session(db, "D000040", sessions.ClientInfo("203.0.113.2", "UA", None), mfa_passed=True,
                              settings=AppSettings(), now=now)
    engine = factory.kw["bind"]
    out = tmp_path / "app.bak"
    write_backup(dump(engine, tmp_path / "keys.json"), out, PASSPHRASE)
    raw = out.read_bytes()
    assert b"bk.user" not in raw and b"111-22-3333" not in raw
    with pytest.raises(BackupError):
        read_backup(out, "wrong passphrase!!")
    target = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    counts = restore(target, read_backup(out, PASSPHRASE), tmp_path / "restored-keys.json")
    assert counts["app_users"] == 1 and counts["app_sessions"] == 1
    restored_keys = KeyRing.load(tmp_path / "restored-keys.json")
    with transaction(session_factory(target)) as db:
        user = db.get(User, "D000040")
        assert pii.read(user, "tax_id", restored_keys) == "111-22-3333"
        # New rows get fresh ids after the restored ones.
        _, row = sessions.open_session(db, "D000040", sessions.ClientInfo("203.0.113.2", "UA", None),
                                       mfa_passed=True, settings=AppSettings(), now=now)
        assert row.id == 2
    with pytest.raises(BackupError):  # never merges into a database that has data
        restore(target, read_backup(out, PASSPHRASE), tmp_path / "restored-keys.json")
    target.dispose()


def test_seeded_business_restores_across_backends(tmp_path, postgres_db_url):
    """A populated SQLite app (business tables, sponsor self-references) restores into PostgreSQL."""
    from sqlalchemy import func, select

    from mlm_app.business.config import DEFAULT_CONFIG
    from mlm_app.business.distributors.models import Distributor
    from mlm_app.business.seed import seed

    keys = KeyRing.load(tmp_path / "keys.json")
    source = make_engine(f"sqlite:///{tmp_path / 'src.db'}")
    init_db(source)
    with transaction(session_factory(source)) as db:
        seed(db, 120, config=DEFAULT_CONFIG, now=utcnow(), password_hash="$argon2id$unused", fingerprint=keys.fingerprint)
    doc = dump(source, tmp_path / "keys.json")
    source.dispose()
    target = make_engine(postgres_db_url)
    counts = restore(target, doc, tmp_path / "restored-keys.json")
    assert counts["app_users"] == counts["biz_distributors"] == 120
    with transaction(session_factory(target)) as db:
        sponsored = db.scalar(select(func.count()).select_from(Distributor).where(Distributor.sponsor_id.is_not(None)))
        assert sponsored == 119
    target.dispose()


def test_periodic_rotation_is_single_winner_with_grace(factory):
    settings = AppSettings(session_rotate_minutes=0)
    now = utcnow()
    with transaction(factory) as db:
        create_account(db, "rot.user", "a long password", "distributor", "D000050")
        token, _ = sessions.open_session(db, "D000050", sessions.ClientInfo("203.0.113.3", "UA", None),
                                         mfa_passed=True, settings=settings, now=now)
    with transaction(factory) as db:
        first = sessions.touch(db, sessions.resolve(db, token, settings, now), token, settings, now)
    with transaction(factory) as db:  # a parallel request still carrying the old cookie
        loser = sessions.resolve(db, token, settings, now)
        assert loser is not None and sessions.touch(db, loser, token, settings, now) is None
    with transaction(factory) as db:
        assert first and sessions.resolve(db, first, settings, now) is not None
        assert sessions.resolve(db, token, settings, now + timedelta(seconds=61)) is None


def test_older_database_gets_new_columns(db_url):
    """A database made before a column existed is upgraded in place by init_db."""
    from sqlalchemy import text

    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE app_blocked_ips (ip VARCHAR(45) PRIMARY KEY)"))
        conn.execute(text("INSERT INTO app_blocked_ips (ip) VALUES ('198.51.100.1')"))
    init_db(engine)
    with transaction(session_factory(engine)) as db:
        from mlm_app.accounts.models import BlockedIP

        row = db.get(BlockedIP, "198.51.100.1")
        assert row.until is None and row.reason is None
        row.reason = "added later"
    engine.dispose()


def test_parallel_failed_logins_all_count(factory):
    """Twelve simultaneous wrong guesses (a distributed attack) raise the counter by exactly twelve."""
    import threading

    from mlm_app.accounts.auth import check_password

    settings = AppSettings(lockout_threshold=100)
    with transaction(factory) as db:
        create_account(db, "many.guesses", "the real password", "distributor", "D000060")
    barrier = threading.Barrier(12)

    def guess() -> None:
        barrier.wait()
        with transaction(factory) as db:
            assert check_password(db, "many.guesses", "wrong guess!", settings, utcnow()).reason == "bad_password"

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with transaction(factory) as db:
        assert db.get(User, "D000060").failed_logins == 12
