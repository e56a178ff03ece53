"""Delivery channels: a Slack-compatible webhook and SMTP email. Each raises ChannelError on failure."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import httpx

from dashboard.settings import DashboardSettings


class ChannelError(Exception):
    """Delivery failed; the message names the failure, never a secret."""


def send_webhook(settings: DashboardSettings, title: str, text: str) -> None:
    """POST `{"text": ...}` (Slack incoming-webhook shape) to the configured URL."""
    try:
        response = httpx.post(settings.webhook_url, json={"text": f"*{title}*\n{text}"}, timeout=10)
    except httpx.HTTPError as exc:
        raise ChannelError(f"webhook unreachable: {type(exc).__name__}") from None
    if response.status_code >= 300:
        raise ChannelError(f"webhook answered {response.status_code}")


def send_email(settings: DashboardSettings, title: str, text: str) -> None:
    """Send one plain-text email to every configured recipient."""
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(settings.smtp_to)
    message.set_content(text)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username and settings.smtp_password is not None:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise ChannelError(f"smtp failed: {type(exc).__name__}") from None


def enabled_channels(settings: DashboardSettings) -> dict[str, tuple[str, list[str]]]:
    """Configured channels with their routing: name -> (minimum severity, categories or [] for all)."""
    out: dict[str, tuple[str, list[str]]] = {}
    if settings.webhook_url:
        out["webhook"] = (settings.webhook_min_severity, settings.webhook_categories)
    if settings.smtp_host and settings.smtp_to:
        out["email"] = (settings.email_min_severity, settings.email_categories)
    return out


SENDERS = {"webhook": send_webhook, "email": send_email}
