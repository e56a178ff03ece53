"""Business reports for staff: members, sales and volume by month, top earners, open payouts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mlm_app.business import web
from mlm_app.business.admin import reports
from mlm_app.deps import DbSession, StaffUser
from mlm_app.web.templating import render

router = APIRouter(route_class=web.BusinessRoute)


@router.get("/admin/reports")
def report_page(request: Request, db: DbSession, user: StaffUser) -> Response:
    return render(request, "biz/reports.html", {"report": reports.build(db)})
