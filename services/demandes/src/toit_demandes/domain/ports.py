"""What the domain needs from reference data (implemented over libs/referentiel)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from toit_contracts.enums import Typologie
from toit_demandes.domain.cycle_de_vie import ReglesCycleDeVie
from toit_demandes.domain.derives import CategorieMenage


@dataclass(frozen=True)
class TypePiece:
    """An entry of the pièces catalogue (primer §4.2)."""

    code: str
    libelle: str
    phase: str  # ENREGISTREMENT, INSTRUCTION_OBLIGATOIRE, COMPLEMENTAIRE
    par_personne: bool
    identite: bool  # accepted as the identity document required at registration
    sensible: bool  # health or violence data: need-to-know access only


class Referentiel(Protocol):
    def departements_couverts(self) -> frozenset[str]: ...

    def commune_existe(self, insee: str) -> bool: ...

    def plafond(
        self, annee: int, financement: str, categorie: CategorieMenage
    ) -> Decimal | None: ...

    def plafond_provisoire(self, annee: int, financement: str) -> bool:
        """The barème is not read in the arrêté itself (PLAI, PLS): shown as provisional."""
        ...

    def delai_anormalement_long(
        self, departement: str, typologies: Iterable[Typologie]
    ) -> int | None:
        """DAL of a demande asking for these typologies (the shortest; None if unknown)."""
        ...

    def regles_cycle_de_vie(self) -> ReglesCycleDeVie: ...

    def anteriorite_depot_jours(self) -> int:
        """Days back an agent may date, at creation, the dépôt of a paper form."""
        ...

    def type_piece(self, code: str) -> TypePiece | None: ...

    def types_pieces(self) -> list[TypePiece]: ...
