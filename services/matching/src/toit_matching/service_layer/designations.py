"""Designation: the réservataire of an oriented vacancy (or the bailleur on its own
contingent) designates candidates in rank order; publishes `designation.effectuee` in the
same transaction (outbox)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_contracts.events import CandidatDesigne, CandidatEcarte, DesignationEffectuee
from toit_matching.adapters import modeles_lus
from toit_matching.adapters import repository as repo
from toit_matching.bootstrap import Dependances
from toit_matching.domain.designation import Designes, ExceptionDesignation, verifier_designation
from toit_matching.domain.erreurs import AccesRefuse, Conflit, Introuvable
from toit_matching.domain.patrimoine import Contingent
from toit_matching.domain.recherche import Perimetre
from toit_matching.service_layer.acces import Acteur, role_sur_vacance
from toit_matching.service_layer.candidats import charger_vues, evaluer_toutes, evaluer_vacance


async def designer(
    uow: UnitOfWork,
    deps: Dependances,
    acteur: Acteur,
    vacance_id: UUID,
    *,
    candidats: list[UUID],
    motifs: dict[UUID, str],
    exception: ExceptionDesignation | None,
    perimetre: Perimetre = Perimetre.COMMUNE,
    filtres_souples: bool = True,
) -> dict[str, Any]:
    """Designate in the ranking of the search the réservataire ran (the unit's commune, or
    widened to its EPCI: both are a wish the household expressed)."""
    vacance = await repo.lire_vacance(uow.session, vacance_id)
    if vacance is None:
        raise Introuvable("Vacance introuvable")
    role = role_sur_vacance(acteur, vacance)
    if vacance["statut"] == "DECLAREE":
        raise Conflit("la vacance n'est pas encore orientée : orientez-la avant de désigner")
    if vacance["statut"] != "ORIENTEE" or await repo.lire_designation(uow.session, vacance_id):
        raise Conflit("des candidats sont déjà désignés pour cette vacance")
    sur_contingent_bailleur = vacance["contingent"] == Contingent.BAILLEUR.value
    if role == "bailleur" and not sur_contingent_bailleur:
        raise AccesRefuse(
            "cette vacance est orientée vers un réservataire : c'est à lui de désigner"
        )
    if role == "reservataire" and sur_contingent_bailleur:
        raise Introuvable("Vacance introuvable")
    # Current state of every candidate known for this unit (widened to the EPCI, so that
    # a refusal names the real reason); the ranking is the default search's.
    recherche = await evaluer_vacance(
        uow, deps, acteur, vacance_id, perimetre=Perimetre.EPCI, filtres_souples=filtres_souples
    )
    communes_ok = {
        e.demande.demande_id
        for e in recherche.resultat.candidats + recherche.resultat.exclues
        if perimetre is Perimetre.EPCI or recherche.offre.commune in e.demande.communes
    }
    classement = [
        e.demande.demande_id
        for e in recherche.resultat.candidats
        if e.demande.demande_id in communes_ok
    ]
    raisons = {
        e.demande.demande_id: "; ".join(x.motif for x in e.exclusions)
        for e in recherche.resultat.exclues
    }
    for e in recherche.resultat.candidats:
        if e.demande.demande_id not in communes_ok:
            raisons[e.demande.demande_id] = (
                f"exclue : ne souhaite pas {recherche.offre.commune_nom}"
            )
    # The others named: a demande that is not active is a conflict; one the search did
    # not evaluate (outside the pool or excluded by the storage's pre-filters) gets the
    # domain's full evaluation, so that the refusal names its real reason.
    inconnues = [c for c in candidats if c not in raisons and c not in classement]
    if inconnues:
        versions = await modeles_lus.versions_demandes(uow.session, inconnues)
        vues = await charger_vues(uow, deps, list(versions.items()))
        inactives = [v for v in vues if v.statut != "ACTIVE"]
        if inactives:
            raise Conflit(
                "demande non active (radiée, expirée ou à valider) : "
                + ", ".join(v.numero_unique or str(v.demande_id) for v in inactives)
            )
        for e in evaluer_toutes(
            vues, recherche.offre, deps, acteur, perimetre, {}, None, refus=recherche.refus
        ):
            if e.exclusions:
                raisons[e.demande.demande_id] = "; ".join(x.motif for x in e.exclusions)
    dalo = {
        e.demande.demande_id: e.demande.dalo
        for e in recherche.resultat.candidats + recherche.resultat.exclues
    }
    designes: Designes = verifier_designation(
        candidats,
        classement=classement,
        motifs=motifs,
        exception=exception,
        attendus=deps.regle.candidats_par_logement,
        dalo=dalo,
        raisons_exclusion=raisons,
    )
    numeros = {e.demande.demande_id: e.demande.numero_unique for e in recherche.resultat.candidats}
    maintenant = datetime.now(UTC)
    ligne = {
        "id": uuid.uuid4(),
        "vacance_id": vacance_id,
        "organisation_id": acteur.organisation,
        "compte_id": acteur.principal.sub,
        "designee_le": maintenant,
        "exception": None if exception is None else exception.value,
        "candidats": [
            {"demande_id": str(d), "rang": i, "numero_unique": numeros.get(d)}
            for i, d in enumerate(designes.candidats, start=1)
        ],
        "ecarts": [
            {
                "demande_id": str(e.demande_id),
                "rang_classement": e.rang_classement,
                "motif": e.motif,
            }
            for e in designes.ecarts
        ],
        "eligibles": len(classement),
    }
    await repo.inserer_designation(uow.session, ligne)
    if not await repo.maj_vacance(uow.session, vacance_id, vacance["version"], statut="DESIGNEE"):
        raise Conflit("la vacance a été modifiée entre-temps : rechargez-la")
    uow.publish(
        DesignationEffectuee(
            vacance_id=vacance_id,
            version=vacance["version"] + 1,
            logement_rpls=vacance["rpls"],
            bailleur_id=vacance["bailleur_id"],
            reservataire_id=vacance["reservataire_id"],
            contingent=vacance["contingent"],
            departement=vacance["departement"],
            commune=vacance["commune"],
            typologie=vacance["typologie"],
            date_disponibilite=vacance["date_disponibilite"],
            candidats=[
                CandidatDesigne(demande_id=d, rang=i)
                for i, d in enumerate(designes.candidats, start=1)
            ],
            ecarts=[
                CandidatEcarte(
                    demande_id=e.demande_id, rang_classement=e.rang_classement, motif=e.motif
                )
                for e in designes.ecarts
            ],
            exception=None if exception is None else exception.value,
            designe_par=acteur.organisation,
        )
    )
    await uow.commit()
    return ligne


async def lire_designation(uow: UnitOfWork, acteur: Acteur, vacance_id: UUID) -> dict[str, Any]:
    vacance = await repo.lire_vacance(uow.session, vacance_id)
    if vacance is None:
        raise Introuvable("Vacance introuvable")
    role_sur_vacance(acteur, vacance)
    ligne = await repo.lire_designation(uow.session, vacance_id)
    if ligne is None:
        raise Introuvable("Aucune désignation pour cette vacance")
    return ligne
