"""HTTP API of the attribution chain (/api/matching): commissions, sessions, dossiers,
remote vote, decisions and minutes, offers, lease signature, landlord export.

Actions (servicekit.authz): `caleol.gerer` prepares commissions and records decisions,
offers and leases; `caleol.lire` reads what the caller prepares or sits in; `caleol.sieger`
votes and writes in the thread. Record rules are the use cases' (service_layer)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from servicekit.audit import record_consultations
from servicekit.auth import Principal, require
from toit_matching.domain.caleol import LIBELLES_QUALITE, Membre, Qualite
from toit_matching.domain.decisions import Decision, Sens
from toit_matching.domain.vote import Bulletin, Choix
from toit_matching.entrypoints import schemas_caleol as s
from toit_matching.entrypoints.commun import NO_STORE, Deps, Uow
from toit_matching.entrypoints.http_candidats import comparaison_out
from toit_matching.entrypoints.schemas import ComparaisonOut
from toit_matching.service_layer import commissions, decisions, exports, offres, votes
from toit_matching.service_layer.acces import Acteur

router = APIRouter(prefix="/api/matching", tags=["caleol"])


def _membre(m: Membre) -> dict[str, Any]:
    return {
        "id": m.id,
        "compte_id": m.compte_id,
        "nom": m.nom,
        "qualite": m.qualite.value,
        "qualite_libelle": LIBELLES_QUALITE[m.qualite],
        "voix": m.voix.value,
        "president": m.president,
        "commune": m.commune,
        "epci": m.epci,
        "reservataire_id": m.reservataire_id,
    }


@router.post("/commissions", status_code=201, summary="Créer une CALEOL (bailleur, territoire)")
async def creer_commission(
    corps: s.CommissionIn, uow: Uow, principal: Principal = Depends(require("caleol.gerer"))
) -> dict[str, Any]:
    return await commissions.creer_commission(
        uow,
        Acteur(principal),
        nom=corps.nom,
        departement=corps.departement,
        territoire=corps.territoire,
        epci_preponderant=corps.epci_preponderant,
        bailleur_id=corps.bailleur_id,
    )


@router.get("/commissions", summary="Commissions préparées ou dont on est membre")
async def lister_commissions(
    uow: Uow, principal: Principal = Depends(require("caleol.lire"))
) -> list[dict[str, Any]]:
    return await commissions.lister_commissions(uow, Acteur(principal))


@router.get("/commissions/{commission_id}", summary="Une commission, ses membres, ses séances")
async def lire_commission(
    commission_id: UUID, uow: Uow, principal: Principal = Depends(require("caleol.lire"))
) -> dict[str, Any]:
    from toit_matching.adapters import repository_caleol as rc

    p = await commissions.place(uow, Acteur(principal), commission_id)
    return {
        **p.commission,
        "gerant": p.gerant,
        "membres": [_membre(m) for m in p.membres],
        "seances": await rc.seances_de(uow.session, commission_id),
    }


@router.post("/commissions/{commission_id}/membres", status_code=201, summary="Ajouter un membre")
async def ajouter_membre(
    commission_id: UUID,
    corps: s.MembreIn,
    uow: Uow,
    principal: Principal = Depends(require("caleol.gerer")),
) -> dict[str, Any]:
    import uuid

    membre = Membre(
        id=uuid.uuid4(),
        compte_id=corps.compte_id,
        nom=corps.nom,
        qualite=Qualite(corps.qualite),
        president=corps.president,
        commune=corps.commune,
        epci=corps.epci,
        reservataire_id=corps.reservataire_id,
    )
    return _membre(await commissions.ajouter_membre(uow, Acteur(principal), commission_id, membre))


@router.post("/commissions/{commission_id}/seances", status_code=201, summary="Créer une séance")
async def creer_seance(
    commission_id: UUID,
    corps: s.SeanceIn,
    uow: Uow,
    principal: Principal = Depends(require("caleol.gerer")),
) -> dict[str, Any]:
    return await commissions.creer_seance(
        uow,
        Acteur(principal),
        commission_id,
        reference=corps.reference,
        date_seance=corps.date_seance,
        mode=corps.mode,
    )


@router.get("/seances/{seance_id}", summary="Ordre du jour d'une séance")
async def lire_seance(
    seance_id: UUID,
    response: Response,
    uow: Uow,
    principal: Principal = Depends(require("caleol.lire")),
) -> dict[str, Any]:
    response.headers.update(NO_STORE)
    seance, _p, dossiers = await commissions.ordre_du_jour(uow, Acteur(principal), seance_id)
    return {**seance, "dossiers": dossiers}


@router.post("/seances/{seance_id}/dossiers", status_code=201, summary="Inscrire une vacance")
async def inscrire(
    seance_id: UUID,
    corps: s.DossierIn,
    uow: Uow,
    principal: Principal = Depends(require("caleol.gerer")),
) -> dict[str, Any]:
    return await commissions.inscrire(uow, Acteur(principal), seance_id, corps.vacance_id)


@router.get("/dossiers/{dossier_id}", summary="Dossier : candidats, synthèse, vote, décisions")
async def lire_dossier(
    dossier_id: UUID,
    response: Response,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("caleol.lire")),
) -> dict[str, Any]:
    response.headers.update(NO_STORE)
    acteur = Acteur(principal)
    d = await votes.clore_si_echu(uow, deps, acteur, dossier_id)
    tableau = await votes.tableau(uow, d, acteur)
    return {
        **d.dossier,
        "vacance": d.vacance,
        "siegeants": [_membre(m) for m in d.sieges],
        "voix_preponderante": None if d.preponderant is None else d.preponderant.nom,
        "mon_vote": tableau["mien"],
        "ont_vote": sorted(str(m) for m in tableau["votants"]),
        "messages": tableau["messages"],
    }


@router.get(
    "/dossiers/{dossier_id}/comparateur",
    response_model=ComparaisonOut,
    summary="Comparateur des candidats du dossier pour ce logement",
)
async def comparer_dossier(
    dossier_id: UUID,
    response: Response,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("caleol.lire")),
) -> ComparaisonOut:
    """The synthesis of each designated candidate for the unit (composition, resources,
    taux d'effort, reste à vivre, score, priorities, ancienneté), opened to the members who
    sit for this dossier; each read is traced as a consultation of the demande."""
    d = await commissions.charger_dossier(uow, deps, Acteur(principal), dossier_id)
    c = await commissions.comparateur_du_dossier(uow, deps, d)
    await record_consultations(
        uow.session,
        principal,
        "demande",
        [(str(col.demande.demande_id), col.demande.departement) for col in c.colonnes],
        reason=f"dossier CALEOL {dossier_id}",
    )
    await uow.commit()
    response.headers.update(NO_STORE)
    return comparaison_out(c, deps, d.vacance["id"])


@router.post("/dossiers/{dossier_id}/vote", summary="Ouvrir le vote à distance")
async def ouvrir_vote(
    dossier_id: UUID,
    corps: s.OuvertureIn,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("caleol.lire")),
) -> dict[str, Any]:
    return await votes.ouvrir(uow, deps, Acteur(principal), dossier_id, corps.date_limite)


@router.put("/dossiers/{dossier_id}/vote/bulletin", summary="Voter (ou changer son vote)")
async def voter(
    dossier_id: UUID,
    corps: s.BulletinIn,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("caleol.sieger")),
) -> dict[str, Any]:
    bulletin = Bulletin(
        membre_id=UUID(int=0),
        choix=Choix(corps.choix),
        rangs=tuple(corps.rangs),
        commentaire=corps.commentaire,
    )
    return await votes.voter(uow, deps, Acteur(principal), dossier_id, bulletin)


@router.post("/dossiers/{dossier_id}/messages", status_code=201, summary="Écrire dans le fil")
async def ecrire(
    dossier_id: UUID,
    corps: s.MessageIn,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("caleol.sieger")),
) -> dict[str, Any]:
    return await votes.ecrire(uow, deps, Acteur(principal), dossier_id, corps.texte)


def decisions_du_corps(corps: s.DecisionsIn) -> list[Decision]:
    return [
        Decision(
            demande_id=x.demande_id,
            sens=Sens(x.sens),
            rang=x.rang,
            motifs=x.motifs,
            fondement=x.fondement,
            piece=x.piece,
            date_limite_piece=x.date_limite_piece,
        )
        for x in corps.decisions
    ]


@router.post("/dossiers/{dossier_id}/decision", summary="Décision de la CALEOL (R441-3 a–e)")
async def decider(
    dossier_id: UUID,
    corps: s.DecisionsIn,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("caleol.lire")),
) -> dict[str, Any]:
    return await decisions.decider(
        uow, deps, Acteur(principal), dossier_id, decisions_du_corps(corps)
    )


@router.post("/seances/{seance_id}/proces-verbal/signature", summary="Signer le procès-verbal")
async def signer_pv(
    seance_id: UUID, uow: Uow, principal: Principal = Depends(require("caleol.sieger"))
) -> dict[str, Any]:
    return await decisions.signer_pv(uow, Acteur(principal), seance_id)


@router.get("/seances/{seance_id}/proces-verbal.pdf", summary="Procès-verbal (PDF)")
async def proces_verbal(
    seance_id: UUID, uow: Uow, principal: Principal = Depends(require("caleol.lire"))
) -> Response:
    pdf = await decisions.proces_verbal(uow, Acteur(principal), seance_id)
    return Response(pdf, media_type="application/pdf", headers=NO_STORE)


@router.get("/offres", summary="Offres en cours et leurs échéances")
async def lister_offres(
    response: Response, uow: Uow, principal: Principal = Depends(require("caleol.gerer"))
) -> list[dict[str, Any]]:
    response.headers.update(NO_STORE)
    return await exports.offres_visibles(uow, Acteur(principal))


@router.post("/offres/{offre_id}/reponse", summary="Réponse du ménage (acceptation, refus)")
async def repondre(
    offre_id: UUID,
    corps: s.ReponseIn,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("caleol.gerer")),
) -> dict[str, Any]:
    return await offres.repondre(
        uow,
        deps,
        Acteur(principal),
        offre_id,
        accepte=corps.accepte,
        motif=corps.motif,
        precision=corps.precision,
        date_reponse=corps.date_reponse,
    )


@router.post("/offres/{offre_id}/condition-levee", summary="Pièce manquante produite")
async def lever_condition(
    offre_id: UUID, uow: Uow, principal: Principal = Depends(require("caleol.gerer"))
) -> dict[str, Any]:
    return await offres.lever_condition(uow, Acteur(principal), offre_id)


@router.post("/offres/{offre_id}/bail", status_code=201, summary="Bail signé : attribution")
async def signer_bail(
    offre_id: UUID,
    corps: s.BailIn,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("caleol.gerer")),
) -> dict[str, Any]:
    return await offres.signer_bail(
        uow,
        deps,
        Acteur(principal),
        offre_id,
        date_signature=corps.date_signature,
        mutation_interne=corps.mutation_interne,
        accord_collectif=corps.accord_collectif,
        bailleur_siren=corps.bailleur_siren,
    )


def _csv(lignes: list[dict[str, Any]], colonnes: list[str], nom: str) -> Response:
    tampon = io.StringIO()
    ecrivain = csv.DictWriter(tampon, colonnes, delimiter=";", extrasaction="ignore")
    ecrivain.writeheader()
    ecrivain.writerows(lignes)
    return Response(
        tampon.getvalue().encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{nom}"'},
    )


@router.get("/export/attributions", summary="Attributions du bailleur (CSV ou JSON)")
async def exporter_attributions(
    uow: Uow,
    format: str = Query("json", pattern="^(csv|json)$"),
    annee: int | None = Query(None, ge=2000, le=2100),
    principal: Principal = Depends(require("caleol.gerer")),
) -> Any:
    lignes = await exports.attributions(uow, Acteur(principal), annee)
    if format == "json":
        return Response(exports.en_json(lignes), media_type="application/json", headers=NO_STORE)
    return _csv(lignes, exports.COLONNES_ATTRIBUTIONS, f"attributions-{annee or 'toutes'}.csv")


@router.get("/export/decisions", summary="Décisions de CALEOL du bailleur (CSV ou JSON)")
async def exporter_decisions(
    uow: Uow,
    format: str = Query("json", pattern="^(csv|json)$"),
    depuis: date | None = None,
    principal: Principal = Depends(require("caleol.gerer")),
) -> Any:
    lignes = await exports.decisions(uow, Acteur(principal), depuis)
    if format == "json":
        return Response(exports.en_json(lignes), media_type="application/json", headers=NO_STORE)
    return _csv(lignes, exports.COLONNES_DECISIONS, "decisions.csv")


def maintenant() -> datetime:
    return datetime.now(UTC)
