"""Who may see or act on what in matching.

- A bailleur's agents see and manage their organisation's units and vacancies.
- A réservataire's agents see the vacancies oriented to their organisation and the
  candidates within their territory (départements, and EPCI or communes when the account
  is restricted to them).
- The gestionnaire du fichier sees everything in its départements.
The role × action table is servicekit.authz; this module adds the record-level rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from servicekit.auth import Principal
from toit_matching.domain.erreurs import AccesRefuse, Introuvable

GESTIONNAIRE = "GESTIONNAIRE_FICHIER"


@dataclass(frozen=True, slots=True)
class Acteur:
    principal: Principal

    @property
    def organisation(self) -> str:
        return self.principal.organisation or ""

    @property
    def gestionnaire(self) -> bool:
        return GESTIONNAIRE in self.principal.roles

    @property
    def departements(self) -> frozenset[str]:
        return self.principal.departements

    def dans_departement(self, departement: str) -> bool:
        return departement in self.principal.departements


def bailleur_cible(acteur: Acteur, bailleur_id: str | None, departement: str | None = None) -> str:
    """The bailleur an agent acts for: its own organisation; the gestionnaire may name one."""
    if bailleur_id is None or bailleur_id == acteur.organisation:
        if not acteur.organisation:
            raise AccesRefuse("votre compte n'est rattaché à aucune organisation")
        return acteur.organisation
    if acteur.gestionnaire and (departement is None or acteur.dans_departement(departement)):
        return bailleur_id
    raise AccesRefuse("vous ne pouvez gérer que le patrimoine de votre organisation")


def verifier_logement(acteur: Acteur, logement: dict[str, object]) -> None:
    if logement["bailleur_id"] == acteur.organisation:
        return
    if acteur.gestionnaire and acteur.dans_departement(str(logement["departement"])):
        return
    raise Introuvable("Logement introuvable")


def role_sur_vacance(acteur: Acteur, vacance: dict[str, object]) -> str:
    """'bailleur', 'reservataire' or 'gestionnaire'; Introuvable for anyone else."""
    if vacance["bailleur_id"] == acteur.organisation:
        return "bailleur"
    if vacance.get("reservataire_id") and vacance["reservataire_id"] == acteur.organisation:
        return "reservataire"
    if acteur.gestionnaire and acteur.dans_departement(str(vacance["departement"])):
        return "gestionnaire"
    raise Introuvable("Vacance introuvable")


def dans_perimetre(
    acteur: Acteur, departement: str, communes: Iterable[str], epci_de: object
) -> bool:
    """Is a demande (its département, its wished communes) within the agent's territory?"""
    p = acteur.principal
    if departement not in p.departements:
        return False
    if not p.epcis and not p.communes:
        return True
    communes = tuple(communes)
    if set(communes) & p.communes:
        return True
    assert callable(epci_de)
    return any(epci_de(c) in p.epcis for c in communes)
