"""Announcements of a fichier: who sees one, and the rules of its fields (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from toit_contracts.enums import TypeOrganisation
from toit_identite.domain.model import AGENT_ROLES

# An announcement lasts at most a year: the banner is for current news, not an archive.
DUREE_MAX = timedelta(days=366)


class NiveauAnnonce(StrEnum):
    INFORMATION = "INFORMATION"
    IMPORTANT = "IMPORTANT"
    ALERTE = "ALERTE"


@dataclass(frozen=True)
class ContenuAnnonce:
    """What the gestionnaire writes."""

    departement: str
    titre: str
    texte: str
    niveau: NiveauAnnonce = NiveauAnnonce.INFORMATION
    # Empty: every professional of the département.
    roles: frozenset[str] = frozenset()
    types_organisation: frozenset[str] = frozenset()
    debut: datetime | None = None  # None: now
    fin: datetime | None = None  # None: until expired by hand


@dataclass(frozen=True)
class Annonce:
    id: str
    departement: str
    titre: str
    texte: str
    niveau: NiveauAnnonce
    roles: frozenset[str]
    types_organisation: frozenset[str]
    debut: datetime
    fin: datetime | None
    cree_le: datetime
    cree_par: str
    modifie_le: datetime
    modifie_par: str
    version: int = 1

    def en_cours(self, maintenant: datetime) -> bool:
        return self.debut <= maintenant and (self.fin is None or maintenant < self.fin)

    def concerne(
        self,
        departements: frozenset[str],
        roles: frozenset[str],
        type_organisation: str | None,
    ) -> bool:
        """Whether a professional with these départements, roles and organisation type
        is among the announcement's audience."""
        if self.departement not in departements:
            return False
        if self.roles and not self.roles & roles:
            return False
        return not self.types_organisation or type_organisation in self.types_organisation


def erreurs_contenu(contenu: ContenuAnnonce, maintenant: datetime) -> list[tuple[str, str]]:
    """(field, French message) for each rule the announcement breaks."""
    erreurs: list[tuple[str, str]] = []
    if not contenu.titre.strip():
        erreurs.append(("titre", "le titre est obligatoire"))
    if not contenu.texte.strip():
        erreurs.append(("texte", "le texte est obligatoire"))
    inconnus = contenu.roles - AGENT_ROLES
    if inconnus:
        erreurs.append(("roles", f"rôle inconnu : {', '.join(sorted(inconnus))}"))
    types = {t.value for t in TypeOrganisation}
    if contenu.types_organisation - types:
        inconnus_t = ", ".join(sorted(contenu.types_organisation - types))
        erreurs.append(("types_organisation", f"type d'organisation inconnu : {inconnus_t}"))
    debut = contenu.debut or maintenant
    if contenu.fin is not None:
        if contenu.fin <= debut:
            erreurs.append(("fin", "la fin d'affichage doit suivre son début"))
        elif contenu.fin - debut > DUREE_MAX:
            erreurs.append(("fin", "une annonce s'affiche au plus un an"))
    return erreurs
