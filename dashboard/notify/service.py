"""Notifications (filled in next): placeholder entry points the worker calls."""

from __future__ import annotations

from core.alert import Alert
from dashboard.context import AppContext


def notify_alerts(ctx: AppContext, alerts: list[Alert]) -> None:
    return None


def flush_due(ctx: AppContext) -> None:
    return None
