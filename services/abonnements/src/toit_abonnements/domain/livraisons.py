"""Push delivery rules: retries with exponential backoff and jitter over at least 24 hours,
dead letter after that, automatic pause of an endpoint that keeps failing.

Delivery is in order per subscription (so per demande): the head event is retried until
it is delivered or abandoned; the events behind it wait in the log, nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class PolitiqueRelance:
    delai_initial: timedelta = timedelta(seconds=30)
    facteur: float = 2.0
    delai_max: timedelta = timedelta(hours=1)
    # A partner down for a day loses nothing: retries last at least this long.
    abandon_apres: timedelta = timedelta(hours=26)
    gigue: float = 0.2  # ±20 %

    def delai(self, echecs: int, alea: float) -> timedelta:
        """Wait before the next attempt after `echecs` consecutive failures (>= 1);
        `alea` in [0, 1) spreads the retries of many endpoints (jitter)."""
        base = self.delai_initial.total_seconds() * self.facteur ** max(echecs - 1, 0)
        base = min(base, self.delai_max.total_seconds())
        return timedelta(seconds=base * (1 - self.gigue + 2 * self.gigue * alea))

    def abandonner(self, premier_echec: datetime, maintenant: datetime) -> bool:
        return maintenant - premier_echec >= self.abandon_apres

    def duree_minimale(self, tentatives: int) -> timedelta:
        """Shortest time `tentatives` attempts can take (all jitter at its minimum)."""
        return sum((self.delai(i, 0.0) for i in range(1, tentatives)), timedelta())


@dataclass(frozen=True)
class Resultat:
    """The outcome of one attempt to deliver one event."""

    position: int
    livre: bool
    code: int | None = None
    erreur: str | None = None
    duree_ms: float = 0.0


@dataclass(frozen=True)
class Decision:
    """What to record after a batch: new delivered position, next attempt, dead letter."""

    livre_jusqu_a: int
    echecs: int
    premier_echec: datetime | None
    prochain_essai: datetime | None
    lettre_morte: Resultat | None = None
    suspendre: bool = False


def decider(
    politique: PolitiqueRelance,
    resultats: list[Resultat],
    livre_jusqu_a: int,
    echecs: int,
    premier_echec: datetime | None,
    maintenant: datetime,
    alea: float,
) -> Decision:
    """Fold the attempts of one batch (in order; the first failure ends it)."""
    for r in resultats:
        if r.livre:
            livre_jusqu_a, echecs, premier_echec = r.position, 0, None
            continue
        echecs += 1
        premier_echec = premier_echec or maintenant
        if politique.abandonner(premier_echec, maintenant):
            # Dead letter: step over it so the rest flows once the partner is back, and
            # pause the endpoint: it has failed for the whole retry window.
            return Decision(r.position, 0, None, None, lettre_morte=r, suspendre=True)
        return Decision(
            livre_jusqu_a,
            echecs,
            premier_echec,
            maintenant + politique.delai(echecs, alea),
        )
    return Decision(livre_jusqu_a, echecs, premier_echec, None)
