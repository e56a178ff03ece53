"""Wallet and statements for distributors; commission runs for finance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from mlm_app.business import web
from mlm_app.business.access import authorize, require_finance
from mlm_app.business.commissions import ledger
from mlm_app.business.commissions import service as runs
from mlm_app.business.commissions.models import CommissionRun
from mlm_app.business.errors import Invalid
from mlm_app.business.payouts.service import list_payouts
from mlm_app.business.periods import month_of, period_range
from mlm_app.deps import CurrentUser, DbSession, StaffUser
from mlm_app.web.templating import redirect, render

router = APIRouter(route_class=web.BusinessRoute)


@router.get("/wallet")
def wallet(request: Request, db: DbSession, user: CurrentUser, distributor: str = "") -> Response:
    target = authorize(db, user, distributor or user.id, own_only=True)
    return render(request, "biz/wallet.html", {
        "owner": target.id, "balance": ledger.balance(db, target.id), "entries": ledger.entries(db, target.id),
        "payouts": list_payouts(db, user, target.id), "kyc": target.kyc_status})


@router.get("/commissions")
def my_commissions(request: Request, user: CurrentUser) -> Response:
    """The signed-in distributor's statement for the current month."""
    return redirect(f"/statements/{user.id}")


@router.get("/statements/{distributor_id}")
def statement(request: Request, db: DbSession, user: CurrentUser, distributor_id: str, period: str = "") -> Response:
    target = authorize(db, user, distributor_id, own_only=True)
    period = period or month_of(web.now(request))
    period_range(period)
    return render(request, "biz/statement.html", {
        "owner": target.id, "period": period, "totals": runs.statement(db, target.id, period),
        "entries": ledger.entries(db, target.id, period)})


@router.get("/admin/commissions")
def run_list(request: Request, db: DbSession, user: StaffUser) -> Response:
    rows = db.scalars(select(CommissionRun).order_by(CommissionRun.id.desc()).limit(100)).all()
    return render(request, "biz/runs.html", {"runs": rows})


@router.post("/admin/commissions/run")
def run_period(request: Request, db: DbSession, user: StaffUser, period: Annotated[str, Form(max_length=10)] = "") -> Response:
    require_finance(user)
    if not period:
        raise Invalid("choose a period")
    runs.run_commissions(db, period, config=web.config(request), now=web.now(request), events=request)
    return redirect("/admin/commissions")
