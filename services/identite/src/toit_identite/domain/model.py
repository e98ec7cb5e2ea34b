"""Organisations, accounts and the rules of habilitation (primer §1, §12)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from toit_contracts.enums import Role, TypeOrganisation


class StatutCompte(StrEnum):
    A_ACTIVER = "A_ACTIVER"
    ACTIF = "ACTIF"
    DESACTIVE = "DESACTIVE"


class TypeCompte(StrEnum):
    AGENT = "agent"
    DEMANDEUR = "demandeur"


@dataclass
class Organisation:
    id: str
    nom: str
    type: TypeOrganisation
    departements: list[str]
    siren: str | None = None
    guichet_enregistreur: bool = False
    reservataire: bool = False
    bailleur: bool = False
    # Code of the guichet enregistreur in the numéro unique (5 characters).
    code_guichet: str | None = None
    demo: bool = False
    version: int = 1


@dataclass
class Compte:
    id: str
    kind: TypeCompte
    identifiant: str
    email: str
    nom: str | None = None
    prenom: str | None = None
    organisation_id: str | None = None
    roles: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)
    epcis: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)
    valide_du: date | None = None
    valide_jusqu_au: date | None = None
    statut: StatutCompte = StatutCompte.A_ACTIVER
    motif_desactivation: str | None = None
    password_hash: str | None = None
    charte_version: int | None = None
    derniere_connexion: datetime | None = None
    cree_le: datetime | None = None
    actif_depuis: datetime | None = None
    version: int = 1
    demo: bool = False

    def refus_connexion(self, today: date) -> str | None:
        """Why this account may not obtain or refresh a token today (None: it may)."""
        if self.statut == StatutCompte.A_ACTIVER:
            return "compte non activé : utilisez le lien reçu par courriel"
        if self.statut == StatutCompte.DESACTIVE:
            return "compte désactivé : contactez l'administrateur de votre organisation"
        if self.valide_du is not None and today < self.valide_du:
            return "compte pas encore valide"
        if self.valide_jusqu_au is not None and today > self.valide_jusqu_au:
            return "compte expiré : contactez l'administrateur de votre organisation"
        return None


# Roles an organisation may grant according to its capacities.
_ROLE_CAPACITY: dict[str, str] = {
    Role.AGENT_ENREGISTREUR: "guichet_enregistreur",
    Role.INSTRUCTEUR: "bailleur",
    Role.MEMBRE_CALEOL: "bailleur",
    Role.RESERVATAIRE: "reservataire",
}
AGENT_ROLES = frozenset(r.value for r in Role) - {Role.DEMANDEUR.value}


@dataclass(frozen=True)
class Grantor:
    """Who grants: whether they administer the whole fichier of their départements
    or only their organisation."""

    gestionnaire: bool
    organisation: str | None
    departements: frozenset[str]


@dataclass(frozen=True)
class Habilitation:
    roles: frozenset[str]
    departements: frozenset[str]
    epcis: frozenset[str] = frozenset()
    communes: frozenset[str] = frozenset()


def habilitation_errors(
    habilitation: Habilitation, organisation: Organisation, grantor: Grantor
) -> list[tuple[str, str]]:
    """(field, French message) for each rule the habilitation breaks."""
    errors: list[tuple[str, str]] = []
    unknown = habilitation.roles - AGENT_ROLES
    if unknown:
        listed = ", ".join(sorted(unknown))
        errors.append(("roles", f"rôle inconnu ou réservé aux demandeurs : {listed}"))
    if not habilitation.roles:
        errors.append(("roles", "au moins un rôle est nécessaire"))
    for role in sorted(habilitation.roles & set(_ROLE_CAPACITY)):
        if not getattr(organisation, _ROLE_CAPACITY[role]):
            message = f"l'organisation n'a pas la capacité requise pour le rôle {role}"
            errors.append(("roles", message))
    if Role.GESTIONNAIRE_FICHIER in habilitation.roles:
        if organisation.type != TypeOrganisation.GESTIONNAIRE_FICHIER:
            errors.append(
                (
                    "roles",
                    "le rôle GESTIONNAIRE_FICHIER est réservé à l'organisation "
                    "gestionnaire du fichier",
                )
            )
        if not grantor.gestionnaire:
            errors.append(("roles", "seul un gestionnaire du fichier peut accorder ce rôle"))
    if not habilitation.departements:
        errors.append(("departements", "au moins un département est nécessaire"))
    if not habilitation.departements <= set(organisation.departements):
        errors.append(("departements", "le périmètre dépasse les départements de l'organisation"))
    if not habilitation.departements <= grantor.departements:
        errors.append(("departements", "le périmètre dépasse votre propre périmètre"))
    if not grantor.gestionnaire and grantor.organisation != organisation.id:
        errors.append(("organisation_id", "vous ne gérez que les comptes de votre organisation"))
    for commune in sorted(habilitation.communes):
        departement = commune[:3] if commune.startswith("97") else commune[:2]
        if departement not in habilitation.departements:
            errors.append(("communes", f"la commune {commune} est hors des départements du compte"))
    return errors
