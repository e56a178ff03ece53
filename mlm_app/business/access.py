"""Who may read whose data: staff see everyone, a distributor sees themself and their downline.

Every service that takes a distributor, order, payout or contact id calls `authorize` before
reading; a refusal raises `AccessDenied`, which the route class audits as `access_denied`.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from mlm_app.accounts.models import STAFF_ROLES
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.errors import AccessDenied, NotFound

ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
FINANCE_ROLES = ("admin", "finance")


def is_staff(actor: Any) -> bool:
    return getattr(actor, "role", None) in STAFF_ROLES


def in_downline(upline: Distributor, member: Distributor) -> bool:
    """True when `member` is below `upline` in the sponsor tree or the placement tree."""
    return member.sponsor_path.startswith(upline.downline_prefix) or member.placement_path.startswith(
        upline.placement_prefix)


def authorize(session: Session, actor: Any, target_id: str, *, own_only: bool = False) -> Distributor:
    """The target distributor if `actor` may read it; NotFound / AccessDenied otherwise."""
    if not isinstance(target_id, str) or not ID_RE.match(target_id):
        raise NotFound("no such distributor")
    target = session.get(Distributor, target_id)
    if target is None:
        raise NotFound("no such distributor")
    if is_staff(actor) or actor.id == target_id:
        return target
    if not own_only:
        me = session.get(Distributor, actor.id)
        if me is not None and in_downline(me, target):
            return target
    raise AccessDenied(target_id)


def require_finance(actor: Any) -> None:
    """Only admin and finance staff decide on money."""
    if getattr(actor, "role", None) not in FINANCE_ROLES:
        raise AccessDenied(None, "finance role required")


def require_staff(actor: Any) -> None:
    if not is_staff(actor):
        raise AccessDenied(None, "staff role required")
