"""/password/forgot and /password/reset pages (the same answer whether or not the account exists)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from mlm_app.accounts import reset
from mlm_app.accounts.events import auth_event
from mlm_app.db import utcnow
from mlm_app.deps import DbSession
from mlm_app.web.templating import render

router = APIRouter()
SENT = "If that account exists, we sent it a link to choose a new password."


@router.get("/password/forgot")
def forgot_page(request: Request) -> Response:
    return render(request, "accounts/forgot.html", {})


@router.post("/password/forgot")
def forgot_submit(request: Request, db: DbSession, account: Annotated[str, Form(max_length=254)] = "") -> Response:
    if not request.app.state.login_limiter.hit(request.state.client_ip):
        return render(request, "accounts/forgot.html", {"error": "Too many attempts. Wait a minute."}, 429)
    user = reset.find_account(db, account)
    if user is None:
        auth_event(request, "password_reset_requested", None, outcome="failure", username=account)
        return render(request, "accounts/forgot.html", {"message": SENT})
    now = utcnow()
    token = reset.issue(db, user, now)
    # Never build the link from the Host header: a forged Host would mail the token to an attacker.
    base = (request.app.state.settings.public_url or "").rstrip("/")
    link = f"{base}/password/reset?token={token}"
    reset.deliver(Path(request.app.state.settings.data_dir) / "outbox", user, link, now)
    auth_event(request, "password_reset_requested", user)
    return render(request, "accounts/forgot.html", {"message": SENT})


@router.get("/password/reset")
def reset_page(request: Request, token: str = "") -> Response:
    return render(request, "accounts/reset.html", {"token": token[:100]})


@router.post("/password/reset")
def reset_submit(request: Request, db: DbSession, token: Annotated[str, Form(max_length=100)] = "",
                 new_password: Annotated[str, Form(max_length=256)] = "") -> Response:
    try:
        user = reset.complete(db, token, new_password, utcnow())
    except reset.ResetError as exc:
        db.rollback()
        auth_event(request, "password_reset_completed", None, outcome="failure")
        return render(request, "accounts/reset.html", {"token": token, "error": str(exc)}, 400)
    auth_event(request, "password_reset_completed", user)
    return render(request, "accounts/login.html", {"next": "/", "message": "Password changed. Sign in."})
