"""CRM pages: the distributor's own contacts, leads, notes and follow-ups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from mlm_app.business import web
from mlm_app.business.crm import service
from mlm_app.business.crm.models import CONTACT_STAGES
from mlm_app.business.errors import Invalid
from mlm_app.deps import CurrentUser, DbSession
from mlm_app.web.templating import redirect, render

router = APIRouter(route_class=web.BusinessRoute)
Text = Annotated[str, Form(max_length=256)]


@router.get("/crm/contacts")
def contacts(request: Request, db: DbSession, user: CurrentUser, owner: str = "") -> Response:
    rows = service.list_contacts(db, user, owner or user.id)
    return render(request, "biz/contacts.html", {"contacts": rows, "stages": CONTACT_STAGES})


@router.post("/crm/contacts")
def add(request: Request, db: DbSession, user: CurrentUser, name: Text = "", email: Text = "", phone: Text = "",
        stage: Text = "lead", follow_up: Text = "") -> Response:
    try:
        contact = service.add_contact(db, user, name, email, phone, stage, follow_up or None, now=web.now(request))
    except Invalid as exc:
        db.rollback()
        return render(request, "biz/contacts.html", {"contacts": service.list_contacts(db, user, user.id),
                      "stages": CONTACT_STAGES, "error": str(exc)}, 422)
    return redirect(f"/crm/contacts/{contact.id}")


@router.get("/crm/contacts/{contact_id}")
def contact_page(request: Request, db: DbSession, user: CurrentUser, contact_id: int) -> Response:
    contact = service.get_contact(db, user, contact_id)
    return render(request, "biz/contact.html", {"contact": contact, "notes": service.notes(db, user, contact_id)})


@router.post("/crm/contacts/{contact_id}/notes")
def add_note(request: Request, db: DbSession, user: CurrentUser, contact_id: int, body: Annotated[str, Form(max_length=4000)] = "",
             follow_up: Text = "") -> Response:
    service.add_note(db, user, contact_id, body, now=web.now(request), follow_up=follow_up or None)
    return redirect(f"/crm/contacts/{contact_id}")
