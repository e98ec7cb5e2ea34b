"""French formatting of dates, numbers and amounts (Babel), as Jinja filters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers

# Parsed once: Babel parses a locale name and a date pattern on each call otherwise (a
# tenth of a page's rendering time on the espace professionnel's lists).
LOCALE = Locale.parse("fr_FR")
TIMEZONE = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


@lru_cache(maxsize=16)
def _date_pattern(format: str) -> dates.DateTimePattern:
    if format in ("full", "long", "medium", "short"):
        return dates.parse_pattern(dates.get_date_format(format, locale=LOCALE))  # type: ignore[arg-type]
    return dates.parse_pattern(format)


def _as_date(value: Any) -> date | datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value
    text = str(value)
    try:
        return (
            datetime.fromisoformat(text.replace("Z", "+00:00"))
            if "T" in text
            else (date.fromisoformat(text))
        )
    except ValueError:
        return None


def date_fr(value: Any, format: str = "short") -> str:
    """12/03/2026 (short), 12 mars 2026 (long), jeudi 12 mars 2026 (full)."""
    parsed = _as_date(value)
    if parsed is None:
        return "" if value in (None, "") else str(value)
    if isinstance(parsed, datetime):
        parsed = parsed.astimezone(TIMEZONE).date() if parsed.tzinfo else parsed.date()
    return _date_pattern(format).apply(parsed, LOCALE)


def datetime_fr(value: Any, format: str = "short") -> str:
    """12/03/2026 14:05 in Paris time (short) or 12 mars 2026 à 14:05:00 (medium)."""
    parsed = _as_date(value)
    if parsed is None:
        return "" if value in (None, "") else str(value)
    if not isinstance(parsed, datetime):
        return date_fr(parsed, format)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return dates.format_datetime(parsed, format=format, tzinfo=TIMEZONE, locale=LOCALE)


def number_fr(value: Any, decimals: int | None = None) -> str:
    """1 234,5 (narrow no-break space as group separator)."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    if decimals is not None:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return numbers.format_decimal(amount, format=pattern, locale=LOCALE)
    return numbers.format_decimal(amount, locale=LOCALE)


def euros(value: Any, cents: bool = True) -> str:
    """1 234,50 €"""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    if not cents:
        return numbers.format_currency(
            amount, "EUR", format="#,##0 ¤", locale=LOCALE, currency_digits=False
        )
    return numbers.format_currency(amount, "EUR", locale=LOCALE)


FILTERS = {"date_fr": date_fr, "datetime_fr": datetime_fr, "nombre": number_fr, "euros": euros}
