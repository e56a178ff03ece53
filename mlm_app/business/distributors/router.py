"""Enrollment pages, the referral link, distributor profiles, genealogy and KYC decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from mlm_app.business import web
from mlm_app.business.distributors import genealogy, service
from mlm_app.business.distributors.service import Enrollment
from mlm_app.business.errors import Invalid
from mlm_app.deps import CurrentUser, DbSession, StaffUser
from mlm_app.web.templating import redirect, render

router = APIRouter(route_class=web.BusinessRoute)
Text = Annotated[str, Form(max_length=256)]


@router.get("/enroll")
def enroll_page(request: Request, db: DbSession, sponsor: str = "") -> Response:
    found = service.by_code(db, sponsor)
    return render(request, "biz/enroll.html", {"sponsor_code": sponsor[:24], "sponsor_name":
                  found.display_name if found else None, "form": {}})


@router.post("/enroll")
def enroll_submit(request: Request, db: DbSession, sponsor: Text = "", username: Text = "", password: Text = "",
                  email: Text = "", display_name: Text = "", country: Text = "", bank_account: Text = "",
                  accept_terms: Text = "") -> Response:
    form = Enrollment(sponsor, username, password, email, display_name, country or None, bank_account or None,
                      accept_terms == "yes")
    try:
        service.enroll(db, form, config=web.config(request), fingerprint=web.fingerprint(request),
                       now=web.now(request), events=request, keys=request.app.state.keys)
    except Invalid as exc:
        db.rollback()
        echo = {"username": username, "email": email, "display_name": display_name, "country": country}
        return render(request, "biz/enroll.html", {"sponsor_code": sponsor[:24], "sponsor_name": None,
                      "form": echo, "error": str(exc)}, 400)
    return redirect("/login?enrolled=1")


@router.get("/enroll/link")
def referral_link(request: Request, db: DbSession, user: CurrentUser) -> Response:
    me = service.get_profile(db, user, user.id)
    link = str(request.url_for("enroll_page").include_query_params(sponsor=me.referral_code))
    return render(request, "biz/referral.html", {"code": me.referral_code, "link": link})


@router.post("/distributors/me/profile")
def edit_profile(request: Request, db: DbSession, user: CurrentUser, display_name: Text = "",
                 country: Text = "") -> Response:
    service.update_profile(db, user, display_name, country or None)
    return redirect(f"/distributors/{user.id}")


@router.post("/distributors/me/kyc")
def submit_kyc(request: Request, db: DbSession, user: CurrentUser) -> Response:
    service.submit_kyc(db, user)
    return redirect(f"/distributors/{user.id}")


@router.get("/distributors/{distributor_id}")
def profile(request: Request, db: DbSession, user: CurrentUser, distributor_id: str) -> Response:
    member = service.get_profile(db, user, distributor_id)
    return render(request, "biz/distributor.html", {"member": member, "mine": member.id == user.id,
                                                    "staff": user.role in ("admin", "support", "finance")})


@router.get("/genealogy")
def genealogy_page(request: Request, db: DbSession, user: CurrentUser, root: str = "", page: int = 1,
                   member: Annotated[str, Query(alias="id")] = "") -> Response:
    """A downline page; `id` is an alias of `root`, under the same access check."""
    view = genealogy.downline(db, user, root or member or user.id, page)
    return render(request, "biz/genealogy.html", {"view": view})


@router.post("/admin/distributors/{distributor_id}/kyc")
def kyc_decision(request: Request, db: DbSession, user: StaffUser, distributor_id: str, status: Text = "") -> Response:
    service.set_kyc(db, user, distributor_id, status)
    return redirect(f"/distributors/{distributor_id}")
