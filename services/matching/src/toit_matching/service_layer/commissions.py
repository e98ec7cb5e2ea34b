"""CALEOL commissions (one per bailleur and territory), their members, their sessions and
the agenda: vacancies with their designated candidates, each a dossier (synthesis of each
demande, its proofs, its score, the comparateur for the unit).

Who: the bailleur's agents (and the gestionnaire of the département) with `caleol.gerer`
prepare; the members (`caleol.sieger`) see the commissions they belong to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_matching.adapters import repository as repo
from toit_matching.adapters import repository_caleol as rc
from toit_matching.adapters.tables import commissions, dossiers_caleol, membres_caleol, seances
from toit_matching.bootstrap import Dependances
from toit_matching.domain.caleol import (
    Logement,
    Membre,
    Qualite,
    siegeants,
    verifier_membre,
    voix_preponderante,
)
from toit_matching.domain.erreurs import (
    AccesRefuse,
    Conflit,
    DonneesInvalides,
    ErreurChamp,
    Introuvable,
)
from toit_matching.service_layer.acces import Acteur, bailleur_cible
from toit_matching.service_layer.comparateur import Comparaison, comparer

MODES = ("PRESENTIELLE", "NUMERIQUE")


def membre_de_ligne(r: dict[str, Any]) -> Membre:
    return Membre(
        id=r["id"],
        compte_id=r["compte_id"],
        nom=r["nom"],
        qualite=Qualite(r["qualite"]),
        president=r["president"],
        commune=r["commune"],
        epci=r["epci"],
        reservataire_id=r["reservataire_id"],
    )


@dataclass
class Place:
    """A commission as the caller sees it: may they prepare it, which member are they."""

    commission: dict[str, Any]
    membres: list[Membre]
    gerant: bool
    moi: Membre | None

    @property
    def president(self) -> bool:
        return self.moi is not None and self.moi.president


def _gerant(acteur: Acteur, commission: dict[str, Any]) -> bool:
    if commission["bailleur_id"] == acteur.organisation:
        return True
    return acteur.gestionnaire and acteur.dans_departement(commission["departement"])


async def place(uow: UnitOfWork, acteur: Acteur, commission_id: UUID) -> Place:
    commission = await rc.lire_commission(uow.session, commission_id)
    if commission is None:
        raise Introuvable("Commission introuvable")
    membres = [membre_de_ligne(r) for r in await rc.membres(uow.session, commission_id)]
    moi = next((m for m in membres if m.compte_id == acteur.principal.sub), None)
    gerant = _gerant(acteur, commission) and "caleol.gerer" in _actions(acteur)
    if not gerant and moi is None:
        raise Introuvable("Commission introuvable")
    return Place(commission, membres, gerant, moi)


def _actions(acteur: Acteur) -> set[str]:
    from servicekit.authz import PERMISSIONS

    return {a for role in acteur.principal.roles for a in PERMISSIONS.get(role, {})}


def exiger_gerant(p: Place) -> None:
    if not p.gerant:
        raise AccesRefuse("seuls les agents du bailleur préparent la commission")


async def creer_commission(
    uow: UnitOfWork,
    acteur: Acteur,
    *,
    nom: str,
    departement: str,
    territoire: str | None,
    epci_preponderant: bool,
    bailleur_id: str | None = None,
) -> dict[str, Any]:
    bailleur = bailleur_cible(acteur, bailleur_id, departement)
    if not acteur.dans_departement(departement):
        raise DonneesInvalides([ErreurChamp("departement", "hors de votre périmètre")])
    ligne = {
        "id": uuid.uuid4(),
        "bailleur_id": bailleur,
        "nom": nom,
        "departement": departement,
        "territoire": territoire,
        "epci_preponderant": epci_preponderant,
        "version": 1,
        "cree_le": datetime.now(UTC),
    }
    await rc.inserer(uow.session, commissions, ligne)
    await uow.commit()
    return ligne


async def lister_commissions(uow: UnitOfWork, acteur: Acteur) -> list[dict[str, Any]]:
    return await rc.lister_commissions(
        uow.session,
        bailleur_id=acteur.organisation or None,
        departements=sorted(acteur.departements) if acteur.gestionnaire else [],
        compte_id=acteur.principal.sub,
    )


async def ajouter_membre(
    uow: UnitOfWork, acteur: Acteur, commission_id: UUID, membre: Membre
) -> Membre:
    p = await place(uow, acteur, commission_id)
    exiger_gerant(p)
    verifier_membre(membre, p.membres)
    await rc.inserer(
        uow.session,
        membres_caleol,
        {
            "id": membre.id,
            "commission_id": commission_id,
            "compte_id": membre.compte_id,
            "nom": membre.nom,
            "qualite": membre.qualite.value,
            "president": membre.president,
            "commune": membre.commune,
            "epci": membre.epci,
            "reservataire_id": membre.reservataire_id,
        },
    )
    await uow.commit()
    return membre


async def creer_seance(
    uow: UnitOfWork,
    acteur: Acteur,
    commission_id: UUID,
    *,
    reference: str,
    date_seance: datetime,
    mode: str,
) -> dict[str, Any]:
    p = await place(uow, acteur, commission_id)
    exiger_gerant(p)
    if mode not in MODES:
        raise DonneesInvalides([ErreurChamp("mode", "PRESENTIELLE ou NUMERIQUE")])
    ligne = {
        "id": uuid.uuid4(),
        "commission_id": commission_id,
        "reference": reference,
        "date_seance": date_seance,
        "mode": mode,
        "pv_signe_le": None,
        "pv_signe_par": None,
        "version": 1,
    }
    for s in await rc.seances_de(uow.session, commission_id):
        if s["reference"] == reference:
            raise Conflit(f"la référence {reference} est déjà celle d'une séance")
    await rc.inserer(uow.session, seances, ligne)
    await uow.commit()
    return ligne


async def seance_et_place(
    uow: UnitOfWork, acteur: Acteur, seance_id: UUID
) -> tuple[dict[str, Any], Place]:
    seance = await rc.lire_seance(uow.session, seance_id)
    if seance is None:
        raise Introuvable("Séance introuvable")
    return seance, await place(uow, acteur, seance["commission_id"])


async def inscrire(
    uow: UnitOfWork, acteur: Acteur, seance_id: UUID, vacance_id: UUID
) -> dict[str, Any]:
    """Put a vacancy and its designated candidates on the session's agenda."""
    seance, p = await seance_et_place(uow, acteur, seance_id)
    exiger_gerant(p)
    if seance["pv_signe_le"] is not None:
        raise Conflit("le procès-verbal de la séance est signé : l'ordre du jour est clos")
    vacance = await repo.lire_vacance(uow.session, vacance_id)
    if vacance is None or vacance["bailleur_id"] != p.commission["bailleur_id"]:
        raise Introuvable("Vacance introuvable")
    if vacance["statut"] != "DESIGNEE":
        raise Conflit("aucun candidat n'est encore désigné pour cette vacance")
    if await rc.dossier_en_cours(uow.session, vacance_id):
        raise Conflit("cette vacance est déjà inscrite à une séance")
    designation = await repo.lire_designation(uow.session, vacance_id)
    assert designation is not None
    dossiers = await rc.dossiers_de(uow.session, seance_id)
    if any(d["vacance_id"] == vacance_id for d in dossiers):
        raise Conflit(
            "cette vacance figure déjà à l'ordre du jour de cette séance : "
            "inscrivez-la à une autre séance"
        )
    ligne = {
        "id": uuid.uuid4(),
        "seance_id": seance_id,
        "vacance_id": vacance_id,
        "ordre": len(dossiers) + 1,
        "candidats": designation["candidats"],
        "statut": "INSCRIT",
        "vote_ouvert_le": None,
        "vote_limite": None,
        "resultat": None,
        "decisions": None,
        "date_decision": None,
        "version": 1,
    }
    await rc.inserer(uow.session, dossiers_caleol, ligne)
    await uow.commit()
    return ligne


async def ordre_du_jour(
    uow: UnitOfWork, acteur: Acteur, seance_id: UUID
) -> tuple[dict[str, Any], Place, list[dict[str, Any]]]:
    seance, p = await seance_et_place(uow, acteur, seance_id)
    dossiers = []
    for d in await rc.dossiers_de(uow.session, seance_id):
        vacance = await repo.lire_vacance(uow.session, d["vacance_id"])
        dossiers.append({**d, "vacance": vacance})
    return seance, p, dossiers


@dataclass
class Dossier:
    dossier: dict[str, Any]
    seance: dict[str, Any]
    place: Place
    vacance: dict[str, Any]
    sieges: list[Membre]
    preponderant: Membre | None

    @property
    def candidats(self) -> list[UUID]:
        return [UUID(str(c["demande_id"])) for c in self.dossier["candidats"]]

    def siege(self, acteur: Acteur) -> Membre | None:
        return next((m for m in self.sieges if m.compte_id == acteur.principal.sub), None)


async def charger_dossier(
    uow: UnitOfWork, deps: Dependances, acteur: Acteur, dossier_id: UUID
) -> Dossier:
    dossier = await rc.lire_dossier(uow.session, dossier_id)
    if dossier is None:
        raise Introuvable("Dossier introuvable")
    seance, p = await seance_et_place(uow, acteur, dossier["seance_id"])
    vacance = await repo.lire_vacance(uow.session, dossier["vacance_id"])
    assert vacance is not None
    logement = Logement(
        commune=vacance["commune"],
        epci=deps.referentiel.epci_de(vacance["commune"]),
        reservataire_id=vacance["reservataire_id"],
    )
    sieges = siegeants(p.membres, logement)
    if p.moi is not None and p.moi not in sieges and not p.gerant:
        raise Introuvable("Dossier introuvable")
    preponderant = voix_preponderante(sieges, epci_preponderant=p.commission["epci_preponderant"])
    return Dossier(dossier, seance, p, vacance, sieges, preponderant)


async def comparateur_du_dossier(uow: UnitOfWork, deps: Dependances, d: Dossier) -> Comparaison:
    """The synthesis of each designated demande for this unit (composition, resources, taux
    d'effort, reste à vivre, score, priorities and their proof, ancienneté): the
    comparateur, opened to the commission for the candidates on its agenda."""
    return await comparer(uow, deps, None, d.vacance["id"], d.candidats)
