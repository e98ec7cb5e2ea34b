"""The one calendar of Toit: month arithmetic, ancienneté, expiry and DALO dates.

Every service counts months with these functions (demandes for validity, notices and
ancienneté; cotation for the ancienneté criterion; notifications for the dates printed on
letters), so that no two services disagree on a date. The rule, used everywhere:

- adding months keeps the day of the month, clamped to the month's last day
  (31 January + 1 month = 28 or 29 February);
- `n` whole months have elapsed from `start` to `end` when `add_months(start, n) <= end`
  (31 January → 29 February 2024 is one month: the month ended on its last day).

The two are consistent: a demande deposited on D has an ancienneté of `n` months exactly
from `add_months(D, n)`, the day its validity of `n` months ends.
"""

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


def anciennete_mois(date_depot_initial: date, au: date) -> int:
    """Ancienneté of a demande: whole months since its initial dépôt (kept at renewals)."""
    return whole_months_between(date_depot_initial, au)


def date_expiration(depuis: date, validite_mois: int) -> date:
    """End of validity of a demande registered or renewed on `depuis`."""
    return add_months(depuis, validite_mois)


def date_saisine_dalo(date_depot_initial: date, delai_mois: int) -> date:
    """Date from which the applicant may seize the DALO commission (L441-1-4 CCH)."""
    return add_months(date_depot_initial, delai_mois)
