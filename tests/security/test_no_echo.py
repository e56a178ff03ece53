"""Secrets sent in a rejected form or body never come back in the answer (FastAPI's 422 echoes input)."""

from __future__ import annotations

from typing import Any

from dash_kit import csrf_of
from mlmapp_helpers import csrf, signed_in

SSN = "123-45-6789"
IBAN = "DE89370400440532013000"
PASSWORD = "hunter2-Secret-Pass"


def test_mlm_app_422_does_not_echo_pii_or_passwords(harness: Any) -> None:
    client, _uid, _ = signed_in(harness, "dana.dist", mfa=True)  # enrolment is a fresh step-up (bank form)
    token = csrf(client, "/account/profile")
    cases = {
        "/account/profile/identity": {"tax_id": SSN + "9" * 300, "birth_date": "1990-01-01"},
        "/account/profile/contact": {"email": "a@b.example", "current_password": PASSWORD + "x" * 300},
        "/account/profile/bank": {"account_number": IBAN + "1" * 300},
    }
    for path, form in cases.items():
        r = client.post(path, data={**form, "csrf_token": token})
        assert r.status_code == 422, (path, r.status_code)
        for secret in (SSN, IBAN, PASSWORD):
            assert secret not in r.text, (path, r.text[:200])
        assert "<script" not in r.text.lower()  # an HTML page, the strict CSP forbids inline code anyway
    r = client.post(
        "/account/profile/bank",
        data={"account_number": IBAN + "1" * 300, "csrf_token": token},
        headers={"accept": "application/json"},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "account_number"
    assert IBAN not in r.text


def test_dashboard_422_does_not_echo_passwords(app: Any) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    page = client.get("/login")
    secret = PASSWORD + "y" * 1100
    r = client.post("/login", data={"username": "amy", "password": secret, "csrf_token": csrf_of(page.text)})
    assert r.status_code == 422 and PASSWORD not in r.text


def test_dashboard_api_422_names_fields_without_values(app: Any, ctx: Any) -> None:
    from fastapi.testclient import TestClient

    headers = {"Authorization": f"Bearer {ctx.tokens.create('api', 'echo', 'viewer')}"}
    r = TestClient(app).post("/api/v1/events/search", json={"q": PASSWORD * 200}, headers=headers)
    assert r.status_code == 422 and PASSWORD not in r.text
    assert r.json()["detail"][0]["loc"] == ["body", "q"]
