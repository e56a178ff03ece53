"""Payout requests (step-up MFA), payout pages, finance decisions, holds."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from mlm_app.business import web
from mlm_app.business.access import require_finance
from mlm_app.business.errors import Invalid
from mlm_app.business.payouts import service
from mlm_app.business.payouts.models import Payout
from mlm_app.deps import CurrentUser, DbSession, StaffUser, StepUpUser
from mlm_app.web.templating import redirect, render

router = APIRouter(route_class=web.BusinessRoute)
Text = Annotated[str, Form(max_length=64)]


@router.post("/payouts")
def request_payout(request: Request, db: DbSession, user: StepUpUser, amount: Text = "") -> Response:
    try:
        value = Decimal(amount.strip())
    except InvalidOperation:
        raise Invalid("amount must be a number like 120.50") from None
    payout = service.request_payout(db, user, value, config=web.config(request), now=web.now(request),
                                    events=request)
    return redirect(f"/payouts/{payout.id}")


@router.get("/payouts/{payout_id}")
def payout_page(request: Request, db: DbSession, user: CurrentUser, payout_id: str) -> Response:
    return render(request, "biz/payout.html", {"payout": service.get_payout(db, user, payout_id)})


@router.get("/admin/payouts")
def approvals(request: Request, db: DbSession, user: StaffUser) -> Response:
    require_finance(user)
    rows = db.scalars(select(Payout).where(Payout.status.in_(("requested", "held", "approved")))
                      .order_by(Payout.requested_at).limit(200)).all()
    return render(request, "biz/approvals.html", {"payouts": rows})


@router.post("/payouts/{payout_id}/{decision}")
def decide(request: Request, db: DbSession, user: StaffUser, payout_id: str, decision: str) -> Response:
    when = web.now(request)
    if decision == "approve":
        service.approve_payout(db, user, payout_id, now=when, events=request)
    elif decision == "send":
        service.send_payout(db, user, payout_id, now=when, events=request)
    elif decision == "reject":
        service.reject_payout(db, user, payout_id, now=when)
    else:
        raise Invalid("unknown decision")
    return redirect("/admin/payouts")


@router.post("/admin/distributors/{distributor_id}/payouts/{action}")
def hold_or_release(request: Request, db: DbSession, user: StaffUser, distributor_id: str, action: str,
                    reason: Annotated[str, Form(max_length=200)] = "") -> Response:
    require_finance(user)
    if action == "hold":
        service.hold_payouts(db, distributor_id, reason or f"held by {user.id}", events=request)
    elif action == "release":
        service.release_payouts(db, distributor_id, reason, events=request)
    else:
        raise Invalid("unknown action")
    return redirect("/admin/payouts")
