"""PII crypto: one key ring even when workers start together, tamper detection, masks, fingerprints."""

from __future__ import annotations

import threading

import pytest

from mlm_app.events.redact import redact_body, redact_url
from mlm_app.security.crypto import CryptoError, KeyRing, mask
from mlm_app.security.proxies import client_ip, parse_networks


def test_concurrent_first_start_agrees_on_one_key(tmp_path):
    rings: list[KeyRing] = []
    threads = [threading.Thread(target=lambda: rings.append(KeyRing.load(tmp_path / "keys.json"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({ring.keys[1] for ring in rings}) == 1 and len({ring.hmac_key for ring in rings}) == 1
    assert oct((tmp_path / "keys.json").stat().st_mode)[-3:] == "600"
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]


def test_tampering_and_unknown_versions_are_refused(tmp_path):
    ring = KeyRing.load(tmp_path / "keys.json")
    token = ring.encrypt("123-45-6789", "app_users.tax_id:D1")
    assert ring.decrypt(token, "app_users.tax_id:D1") == "123-45-6789"
    flipped = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    for bad in (flipped, "v9:" + token.split(":", 1)[1], "garbage"):
        with pytest.raises(CryptoError):
            ring.decrypt(bad, "app_users.tax_id:D1")


def test_fingerprints_are_keyed_and_normalized(tmp_path):
    one = KeyRing.load(tmp_path / "a.json")
    two = KeyRing.load(tmp_path / "b.json")
    assert one.fingerprint("DE44 5001 0517") == one.fingerprint("de4450010517")
    assert one.fingerprint("DE44 5001 0517") != two.fingerprint("DE44 5001 0517")
    assert one.fingerprint("x", "bank") != one.fingerprint("x", "email")


def test_masks_show_only_the_tail():
    assert mask("123456789") == "•••••6789"
    assert mask("12345") == "•••••" and mask(None) == ""


def test_redaction_of_every_body_kind():
    form = redact_body(b"user=a&new_password=p%40ss&card_number=4111&shipping_address=Main+St", "application/x-www-form-urlencoded")
    assert form == "user=a&new_password=[REDACTED]&card_number=[REDACTED]&shipping_address=Main+St"
    assert "1234" not in redact_body(b'{"bank": {"account_number": "1234"}, "ssn": "1234"}', "application/json")
    assert "s3cret" not in redact_body(b'{"password": "s3cret", oops', "application/json")
    assert redact_url("https://x/cb?a=1&token=abc#f") == "https://x/cb?a=1&token=[REDACTED]#f"


def test_operator_objects_in_secret_fields_keep_their_shape_but_no_values():
    """`{"password": {"$ne": null}}` is a NoSQL login bypass: detectors must see the operator."""
    logged = redact_body(b'{"username": "amy", "password": {"$ne": null, "$regex": "^hunter"}}', "application/json")
    assert logged == '{"username":"amy","password":{"$ne":null,"$regex":"[REDACTED]"}}'
    nested = redact_body(b'{"password": ["s3cret", {"$gt": "pw"}], "pin": 1234}', "application/json")
    assert "s3cret" not in nested and "pw" not in nested and "1234" not in nested and '"$gt"' in nested


def test_forwarded_for_only_from_trusted_proxies():
    trusted = parse_networks(["10.0.0.0/8", "2001:db8::/32"])
    assert client_ip("10.0.0.1", "203.0.113.9", trusted) == "203.0.113.9"
    assert client_ip("10.0.0.1", "1.1.1.1, 203.0.113.9, 10.0.0.2", trusted) == "203.0.113.9"
    assert client_ip("198.51.100.1", "1.1.1.1", trusted) == "198.51.100.1"
    assert client_ip("10.0.0.1", "junk", trusted) == "10.0.0.1"
    assert client_ip(None, None, trusted) == "0.0.0.0"
