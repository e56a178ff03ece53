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
