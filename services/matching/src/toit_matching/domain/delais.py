"""Legal delays of the attribution chain, counted by the civil-procedure rule.

R441-10 CCH gives the household at least ten days to answer an offer. Days are counted as
in civil procedure (articles 640 to 642 of the code de procédure civile, as the USH legal
Q&A applies them, primer §9.1.6): the day of the notification does not count, the delay
ends on its last day at midnight, and a delay ending on a Saturday, a Sunday or a public
holiday is extended to the next working day. Public holidays come from a maintained library
(the `holidays` package, through the caller): this module takes them as a function.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

EstFerie = Callable[[date], bool]


def jour_ouvrable(jour: date, est_ferie: EstFerie) -> bool:
    return jour.weekday() < 5 and not est_ferie(jour)


def prochain_jour_ouvrable(jour: date, est_ferie: EstFerie) -> date:
    """The day itself if it is a working day, otherwise the next one."""
    while not jour_ouvrable(jour, est_ferie):
        jour += timedelta(days=1)
    return jour


def echeance(notification: date, jours: int, est_ferie: EstFerie) -> date:
    """Last day (inclusive, until midnight) of a delay of `jours` days notified on
    `notification`."""
    if jours < 1:
        raise ValueError("un délai compte au moins un jour")
    return prochain_jour_ouvrable(notification + timedelta(days=jours), est_ferie)


def echu(limite: date, aujourd_hui: date) -> bool:
    """The delay has run out: its last day is over."""
    return aujourd_hui > limite


def rappel(limite: date, jours_avant: int) -> date:
    """Day on which the reminder before the deadline is due."""
    return limite - timedelta(days=jours_avant)
