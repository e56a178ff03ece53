"""/staff pages: account search and actions, role-checked (deny by default) and audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from mlm_app.accounts import auth
from mlm_app.accounts.events import auth_event
from mlm_app.accounts.models import ROLES, User
from mlm_app.accounts.service import AccountError
from mlm_app.db import utcnow
from mlm_app.deps import AdminUser, DbSession, StaffUser, StepUpUser, require_roles
from mlm_app.errors import Forbidden
from mlm_app.events import emit
from mlm_app.profile import service as pii
from mlm_app.staff import service
from mlm_app.web.templating import redirect, render

router = APIRouter(prefix="/staff")
AdminOrSupport = Annotated[User, Depends(require_roles("admin", "support"))]


def _load(db: DbSession, user_id: str, actor: User | None = None) -> User:
    """The target account; only admins may act on staff accounts (support cannot lock or reset an admin)."""
    try:
        user = service.target(db, user_id)
    except service.NotFoundError:
        raise Forbidden("no such account", target_id=user_id[:32]) from None
    if actor is not None and user.is_staff and actor.role != "admin":
        raise Forbidden("only admins act on staff accounts", target_id=user.id)
    return user


@router.get("/users")
def users(request: Request, _staff: StaffUser, db: DbSession, q: str = "") -> Response:
    rows = [{"id": u.id, "username": u.username, "role": u.role, "status": u.status,
             "locked": bool(u.locked_until and u.locked_until > utcnow()), "mfa": u.mfa_enabled}
            for u in service.search(db, q)]
    return render(request, "staff/users.html", {"rows": rows, "q": q[:64]})


@router.post("/users/new")
def create_staff(request: Request, admin: AdminUser, db: DbSession,
                 username: Annotated[str, Form(max_length=64)] = "",
                 new_role: Annotated[str, Form(max_length=16)] = "support") -> Response:
    """An admin adds a staff account; its one-time password is shown once and must be changed."""
    try:
        user, password = service.create_staff(db, username, new_role)
    except AccountError as exc:
        db.rollback()
        return render(request, "staff/users.html", {"rows": [], "q": "", "error": str(exc)}, 400)
    emit(request, "mlm.audit", "account_created", fields={"mlm.target.id": user.id, "mlm.role.current": user.role})
    return render(request, "staff/users.html", {"rows": [], "q": "", "created": {
        "username": user.username, "role": user.role, "password": password}})


@router.get("/users/{user_id}")
def user_detail(request: Request, user_id: str, staff: StaffUser, db: DbSession) -> Response:
    user = _load(db, user_id)
    return render(request, "staff/user.html", {"u": user, "pii": pii.masked(user, request.app.state.keys),
                  "roles": ROLES, "revealed": None, "may_unmask": {
                      f: pii.may_unmask(staff.role, f) for f in pii.PII_FIELDS}})


@router.post("/users/{user_id}/reveal")
def reveal(request: Request, user_id: str, _role: StaffUser, staff: StepUpUser, db: DbSession,
           field: Annotated[str, Form(max_length=32)] = "") -> Response:
    """Unmask one PII field for a permitted role; audited as pii_viewed (also needs fresh MFA).

    The staff role is checked before step-up: a member is refused outright, not asked for a code."""
    user = _load(db, user_id)
    if field not in pii.PII_FIELDS or not pii.may_unmask(staff.role, field):
        raise Forbidden(f"role {staff.role} may not unmask {field[:32]}", target_id=user.id)
    value = pii.read(user, field, request.app.state.keys)
    emit(request, "mlm.audit", "pii_viewed", fields={"mlm.target.id": user.id, "mlm.pii.field": field})
    return render(request, "staff/user.html", {"u": user, "pii": pii.masked(user, request.app.state.keys),
                  "roles": ROLES, "revealed": {"field": field, "value": value or "(not set)"},
                  "may_unmask": {f: pii.may_unmask(staff.role, f) for f in pii.PII_FIELDS}})


@router.post("/users/{user_id}/lock")
def lock(request: Request, user_id: str, staff: AdminOrSupport, db: DbSession) -> Response:
    user = _load(db, user_id, staff)
    service.lock(db, user, utcnow())
    auth_event(request, "account_locked", None, mlm__target__id=user.id, mlm__auth__lock_reason="staff_action")
    return redirect(f"/staff/users/{user.id}")


@router.post("/users/{user_id}/unlock")
def unlock(request: Request, user_id: str, staff: AdminOrSupport, db: DbSession) -> Response:
    user = _load(db, user_id, staff)
    auth.unlock(user)
    auth_event(request, "account_unlocked", None, mlm__target__id=user.id, mlm__auth__lock_reason="staff_action")
    return redirect(f"/staff/users/{user.id}")


@router.post("/users/{user_id}/mfa-reset")
def mfa_reset(request: Request, user_id: str, staff: AdminOrSupport, db: DbSession) -> Response:
    user = _load(db, user_id, staff)
    service.reset_mfa(db, user, utcnow())
    auth_event(request, "mfa_reset", None, mlm__target__id=user.id)
    return redirect(f"/staff/users/{user.id}")


@router.post("/users/{user_id}/role")
def role(request: Request, user_id: str, admin: AdminUser, db: DbSession,
         new_role: Annotated[str, Form(max_length=16)] = "") -> Response:
    user = _load(db, user_id)
    if new_role not in ROLES:
        return redirect(f"/staff/users/{user.id}")
    previous = service.change_role(db, admin, user, new_role, utcnow())
    emit(request, "mlm.audit", "role_changed", fields={
        "mlm.target.id": user.id, "mlm.role.previous": previous, "mlm.role.current": new_role})
    return redirect(f"/staff/users/{user.id}")
