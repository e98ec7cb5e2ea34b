"""Offers and attributions: the offer to the next attributaire by rank with its legal
deadline (≥ 10 days, civil-procedure counting); acceptance; refusal with a motive from
configuration; silence at the deadline = refusal (daily job); suspensive condition lapsing
at its deadline; then the next rank. The lease signed publishes `attribution.prononcee`
with the SNE data (R441-2-9 CCH): demandes radiates the demande, cotation updates the
waiting time, the flux ledger counts the vacancy as attributed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_contracts.events.attributions import (
    AttributionPrononcee,
    ConditionSuspensive,
    LogementAttribue,
    MotifRefusOffre,
    OffreAcceptee,
    OffreEmise,
    OffreRappelee,
    OffreRefusee,
)
from toit_contracts.events.matching import VacanceOrientee
from toit_matching.adapters import modeles_lus
from toit_matching.adapters import repository as repo
from toit_matching.adapters import repository_caleol as rc
from toit_matching.adapters.tables import attributions, offres
from toit_matching.bootstrap import Dependances
from toit_matching.domain.delais import echeance
from toit_matching.domain.erreurs import AccesRefuse, Conflit, Introuvable
from toit_matching.domain.offres import (
    Attributaire,
    StatutOffre,
    premier_quartile,
    suivant,
    transition,
    verifier_bail,
    verifier_refus,
)
from toit_matching.service_layer.acces import Acteur


def attributaires(dossier: dict[str, Any]) -> list[Attributaire]:
    return [
        Attributaire(
            demande_id=UUID(d["demande_id"]),
            rang=d["rang"],
            piece=d.get("piece"),
            date_limite_piece=date.fromisoformat(d["date_limite_piece"])
            if d.get("date_limite_piece")
            else None,
        )
        for d in dossier["decisions"] or []
        if d.get("rang") is not None
    ]


def _commun(offre: dict[str, Any], departement: str) -> dict[str, Any]:
    return {
        "offre_id": offre["id"],
        "demande_id": offre["demande_id"],
        "numero_unique": offre["numero_unique"],
        "departement": departement,
        "vacance_id": offre["vacance_id"],
        "dossier_id": offre["dossier_id"],
        "rang": offre["rang"],
    }


async def emettre_suivante(
    uow: UnitOfWork,
    deps: Dependances,
    dossier: dict[str, Any],
    vacance: dict[str, Any],
    aujourd_hui: date,
) -> dict[str, Any] | None:
    """The offer to the next attributaire (rank order) whose demande is still active; None
    when every rank has had one: the vacancy then goes back to its réservataire (or the
    bailleur on its own contingent), oriented again, to be designated anew (primer §9.1.7:
    "refusal → next rank or back to the réservataire")."""
    deja = [o["demande_id"] for o in await rc.offres_du_dossier(uow.session, dossier["id"])]
    numeros = {UUID(str(c["demande_id"])): c.get("numero_unique") for c in dossier["candidats"]}
    while (a := suivant(attributaires(dossier), deja)) is not None:
        deja.append(a.demande_id)
        if await rc.statut_demande(uow.session, a.demande_id) != "ACTIVE":
            continue  # radiated or renounced since the decision: next rank
        return await _emettre(uow, deps, dossier, vacance, a, numeros, aujourd_hui)
    await rendre_au_reservataire(uow, vacance)
    return None


async def rendre_au_reservataire(uow: UnitOfWork, vacance: dict[str, Any]) -> None:
    """No rank left (all refused, lapsed or radiated, or no attribution decided): the
    vacancy is oriented again to the same contingent, its spent designation removed (the
    CALEOL dossier keeps the candidates and decisions), and `vacance.orientee` says so."""
    if vacance["statut"] != "DESIGNEE":
        return
    maintenant = datetime.now(UTC)
    await rc.supprimer_designation(uow.session, vacance["id"])
    if not await repo.maj_vacance(
        uow.session, vacance["id"], vacance["version"], statut="ORIENTEE", orientee_le=maintenant
    ):
        raise Conflit("la vacance a été modifiée entre-temps : rechargez-la")
    uow.publish(
        VacanceOrientee(
            vacance_id=vacance["id"],
            version=vacance["version"] + 1,
            logement_rpls=vacance["rpls"],
            bailleur_id=vacance["bailleur_id"],
            departement=vacance["departement"],
            commune=vacance["commune"],
            annee_flux=vacance["annee_flux"],
            contingent=vacance["contingent"] or "BAILLEUR",
            reservataire_id=vacance["reservataire_id"],
            convention_id=vacance["convention_id"],
            hors_flux=vacance["hors_flux"],
            motif_hors_flux=vacance["motif_hors_flux"],
            orientee_le=maintenant,
        )
    )


async def _emettre(
    uow: UnitOfWork,
    deps: Dependances,
    dossier: dict[str, Any],
    vacance: dict[str, Any],
    a: Attributaire,
    numeros: dict[UUID, Any],
    aujourd_hui: date,
) -> dict[str, Any]:
    delai = deps.attribution.delai_reponse(vacance["bailleur_id"])
    limite = echeance(aujourd_hui, delai, deps.referentiel.est_ferie)
    ligne = {
        "id": uuid.uuid4(),
        "dossier_id": dossier["id"],
        "vacance_id": vacance["id"],
        "demande_id": a.demande_id,
        "numero_unique": numeros.get(a.demande_id),
        "rang": a.rang,
        "statut": StatutOffre.EMISE.value,
        "date_notification": aujourd_hui,
        "date_limite": limite,
        "delai_jours": delai,
        "piece": a.piece,
        "date_limite_piece": a.date_limite_piece,
        "piece_produite": a.piece is None,
        "rappel_envoye": False,
        "date_reponse": None,
        "motif_refus": None,
        "precision": None,
        "tacite": False,
        "version": 1,
    }
    await rc.inserer(uow.session, offres, ligne)
    uow.publish(_offre_notifiee(OffreEmise, ligne, vacance))
    return ligne


def _offre_notifiee(
    classe: type[OffreEmise], offre: dict[str, Any], vacance: dict[str, Any]
) -> OffreEmise:
    """The offer as notified (`offre.emise`), or repeated by its reminder."""
    condition = None
    if offre["piece"] is not None and offre["date_limite_piece"] is not None:
        condition = ConditionSuspensive(
            piece=offre["piece"], date_limite=offre["date_limite_piece"]
        )
    return classe(
        **_commun(offre, vacance["departement"]),
        version=offre["version"],
        logement_rpls=vacance["rpls"],
        bailleur_id=vacance["bailleur_id"],
        adresse=vacance["adresse"],
        commune=vacance["commune"],
        typologie=vacance["typologie"],
        loyer=Decimal(vacance["loyer"]),
        charges=Decimal(vacance["charges"]),
        date_notification=offre["date_notification"],
        date_limite_reponse=offre["date_limite"],
        delai_jours=offre["delai_jours"],
        condition=condition,
    )


async def _offre_et_vacance(
    uow: UnitOfWork, acteur: Acteur | None, offre_id: UUID
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    offre = await rc.lire_offre(uow.session, offre_id)
    if offre is None:
        raise Introuvable("Offre introuvable")
    vacance = await repo.lire_vacance(uow.session, offre["vacance_id"])
    assert vacance is not None
    if acteur is not None and not (
        vacance["bailleur_id"] == acteur.organisation
        or (acteur.gestionnaire and acteur.dans_departement(vacance["departement"]))
    ):
        raise Introuvable("Offre introuvable")
    dossier = await rc.lire_dossier(uow.session, offre["dossier_id"])
    assert dossier is not None
    return offre, vacance, dossier


async def _refuser(
    uow: UnitOfWork,
    deps: Dependances,
    offre: dict[str, Any],
    vacance: dict[str, Any],
    dossier: dict[str, Any],
    *,
    motif: MotifRefusOffre,
    precision: str | None,
    tacite: bool,
    jour: date,
) -> dict[str, Any] | None:
    transition(StatutOffre(offre["statut"]), StatutOffre.REFUSEE)
    if not await rc.maj_offre(
        uow.session,
        offre["id"],
        offre["version"],
        statut=StatutOffre.REFUSEE.value,
        date_reponse=jour,
        motif_refus=motif.value,
        precision=precision,
        tacite=tacite,
    ):
        raise Conflit("l'offre a été modifiée entre-temps : rechargez-la")
    prochaine = await emettre_suivante(uow, deps, dossier, vacance, jour)
    uow.publish(
        OffreRefusee(
            **_commun(offre, vacance["departement"]),
            version=offre["version"] + 1,
            date_reponse=jour,
            motif=motif,
            precision=precision,
            tacite=tacite,
            rang_suivant=None if prochaine is None else prochaine["rang"],
        )
    )
    return prochaine


async def repondre(
    uow: UnitOfWork,
    deps: Dependances,
    acteur: Acteur,
    offre_id: UUID,
    *,
    accepte: bool,
    motif: str | None,
    precision: str | None,
    date_reponse: date,
) -> dict[str, Any]:
    """The household's answer, recorded by the bailleur's agent."""
    offre, vacance, dossier = await _offre_et_vacance(uow, acteur, offre_id)
    if date_reponse < offre["date_notification"]:
        from toit_matching.domain.erreurs import DonneesInvalides, ErreurChamp

        raise DonneesInvalides(
            [ErreurChamp("date_reponse", "la réponse ne précède pas la notification de l'offre")]
        )
    if accepte:
        transition(StatutOffre(offre["statut"]), StatutOffre.ACCEPTEE)
        if date_reponse > offre["date_limite"]:
            raise Conflit("le délai de réponse est dépassé : l'offre vaut refus")
        if await rc.statut_demande(uow.session, offre["demande_id"]) != "ACTIVE":
            raise Conflit("la demande n'est plus active (radiée) : l'offre ne peut être acceptée")
        if not await rc.maj_offre(
            uow.session,
            offre_id,
            offre["version"],
            statut=StatutOffre.ACCEPTEE.value,
            date_reponse=date_reponse,
        ):
            raise Conflit("l'offre a été modifiée entre-temps : rechargez-la")
        uow.publish(
            OffreAcceptee(
                **_commun(offre, vacance["departement"]),
                version=offre["version"] + 1,
                date_reponse=date_reponse,
            )
        )
        await uow.commit()
        return {**offre, "statut": StatutOffre.ACCEPTEE.value}
    verifier_refus(motif, precision, deps.attribution.motifs_refus)
    assert motif is not None
    prochaine = await _refuser(
        uow,
        deps,
        offre,
        vacance,
        dossier,
        motif=MotifRefusOffre(motif),
        precision=precision,
        tacite=False,
        jour=date_reponse,
    )
    await uow.commit()
    return {**offre, "statut": StatutOffre.REFUSEE.value, "suivante": prochaine}


async def lever_condition(uow: UnitOfWork, acteur: Acteur, offre_id: UUID) -> dict[str, Any]:
    offre, _v, _d = await _offre_et_vacance(uow, acteur, offre_id)
    if offre["piece"] is None:
        raise Conflit("cette offre n'a pas de condition suspensive")
    if offre["statut"] not in (StatutOffre.EMISE.value, StatutOffre.ACCEPTEE.value):
        raise Conflit("l'offre n'est plus en cours")
    await rc.maj_offre(uow.session, offre_id, offre["version"], piece_produite=True)
    await uow.commit()
    return {**offre, "piece_produite": True}


async def signer_bail(
    uow: UnitOfWork,
    deps: Dependances,
    acteur: Acteur,
    offre_id: UUID,
    *,
    date_signature: date,
    mutation_interne: bool,
    accord_collectif: bool,
    bailleur_siren: str | None,
) -> dict[str, Any]:
    offre, vacance, dossier = await _offre_et_vacance(uow, acteur, offre_id)
    if vacance["bailleur_id"] != acteur.organisation and not acteur.gestionnaire:
        raise AccesRefuse("seul le bailleur enregistre la signature du bail")
    transition(StatutOffre(offre["statut"]), StatutOffre.BAIL_SIGNE)
    verifier_bail(date_signature, offre["date_notification"], offre["date_reponse"])
    if not offre["piece_produite"]:
        raise Conflit("la condition suspensive n'est pas levée : la pièce manque encore")
    if await rc.statut_demande(uow.session, offre["demande_id"]) != "ACTIVE":
        raise Conflit("la demande n'est plus active (radiée entre-temps) : pas de bail")
    vues = await modeles_lus.vues(uow.session, [offre["demande_id"]])
    vue = vues[0]["vue"] if vues else {}
    epci = deps.referentiel.epci_de(vacance["commune"])
    note = None
    if epci is not None:
        _v, notes = await modeles_lus.versions_et_scores(uow.session, [offre["demande_id"]], epci)
        note = notes.get(offre["demande_id"])
    depot = date.fromisoformat(vue["date_depot"]) if vue.get("date_depot") else None
    attribution_id = uuid.uuid4()
    event = AttributionPrononcee(
        attribution_id=attribution_id,
        version=1,
        demande_id=offre["demande_id"],
        numero_unique=offre["numero_unique"],
        departement=vacance["departement"],
        vacance_id=vacance["id"],
        offre_id=offre_id,
        dossier_id=dossier["id"],
        bailleur_id=vacance["bailleur_id"],
        bailleur_siren=bailleur_siren,
        logement=LogementAttribue(
            rpls=vacance["rpls"],
            adresse=vacance["adresse"],
            commune=vacance["commune"],
            epci=epci,
            typologie=vacance["typologie"],
            surface_m2=Decimal(vacance["surface_m2"]),
            qpv=vacance["qpv"],
            financement=vacance["financement"],
            loyer=Decimal(vacance["loyer"]),
            charges=Decimal(vacance["charges"]),
        ),
        contingent=vacance["contingent"] or "BAILLEUR",
        reservataire_id=vacance["reservataire_id"],
        date_decision=dossier["date_decision"],
        date_offre=offre["date_notification"],
        date_signature_bail=date_signature,
        mutation_interne=mutation_interne,
        accord_collectif=accord_collectif,
        dalo=bool(vue.get("dalo")),
        categorie_menage=vue.get("categorie"),
        taille_menage=vue.get("taille"),
        premier_quartile=premier_quartile(None if note is None else note["criteres"]),
        date_depot_initial=depot,
        delai_attente_jours=None if depot is None else (date_signature - depot).days,
    )
    await rc.maj_offre(uow.session, offre_id, offre["version"], statut="BAIL_SIGNE")
    await rc.inserer(
        uow.session,
        attributions,
        {
            "id": attribution_id,
            "offre_id": offre_id,
            "vacance_id": vacance["id"],
            "bailleur_id": vacance["bailleur_id"],
            "demande_id": offre["demande_id"],
            "date_signature": date_signature,
            "donnees": event.model_dump(mode="json"),
            "cree_le": datetime.now(UTC),
        },
    )
    if not await repo.maj_vacance(
        uow.session, vacance["id"], vacance["version"], statut="ATTRIBUEE"
    ):
        raise Conflit("la vacance a été modifiée entre-temps : rechargez-la")
    uow.publish(event)
    await uow.commit()
    return event.model_dump(mode="json")


async def echeances(uow: UnitOfWork, deps: Dependances, aujourd_hui: date) -> dict[str, int]:
    """Daily: silence past the deadline is a refusal; a suspensive condition not lifted in
    time lapses; each moves the offer to the next rank. Idempotent (an offer moved is no
    longer EMISE)."""
    compte = {"refus_tacites": 0, "conditions_caduques": 0, "rappels": 0}
    for offre in await rc.offres_echues(uow.session, aujourd_hui):
        _o, vacance, dossier = await _offre_et_vacance(uow, None, offre["id"])
        caduque = (
            offre["date_limite_piece"] is not None
            and not offre["piece_produite"]
            and offre["date_limite_piece"] < aujourd_hui
        )
        jour = offre["date_limite_piece"] if caduque else offre["date_limite"]
        await _refuser(
            uow,
            deps,
            offre,
            vacance,
            dossier,
            motif=MotifRefusOffre.CONDITION_NON_LEVEE
            if caduque
            else MotifRefusOffre.ABSENCE_DE_REPONSE,
            precision=None,
            tacite=not caduque,
            jour=jour,
        )
        compte["conditions_caduques" if caduque else "refus_tacites"] += 1
    # The reminder before the deadline (configuration: days before), once per offer.
    jusqu_au = aujourd_hui + timedelta(days=deps.attribution.rappel_jours_avant)
    for a_rappeler in await rc.offres_a_rappeler(uow.session, jusqu_au):
        if a_rappeler["date_limite"] < aujourd_hui:
            continue
        logement = await repo.lire_vacance(uow.session, a_rappeler["vacance_id"])
        assert logement is not None
        await rc.marquer_rappel(uow.session, a_rappeler["id"])
        uow.publish(_offre_notifiee(OffreRappelee, a_rappeler, logement))
        compte["rappels"] += 1
    await uow.commit()
    return compte
