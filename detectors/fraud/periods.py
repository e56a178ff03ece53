"""Commission periods: `2026-11` (a month) or `2026-W47` (an ISO week), their bounds and kinds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

DAY = 86_400.0
KINDS = ("week", "month")


def period_kind(period: str) -> str:
    return "week" if "-W" in period else "month"


def period_bounds(period: str) -> tuple[float, float] | None:
    """(start, close) epoch seconds of a commission period `2026-11` or `2026-W47`."""
    try:
        if "-W" in period:
            year, week = period.split("-W")
            start = date.fromisocalendar(int(year), int(week), 1)
            end = start + timedelta(days=7)
        else:
            year, month = period.split("-")
            start = date(int(year), int(month), 1)
            end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    except (ValueError, OverflowError):
        return None
    return _midnight(start), _midnight(end)


def bounds_at(ts: float, kind: str) -> tuple[float, float] | None:
    """(start, close) of the calendar period of `kind` that contains the moment `ts` (None: off the calendar)."""
    try:
        day = datetime.fromtimestamp(ts, tz=UTC).date()
        if kind == "week":
            start = day - timedelta(days=day.weekday())
            return _midnight(start), _midnight(start + timedelta(days=7))
        start = day.replace(day=1)
        return _midnight(start), _midnight(date(start.year + start.month // 12, start.month % 12 + 1, 1))
    except (ValueError, OverflowError, OSError):
        return None  # a hostile timestamp at the end of time has no next period


def late_span(start: float, close: float) -> float:
    """The closing stretch of a period: its last 3 days, at most a seventh of it (1 day of a week)."""
    return min(3 * DAY, (close - start) / 7)


def _midnight(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
