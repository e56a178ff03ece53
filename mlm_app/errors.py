"""Domain errors the app turns into responses in one place (mlm_app.main installs the handlers)."""

from __future__ import annotations


class NotAuthenticated(Exception):
    """No valid, fully authenticated session (HTML: redirect to /login; API: 401)."""


class Forbidden(Exception):
    """The current user's role does not allow this (403, audited as access_denied)."""

    def __init__(self, reason: str = "forbidden", target_id: str | None = None) -> None:
        super().__init__(reason)
        self.target_id = target_id


class StepUpRequired(Exception):
    """A sensitive action needs a fresh second factor (HTML: redirect to /account/step-up)."""


class CSRFError(Exception):
    """A form POST without a valid CSRF token (403)."""


class PasswordChangeRequired(Exception):
    """The account must choose a new password before anything else (redirect to /account/password)."""
