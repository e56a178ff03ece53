"""Commands: first admin bootstrap, rotate-keys, backup and restore through `mlm-siem`; the app on PostgreSQL."""

from __future__ import annotations

import json
import stat

from mlmapp_helpers import login

from mlm_app.accounts.models import User
from mlm_app.bootstrap import ADMIN_FILE, ensure_admin
from mlm_app.db import make_engine, session_factory, transaction
from mlm_app.profile import service as pii
from mlm_app.security.crypto import KeyRing
from mlm_app.settings import AppSettings
from mlm_siem.cli import main


def test_ensure_admin_is_idempotent_and_private(tmp_path):
    settings = AppSettings(data_dir=tmp_path)
    first = ensure_admin(settings)
    assert first == ensure_admin(settings)
    mode = stat.S_IMODE((tmp_path / ADMIN_FILE).stat().st_mode)
    assert mode == 0o600 and json.loads((tmp_path / ADMIN_FILE).read_text())["password"] == first[1]
    engine = make_engine(settings.db_url())
    with transaction(session_factory(engine)) as db:
        admin = db.query(User).filter_by(role="admin").one()
        assert admin.id == "S0001" and admin.password_hash.startswith("$argon2id$")
    engine.dispose()


def test_rotate_backup_restore_commands(tmp_path, monkeypatch, capsys):
    source, target = tmp_path / "src", tmp_path / "dst"
    ensure_admin(AppSettings(data_dir=source))
    engine = make_engine(AppSettings(data_dir=source).db_url())
    keys = KeyRing.load(source / "keys.json")
    with transaction(session_factory(engine)) as db:
        pii.set_tax_id(db.get(User, "S0001"), "555-66-7777", keys)
    engine.dispose()
    assert main(["rotate-keys", "--data-dir", str(source)]) == 0
    assert KeyRing.load(source / "keys.json").current == 2
    phrase = tmp_path / "phrase"
    phrase.write_text("a sufficiently long passphrase\n")
    backup = tmp_path / "app.bak"
    assert main(["backup", str(backup), "--data-dir", str(source), "--passphrase-file", str(phrase)]) == 0
    monkeypatch.delenv("MLM_APP_BACKUP_PASSPHRASE", raising=False)
    assert main(["restore", str(backup), "--data-dir", str(target)]) == 2  # no passphrase given
    assert main(["restore", str(backup), "--data-dir", str(target), "--passphrase-file", str(phrase)]) == 0
    assert main(["restore", str(backup), "--data-dir", str(target), "--passphrase-file", str(phrase)]) == 1
    engine = make_engine(AppSettings(data_dir=target).db_url())
    with transaction(session_factory(engine)) as db:
        assert pii.read(db.get(User, "S0001"), "tax_id", KeyRing.load(target / "keys.json")) == "555-66-7777"
    engine.dispose()
    assert "not empty" in capsys.readouterr().err


def test_app_runs_on_postgresql(make_harness, postgres_db_url):
    harness = make_harness(database_url=postgres_db_url)
    harness.add_user("pg.user")
    client = harness.client()
    assert login(client, "pg.user").status_code == 303
    assert client.get("/account/security").status_code == 200
    assert harness.find("mlm.auth", "login")[-1]["event"]["outcome"] == "success"
    harness.app.state.engine.dispose()


def _self_signed(folder):
    """A throwaway certificate for 127.0.0.1 (cryptography), written as PEM files."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return certfile, keyfile


def test_serve_app_over_tls(tmp_path):
    """`mlm-siem serve-app` with a certificate: HTTPS, HSTS, secure cookies (a real uvicorn process)."""
    import subprocess
    import sys
    import time

    import httpx
    from builders import free_port

    certfile, keyfile = _self_signed(tmp_path)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mlm_siem.cli", "serve-app", "--data-dir", str(tmp_path / "app"),
                             "--port", str(port), "--certfile", str(certfile), "--keyfile", str(keyfile)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with httpx.Client(verify=str(certfile), base_url=f"https://127.0.0.1:{port}") as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, "serve-app did not start"
                time.sleep(0.2)
            client.cookies.clear()
            page = client.get("/login")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert "secure" in page.headers["set-cookie"].lower() and "httponly" in page.headers["set-cookie"].lower()
    finally:
        proc.terminate()
        proc.wait(10)


def test_ensure_admin_forgets_a_password_the_admin_changed(tmp_path):
    from mlm_app.security.passwords import hash_password

    settings = AppSettings(data_dir=tmp_path)
    ensure_admin(settings)
    engine = make_engine(settings.db_url())
    with transaction(session_factory(engine)) as db:
        db.get(User, "S0001").password_hash = hash_password("the admin's own choice")
    engine.dispose()
    username, shown = ensure_admin(settings)
    assert username == "admin" and shown == "(set earlier; not stored)"
    assert not (tmp_path / ADMIN_FILE).exists()
