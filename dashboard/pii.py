"""Mask personal data before it reaches a screen or a notification: emails, long digit runs, phones."""

from __future__ import annotations

import re
from typing import Any

_EMAIL_RE = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# Card, bank, SSN and phone numbers: 7+ digits, possibly split by spaces or dashes; the last 4 stay.
_DIGITS_RE = re.compile(r"(?<![\w])(?:\d[ -]?){3,}(\d{4})(?![\w])")
# IBANs (country, check digits, up to 30 letters/digits, maybe grouped by spaces): the digit rule above
# misses them because letters precede the digits; the last 4 stay. Letters only in the bank code
# (GB82 WEST ..., IT60 X054 ...), so the match never runs on into the next word.
_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2} ?[A-Z0-9]{4}(?: ?\d{4}){1,6}(?: ?\d{1,3})?\b", re.IGNORECASE)
# Fields whose whole value is personal data even when it matches no pattern.
SENSITIVE_FIELDS = (
    "email",
    "phone",
    "ssn",
    "address",
    "birth",
    "full_name",
    "first_name",
    "last_name",
    "tax_id",
    "iban",
    "account_number",
    "card",
)


def _iban_valid(candidate: str) -> bool:
    """The ISO 13616 mod-97 check, so ids that merely look like IBANs stay readable."""
    text = candidate.replace(" ", "").upper()
    digits = "".join(str(int(c, 36)) for c in text[4:] + text[:4])
    return 15 <= len(text) <= 34 and int(digits) % 97 == 1


def _mask_iban(match: re.Match[str]) -> str:
    text = match.group(0)
    return "****" + text.replace(" ", "")[-4:] if _iban_valid(text) else text


def mask_text(value: str) -> str:
    """Mask emails to their first letter and domain, and long digit runs to their last four digits."""
    value = _EMAIL_RE.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", value)
    value = _IBAN_RE.sub(_mask_iban, value)
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
