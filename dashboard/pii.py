"""Mask personal data before it reaches a screen or a notification: emails, long digit runs, phones."""

from __future__ import annotations

import re
from typing import Any

_EMAIL_RE = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# Card, bank, SSN and phone numbers: 7+ digits, possibly split by spaces or dashes; the last 4 stay.
_DIGITS_RE = re.compile(r"(?<![\w])(?:\d[ -]?){3,}(\d{4})(?![\w])")
# Fields whose whole value is personal data even when it matches no pattern.
SENSITIVE_FIELDS = ("email", "phone", "ssn", "address", "birth", "full_name", "first_name", "last_name")


def mask_text(value: str) -> str:
    """Mask emails to their first letter and domain, and long digit runs to their last four digits."""
    value = _EMAIL_RE.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", value)
    return _DIGITS_RE.sub(lambda m: "****" + m.group(1), value)


def mask_value(field: str, value: Any) -> str:
    """A display string for one field value, masked as its name and content require."""
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    lowered = field.lower()
    if any(name in lowered for name in SENSITIVE_FIELDS) and not lowered.endswith(("domain", "fingerprint")):
        return text[:1] + "***" if text else text
    return mask_text(text)


def flatten_doc(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted view of a nested document (events from the store are nested)."""
    flat: dict[str, Any] = {}
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_doc(value, name + "."))
        else:
            flat[name] = value
    return flat
