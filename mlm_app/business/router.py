"""All business routers in one APIRouter, plus `setup(app)` that mlm_app.main calls before mounting."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response

from mlm_app.business.admin.router import router as admin_router
from mlm_app.business.commissions.router import router as commissions_router
from mlm_app.business.crm.router import router as crm_router
from mlm_app.business.distributors.router import router as distributors_router
from mlm_app.business.orders.router import router as orders_router
from mlm_app.business.payouts.router import router as payouts_router
from mlm_app.web.templating import extra_template_dirs

router = APIRouter()
for part in (distributors_router, orders_router, commissions_router, payouts_router, crm_router, admin_router):
    router.include_router(part)

# Browsers fetch /favicon.ico on every first visit; a 404 there is a console error on every page.
ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" '
        'fill="#24324a"/><path d="M3 12V4l5 5 5-5v8" stroke="#fff" stroke-width="2" fill="none"/></svg>')


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """The shop's icon (the platform's base.html names none)."""
    return Response(ICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})

HOME_LINKS = [
    {"href": "/shop", "label": "Shop"},
    {"href": "/orders", "label": "My orders", "roles": ["distributor"]},
    {"href": "/genealogy", "label": "My team", "roles": ["distributor"]},
    {"href": "/wallet", "label": "Wallet and payouts", "roles": ["distributor"]},
    {"href": "/crm/contacts", "label": "Contacts", "roles": ["distributor"]},
    {"href": "/enroll/link", "label": "My referral link", "roles": ["distributor"]},
    {"href": "/admin/reports", "label": "Business reports", "roles": ["admin", "support", "finance"]},
    {"href": "/admin/commissions", "label": "Commission runs", "roles": ["admin", "finance"]},
    {"href": "/admin/payouts", "label": "Payout approvals", "roles": ["admin", "finance"]},
]


def setup(app: FastAPI) -> None:
    """Add the business templates and home-page links to the app."""
    extra_template_dirs(Path(__file__).parent / "templates")
    links = getattr(app.state, "home_links", None)
    if isinstance(links, list):
        links.extend(link for link in HOME_LINKS if link not in links)
