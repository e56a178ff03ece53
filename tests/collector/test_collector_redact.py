"""Secrets a source logs by mistake never reach the store or the bus."""

import pytest

from builders import make_event_dict
from collector.redact import REDACTED, redact_secrets
from core.event import Event


@pytest.mark.parametrize("name", ["user.password", "mlm.api_token", "http.request.totp_code", "mlm.card_number",
                                  "mlm.bank.account_number", "customer.ssn", "x.secret", "auth.refresh_token",
                                  "mlm.Password", "mlm.iban"])
def test_secret_named_fields_lose_their_values_in_both_views(name):
    doc = make_event_dict(**{name.replace(".", "__"): "hunter2-4111111111111111"})
    event = redact_secrets(Event.from_dict(doc))
    assert event.flat[name] == REDACTED
    assert b"hunter2" not in event.to_json()


@pytest.mark.parametrize("name", ["mlm.bank.fingerprint", "mlm.session.id", "user.passport_country", "mlm.tokens_used",
                                  "url.path", "mlm.payment.fingerprint", "event.id"])
def test_ordinary_fields_are_kept(name):
    doc = make_event_dict(**{name.replace(".", "__"): "value-123"})
    event = redact_secrets(Event.from_dict(doc))
    assert event.flat[name] == "value-123"


def test_ingest_redacts_before_storing(tmp_path):
    from collector.pipeline import Pipeline
    from collector.settings import CollectorSettings
    from core.bus.memory import MemoryBus
    from core.store.sqlite import SqliteStore

    store = SqliteStore(tmp_path / "events.db")
    pipeline = Pipeline(CollectorSettings(data_dir=tmp_path), store, MemoryBus())
    doc = make_event_dict(event__id="leak-1", user__password="hunter2")
    pipeline.ingest([(1, doc)])
    pipeline.drain_pending()
    stored = store.get_events(["leak-1"])
    assert stored and stored[0]["user"]["password"] == REDACTED
    assert "hunter2" not in str(stored)


def test_secret_names_are_caught_after_many_safe_names_and_never_cached_as_safe(monkeypatch):
    from collector import redact

    monkeypatch.setattr(redact, "_SAFE_NAMES", set())
    monkeypatch.setattr(redact, "_MAX_SAFE_NAMES", 50)
    for n in range(200):  # attacker-chosen names fill the cache up to its bound, no further
        redact_secrets(Event.from_dict(make_event_dict(**{f"mlm__f{n}": "x"})))
    assert len(redact._SAFE_NAMES) == 50
    event = redact_secrets(Event.from_dict(make_event_dict(mlm__f3="x", mlm__api_token="tok-1")))
    assert event.flat["mlm.api_token"] == REDACTED and event.flat["mlm.f3"] == "x"
    assert not any(redact._SECRET_NAME.search(name) for name in redact._SAFE_NAMES)
