"""Partners, their habilitation, and subscriptions (pure rules).

A partner organisation is declared with its habilitation: the roles its data rights follow
(servicekit.authz) and its territory. A subscription picks event types, a perimeter and a
data profile; it may never be wider than the habilitation: each refused part is named.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from toit_referentiel import territoire

from servicekit import authz
from toit_abonnements.domain.exceptions import HorsHabilitation, Invalide
from toit_contracts.profils import COMPLEMENTS, PROFILS, Profil


class Mode(StrEnum):
    FLUX = "FLUX"  # the partner pulls GET /api/abonnements/flux
    WEBHOOK = "WEBHOOK"  # Standard Webhooks, CloudEvents HTTP binding
    AMQP = "AMQP"  # a queue in the partner's own RabbitMQ vhost


class Statut(StrEnum):
    ACTIF = "ACTIF"
    SUSPENDU = "SUSPENDU"  # push paused (by hand or automatically): the log still grows
    REVOQUE = "REVOQUE"  # no event any more


MODES_POUSSES = (Mode.WEBHOOK, Mode.AMQP)


@dataclass(frozen=True)
class Perimetre:
    """Départements, and optionally EPCIs (SIREN) and communes (INSEE) inside them."""

    departements: frozenset[str]
    epcis: frozenset[str] = frozenset()
    communes: frozenset[str] = frozenset()

    @property
    def restreint(self) -> bool:
        return bool(self.epcis or self.communes)

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "departements": sorted(self.departements),
            "epcis": sorted(self.epcis),
            "communes": sorted(self.communes),
        }


@dataclass(frozen=True)
class Partenaire:
    organisation_id: str
    nom: str
    contact_email: str
    roles: frozenset[str]
    habilitation: Perimetre
    version: int = 1


@dataclass(frozen=True)
class Abonnement:
    id: str
    organisation_id: str
    nom: str
    types: tuple[str, ...]
    perimetre: Perimetre
    profil: str
    complements: tuple[str, ...] = ()
    mode: Mode = Mode.FLUX
    url: str | None = None
    statut: Statut = Statut.ACTIF
    version: int = 1
    extra: Mapping[str, Any] = field(default_factory=dict)


def borner(partenaire: Partenaire, departements_identite: Iterable[str] | None) -> Partenaire:
    """The partner's effective habilitation: what the gestionnaire declared, within the
    départements identite gives the organisation (unknown yet: the declaration alone)."""
    if departements_identite is None:
        return partenaire
    habilitation = dataclasses.replace(
        partenaire.habilitation,
        departements=partenaire.habilitation.departements & frozenset(departements_identite),
    )
    return dataclasses.replace(partenaire, habilitation=habilitation)


def role_accorde(roles: Iterable[str], action: str) -> bool:
    return bool(authz.scopes_for(roles, action))


def _epci_de(commune: str) -> str | None:
    epci = territoire.epci_of_commune(commune)
    return epci.siren if epci is not None else None


def _departement_de(commune: str) -> str:
    return commune[:3] if commune.startswith("97") else commune[:2]


def verifier_perimetre_partenaire(habilitation: Perimetre) -> None:
    if not habilitation.departements:
        raise Invalide("habilitation.departements", "au moins un département")
    for commune in sorted(habilitation.communes):
        if territoire.commune(commune) is None:
            raise Invalide("habilitation.communes", f"commune inconnue : {commune}")
    for epci in sorted(habilitation.epcis):
        if territoire.epci(epci) is None:
            raise Invalide("habilitation.epcis", f"EPCI inconnu : {epci}")


def verifier_droits(abonnement: Abonnement, partenaire: Partenaire) -> Profil:
    """The profile and complements of the subscription are granted by the partner's roles
    (403 HorsHabilitation otherwise); returns the profile."""
    p = PROFILS.get(abonnement.profil)
    if p is None:
        raise Invalide("profil", f"profil inconnu ; profils possibles : {', '.join(PROFILS)}")
    if not role_accorde(partenaire.roles, p.action):
        raise HorsHabilitation(
            "profil",
            f"Le profil « {p.code} » dépasse l'habilitation de l'organisation : "
            f"ses rôles ne permettent pas « {authz.ACTIONS[p.action]} »",
        )
    for c in abonnement.complements:
        complement = COMPLEMENTS.get(c)
        if complement is None or c not in p.complements:
            raise Invalide("complements", f"complément non proposé par le profil : {c}")
        if not role_accorde(partenaire.roles, complement.action):
            raise HorsHabilitation(
                f"complément {c}",
                f"Le complément « {c} » dépasse l'habilitation de l'organisation : "
                "ses rôles ne permettent pas de lire cette donnée sensible",
            )
    return p


def verifier_abonnement(abonnement: Abonnement, partenaire: Partenaire) -> Profil:
    """Refuse a subscription wider than the partner's habilitation; returns its profile.

    422 (Invalide) for what makes no sense, 403 (HorsHabilitation) naming the part that
    exceeds the habilitation."""
    p = PROFILS.get(abonnement.profil)
    if p is None:
        raise Invalide("profil", f"profil inconnu ; profils possibles : {', '.join(PROFILS)}")
    if not abonnement.types:
        raise Invalide("types", "au moins un type d'événement")
    for t in abonnement.types:
        if t not in p.evenements:
            raise Invalide("types", f"type d'événement non proposé par le profil : {t}")
    verifier_droits(abonnement, partenaire)
    _verifier_territoire(abonnement.perimetre, partenaire.habilitation)
    return p


def _verifier_territoire(perimetre: Perimetre, habilitation: Perimetre) -> None:
    if not perimetre.departements:
        raise Invalide("perimetre.departements", "au moins un département")
    for d in sorted(perimetre.departements):
        if d not in habilitation.departements:
            raise HorsHabilitation(
                f"département {d}",
                f"Le département {d} est hors de l'habilitation de l'organisation",
            )
    for epci in sorted(perimetre.epcis):
        found = territoire.epci(epci)
        if found is None:
            raise Invalide("perimetre.epcis", f"EPCI inconnu : {epci}")
        if habilitation.restreint and epci not in habilitation.epcis:
            raise HorsHabilitation(
                f"EPCI {epci}", f"L'EPCI {epci} est hors de l'habilitation de l'organisation"
            )
        if not set(found.departements) & perimetre.departements:
            raise Invalide("perimetre.epcis", f"l'EPCI {epci} n'est dans aucun des départements")
    for commune in sorted(perimetre.communes):
        if territoire.commune(commune) is None:
            raise Invalide("perimetre.communes", f"commune inconnue : {commune}")
        if _departement_de(commune) not in perimetre.departements:
            raise Invalide(
                "perimetre.communes", f"la commune {commune} n'est dans aucun des départements"
            )
        if habilitation.restreint and not (
            commune in habilitation.communes or _epci_de(commune) in habilitation.epcis
        ):
            raise HorsHabilitation(
                f"commune {commune}",
                f"La commune {commune} est hors de l'habilitation de l'organisation",
            )
    if habilitation.restreint and not perimetre.restreint:
        raise HorsHabilitation(
            "périmètre",
            "Le périmètre dépasse l'habilitation de l'organisation, limitée à certains "
            "EPCI ou communes : précisez-les dans le périmètre",
        )


def communes_de(data: Mapping[str, Any]) -> set[str]:
    """The communes a demande event concerns (wished communes; commune of first choice)."""
    communes: set[str] = set()
    snapshot = data.get("snapshot")
    if isinstance(snapshot, Mapping):
        recherche = snapshot.get("logement_recherche") or {}
        communes.update(c for c in recherche.get("communes") or () if isinstance(c, str))
    souhaitee = data.get("commune_souhaitee")
    if isinstance(souhaitee, str):
        communes.add(souhaitee)
    return communes


def concerne(abonnement: Abonnement, event_type: str, data: Mapping[str, Any]) -> bool:
    """Does this internal event go into the subscription's log?"""
    if abonnement.statut is Statut.REVOQUE or event_type not in abonnement.types:
        return False
    return dans_le_perimetre(abonnement.perimetre, data)


def dans_le_perimetre(perimetre: Perimetre, data: Mapping[str, Any]) -> bool:
    """Is the demande of this event inside the perimeter (département, then EPCI/commune)?"""
    if data.get("departement") not in perimetre.departements:
        return False
    if not perimetre.restreint:
        return True
    communes = communes_de(data)
    if communes & perimetre.communes:
        return True
    return bool(perimetre.epcis) and any(_epci_de(c) in perimetre.epcis for c in communes)
