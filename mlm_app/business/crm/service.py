"""A distributor's private CRM: contacts and leads, stages, notes and follow-up dates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mlm_app.business.access import authorize
from mlm_app.business.crm.models import CONTACT_STAGES, Contact, ContactNote
from mlm_app.business.errors import AccessDenied, Invalid, NotFound

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}$")


def _follow_up(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Invalid("follow-up must be a date (YYYY-MM-DD)") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def add_contact(session: Session, actor: Any, name: str, email: str = "", phone: str = "",
                stage: str = "lead", follow_up: str | None = None, *, now: datetime) -> Contact:
    """Add a contact to the signed-in distributor's own list."""
    owner = authorize(session, actor, actor.id, own_only=True)
    name, email, phone = (name or "").strip(), (email or "").strip(), (phone or "").strip()
    if not 1 <= len(name) <= 100:
        raise Invalid("name must be 1-100 characters")
    if email and not EMAIL_RE.match(email):
        raise Invalid("that email address does not look valid")
    if len(phone) > 32:
        raise Invalid("phone must be at most 32 characters")
    if stage not in CONTACT_STAGES:
        raise Invalid(f"stage must be one of {', '.join(CONTACT_STAGES)}")
    contact = Contact(owner_id=owner.id, name=name, email=email or None, phone=phone or None, stage=stage,
                      follow_up_on=_follow_up(follow_up), created_at=now)
    session.add(contact)
    session.flush()
    return contact


def get_contact(session: Session, actor: Any, contact_id: int) -> Contact:
    """A contact of the actor's own list (contacts are private even from the upline)."""
    valid = isinstance(contact_id, int) and 0 < contact_id < 2**62  # beyond that SQLite overflows
    contact = session.get(Contact, contact_id) if valid else None
    if contact is None:
        raise NotFound("no such contact")
    try:
        authorize(session, actor, contact.owner_id, own_only=True)
    except AccessDenied:
        raise AccessDenied(contact.owner_id, "not your contact") from None
    return contact


def list_contacts(session: Session, actor: Any, owner_id: str, due_before: datetime | None = None) -> list[Contact]:
    authorize(session, actor, owner_id, own_only=True)
    stmt = select(Contact).where(Contact.owner_id == owner_id)
    if due_before is not None:
        stmt = stmt.where(Contact.follow_up_on.isnot(None), Contact.follow_up_on <= due_before)
    return list(session.scalars(stmt.order_by(Contact.follow_up_on, Contact.id).limit(500)).all())


def add_note(session: Session, actor: Any, contact_id: int, body: str, *, now: datetime,
             follow_up: str | None = None) -> ContactNote:
    contact = get_contact(session, actor, contact_id)
    body = (body or "").strip()
    if not 1 <= len(body) <= 4000:
        raise Invalid("a note has 1-4000 characters")
    if follow_up:
        contact.follow_up_on = _follow_up(follow_up)
    note = ContactNote(contact_id=contact.id, body=body, created_at=now)
    session.add(note)
    session.flush()
    return note


def notes(session: Session, actor: Any, contact_id: int) -> list[ContactNote]:
    contact = get_contact(session, actor, contact_id)
    return list(session.scalars(select(ContactNote).where(ContactNote.contact_id == contact.id)
                                .order_by(ContactNote.id)).all())
