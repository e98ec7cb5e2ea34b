"""The territory a caller may see (pure): from the token's claims."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Perimetre:
    """Départements; when the account is restricted, only these EPCI or communes.
    `tout` sees every territory."""

    departements: frozenset[str] = frozenset()
    epcis: frozenset[str] = frozenset()
    communes: frozenset[str] = frozenset()
    tout: bool = False

    def voit_territoire(self, niveau: str, code: str, departements: frozenset[str]) -> bool:
        """May this caller read a whole territory's published figures (a fiche)? Its
        départements must all be in the perimeter; a restricted account sees only its
        own EPCI or communes."""
        if self.tout:
            return True
        if not departements or not departements <= self.departements:
            return False
        if self.epcis or self.communes:
            return (niveau == "epci" and code in self.epcis) or (
                niveau == "commune" and code in self.communes
            )
        return True
