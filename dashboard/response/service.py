"""Response actions (filled in next): placeholder entry point the worker calls."""

from __future__ import annotations

from dashboard.context import AppContext


def apply_policy(ctx: AppContext, touched: list[object]) -> None:
    return None
