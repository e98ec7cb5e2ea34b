"""Month arithmetic for durations expressed in months (validity, notices, ancienneté)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """Same day `months` later (or earlier), clamped to the month's end (31 Jan + 1 → 28 Feb)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


def whole_months_between(start: date, end: date) -> int:
    """Complete months elapsed from `start` to `end` (0 when end precedes start)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    return months if add_months(start, months) <= end else months - 1
