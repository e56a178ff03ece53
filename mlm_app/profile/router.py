"""/account/profile: the user's own contact details and PII (bank changes need step-up MFA)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from mlm_app.accounts.models import User
from mlm_app.db import utcnow
from mlm_app.deps import CurrentUser, DbSession, StepUpUser
from mlm_app.events import emit
from mlm_app.profile import service
from mlm_app.security.passwords import verify_password
from mlm_app.web.templating import redirect, render

router = APIRouter()
Field = Annotated[str, Form(max_length=256)]


def _page(request: Request, user: User, status: int = 200, **extra: object) -> Response:
    view = service.masked(user, request.app.state.keys)
    return render(request, "profile/profile.html", {"pii": view, "user": user, **extra}, status)


@router.get("/account/profile")
def profile_page(request: Request, user: CurrentUser, saved: str = "") -> Response:
    return _page(request, user, message="Saved." if saved else None)


@router.post("/account/profile/contact")
def update_contact(request: Request, user: CurrentUser, db: DbSession, email: Field = "",
                   phone: Field = "", current_password: Field = "") -> Response:
    """Contact changes need the current password: a changed email is how stolen sessions turn
    into stolen accounts (the reset link would go to the attacker)."""
    row = db.get(User, user.id)
    assert row is not None
    email, phone = email.strip(), phone.strip()
    if email and not service.EMAIL_RE.match(email):
        return _page(request, row, 400, error="That email address does not look valid.")
    changing = (email and email != row.email) or (phone and phone != row.phone)
    if changing and not verify_password(row.password_hash, current_password):
        emit(request, "mlm.audit", "email_changed" if email != row.email else "phone_changed", outcome="failure",
             fields={"mlm.target.id": row.id})
        return _page(request, row, 400, error="Enter your current password to change contact details.")
    if email and email != row.email:
        keys = request.app.state.keys
        emit(request, "mlm.audit", "email_changed", fields={
            "mlm.target.id": row.id, "mlm.email.domain": email.rsplit("@", 1)[-1].lower(),
            "mlm.email.fingerprint": keys.fingerprint(email.lower(), "email")})
        row.email = email
    if phone and phone != row.phone:
        row.phone = phone[:32]
        emit(request, "mlm.audit", "phone_changed", fields={"mlm.target.id": row.id})
    return redirect("/account/profile?saved=1")


@router.post("/account/profile/identity")
def update_identity(request: Request, user: CurrentUser, db: DbSession, tax_id: Field = "",
                    birth_date: Field = "") -> Response:
    row = db.get(User, user.id)
    assert row is not None
    keys = request.app.state.keys
    try:
        if tax_id:
            service.set_tax_id(row, tax_id, keys)
        if birth_date:
            service.set_birth_date(row, birth_date, keys)
    except service.PIIError as exc:
        db.rollback()
        return _page(request, row, 400, error=str(exc))
    return redirect("/account/profile?saved=1")


@router.post("/account/profile/bank")
def update_bank(request: Request, user: StepUpUser, db: DbSession, account_number: Field = "") -> Response:
    row = db.get(User, user.id)
    assert row is not None
    try:
        new, previous = service.set_bank_account(row, account_number, request.app.state.keys, utcnow())
    except service.PIIError as exc:
        db.rollback()
        return _page(request, row, 400, error=str(exc))
    emit(request, "mlm.audit", "bank_account_changed", fields={
        "mlm.target.id": row.id, "mlm.bank.fingerprint": new, "mlm.bank.previous_fingerprint": previous})
    return redirect("/account/profile?saved=1")
