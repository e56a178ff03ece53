"""Security-center logic: the user's view of sessions and sign-ins, revocation, reports."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mlm_app.accounts import sessions
from mlm_app.accounts.auth import recent_signins
from mlm_app.accounts.models import AuthSession, RecoveryCode, SecurityReport, SignIn, User
from mlm_app.errors import Forbidden

REPORT_CATEGORIES = ("phishing", "suspicious_contact", "unknown_signin", "other")
MAX_MESSAGE = 2000


class ReportError(ValueError):
    """The report was refused (unknown category, empty or too long)."""


@dataclass(frozen=True)
class SessionView:
    id: int
    current: bool
    ip: str
    device: str
    user_agent: str
    started: str
    last_seen: str


def _fmt(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def session_views(db: Session, user_id: str, current_id: int | None, now: datetime) -> list[SessionView]:
    """The user's live sessions as plain view models (templates never see ORM rows)."""
    return [SessionView(s.id, s.id == current_id, s.ip or "", (s.device_id or "")[-8:], s.user_agent or "",
                        _fmt(s.created_at), _fmt(s.last_seen)) for s in sessions.live_sessions(db, user_id, now)]


def signin_views(db: Session, user_id: str) -> list[dict[str, str]]:
    return [{"at": _fmt(s.at), "ip": s.ip or "", "agent": s.user_agent or "", "outcome": s.outcome,
             "reason": s.reason or "", "device": (s.device_id or "")[-8:]} for s in recent_signins(db, user_id)]


def device_views(db: Session, user_id: str, limit: int = 20) -> list[dict[str, str]]:
    """Devices (long-lived device cookies) that signed in to the account, most recent first."""
    stmt = (select(SignIn.device_id, func.min(SignIn.at), func.max(SignIn.at), func.count())
            .where(SignIn.user_id == user_id, SignIn.device_id.is_not(None), SignIn.outcome == "success")
            .group_by(SignIn.device_id).order_by(func.max(SignIn.at).desc()).limit(limit))
    return [{"device": (d or "")[-8:], "first": _fmt(first), "last": _fmt(last), "count": str(n)}
            for d, first, last, n in db.execute(stmt)]


def recovery_codes_left(db: Session, user_id: str) -> int:
    stmt = select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    return int(db.scalar(stmt) or 0)


def revoke_own_session(db: Session, user: User, session_id: int, now: datetime) -> None:
    """Sign out one of the user's own sessions; another user's session id is refused."""
    row = db.get(AuthSession, session_id)
    if row is None or row.user_id != user.id:
        raise Forbidden("not your session", target_id=row.user_id if row else None)
    sessions.revoke(row, now)


def file_report(db: Session, user: User, category: str, message: str, now: datetime) -> SecurityReport:
    """Store a user's security report; the router emits the matching mlm.audit event."""
    if category not in REPORT_CATEGORIES:
        raise ReportError("choose one of the listed categories")
    message = message.strip()
    if not message or len(message) > MAX_MESSAGE:
        raise ReportError(f"describe the problem in 1-{MAX_MESSAGE} characters")
    report = SecurityReport(id="rep-" + secrets.token_hex(8), user_id=user.id, category=category,
                            message=message, at=now)
    db.add(report)
    return report
