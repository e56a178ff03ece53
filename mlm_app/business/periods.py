"""Commission periods: monthly `2026-11` or ISO-weekly `2026-W47`, as half-open UTC time ranges."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from mlm_app.business.errors import Invalid

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
WEEK_RE = re.compile(r"^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$")


def month_of(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def week_of(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year:04d}-W{week:02d}"


def period_range(period: str) -> tuple[datetime, datetime]:
    """[start, end) of a period; refuses anything that is not a month or an ISO week."""
    if not isinstance(period, str):
        raise Invalid("period must be YYYY-MM or YYYY-Www")
    if m := MONTH_RE.match(period):
        year, month = int(m.group(1)), int(m.group(2))
        start = datetime(year, month, 1, tzinfo=UTC)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        return start, end
    if m := WEEK_RE.match(period):
        try:
            monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise Invalid(f"{period} is not a week of that year") from None
        start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
        return start, start + timedelta(days=7)
    raise Invalid("period must be YYYY-MM or YYYY-Www")
