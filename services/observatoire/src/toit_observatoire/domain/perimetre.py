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
