"""Secrets never appear in any event (EVENTS.md): a source that logs one is redacted at ingest.

A field whose own name says it holds a secret (password, token, TOTP code, card or bank account
number, SSN...) keeps its place but loses its value, so the event stays useful and nothing leaks
into the store, the bus or the dashboard. Keyed `*.fingerprint` fields are the sanctioned form.
"""

from __future__ import annotations

import re

from core.event import Event, nest

REDACTED = "[REDACTED]"
# Matched against the last part of a dotted name, whole words only ("passport" and "tokens_used"
# are not secrets; "password", "api_token", "totp_code", "card_number" are).
_SECRET_NAME = re.compile(
    r"(?:^|[._-])(?:pass(?:word|wd|phrase)?|pwd|secret|(?:api|access|refresh|session|auth|csrf)?_?token"
    r"|totp(?:_code)?|otp|mfa_code|recovery_code|cvv|cvc|ssn|tax_id|card_?number|pan|iban"
    r"|account_?number|routing_?number)$",
    re.IGNORECASE,
)
# One search over all names joined: the common case (no secret) costs one C call.
_ANY_SECRET = re.compile(_SECRET_NAME.pattern.replace("$", r"(?=\n|$)"), re.IGNORECASE | re.MULTILINE)


def redact_secrets(event: Event) -> Event:
    """Blank the values of secret-named fields in both views of the event."""
    flat = event.flat
    if not _ANY_SECRET.search("\n".join(flat)):
        return event
    hits = [name for name in flat if _SECRET_NAME.search(name) and flat[name] not in (None, REDACTED)]
    if hits:
        for name in hits:
            flat[name] = REDACTED
        event.doc = nest(flat)
    return event
