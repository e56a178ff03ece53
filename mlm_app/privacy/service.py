"""Export and erasure of one account's personal data.

Erasure keeps the user id (a pseudonym: ledgers, commissions and payouts legally must stay) and
removes everything that identifies the person. The business package may add its own parts through
`mlm_app.business.privacy.export(session, user_id) -> dict` and `erase(session, user_id) -> None`.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mlm_app.accounts import mfa, sessions
from mlm_app.accounts.models import SecurityReport, SignIn, User
from mlm_app.profile import service as pii
from mlm_app.security.crypto import KeyRing

BUSINESS_PRIVACY = "mlm_app.business.privacy"


def _business() -> Any:
    try:
        if importlib.util.find_spec(BUSINESS_PRIVACY) is None:
            return None
    except ModuleNotFoundError:
        return None
    return importlib.import_module(BUSINESS_PRIVACY)


def export(db: Session, user: User, keys: KeyRing) -> dict[str, Any]:
    """Everything the app holds about the person, decrypted, as one JSON-ready document."""
    signins = db.scalars(select(SignIn).where(SignIn.user_id == user.id).order_by(SignIn.at)).all()
    reports = db.scalars(select(SecurityReport).where(SecurityReport.user_id == user.id)).all()
    doc: dict[str, Any] = {
        "account": {"id": user.id, "username": user.username, "email": user.email, "phone": user.phone,
                    "role": user.role, "created_at": user.created_at.isoformat(), "mfa_enabled": user.mfa_enabled},
        "personal": {field: pii.read(user, field, keys) for field in pii.PII_FIELDS},
        "signins": [{"at": s.at.isoformat(), "ip": s.ip, "user_agent": s.user_agent, "outcome": s.outcome}
                    for s in signins],
        "security_reports": [{"id": r.id, "category": r.category, "message": r.message, "at": r.at.isoformat()}
                             for r in reports],
    }
    business = _business()
    if business is not None and hasattr(business, "export"):
        doc["business"] = business.export(db, user.id)
    return doc


def count_records(doc: dict[str, Any]) -> int:
    """How many records an export holds (for the data_exported event)."""
    return 2 + sum(len(v) for v in doc.values() if isinstance(v, list))


def erase(db: Session, user: User, now: datetime) -> None:
    """Remove personal data, keep the pseudonymous id; the account can no longer sign in."""
    pseudonym = "erased-" + hashlib.sha256(user.id.encode()).hexdigest()[:12]
    sessions.revoke_all(db, user.id, now)
    mfa.disable(db, user)
    user.username, user.email, user.phone = pseudonym, None, None
    user.tax_id_enc = user.birth_date_enc = user.bank_account_enc = None
    user.password_hash = "!erased"  # matches no password: argon2 refuses this hash
    user.status = "erased"
    db.execute(delete(SignIn).where(SignIn.user_id == user.id))
    db.execute(delete(SecurityReport).where(SecurityReport.user_id == user.id))
    business = _business()
    if business is not None and hasattr(business, "erase"):
        business.erase(db, user.id)
