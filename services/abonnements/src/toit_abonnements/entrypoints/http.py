"""HTTP routes under /api/abonnements.

- the gestionnaire declares partners and their habilitation; the gestionnaire or the
  partner's administrator manages its subscriptions, deliveries and dead letters;
- a partner's API client (OAuth2 client credentials, role PARTENAIRE_API) pulls its feed;
- the profiles and their schemas are public documentation;
- in demo mode, a sandbox receiver shows what a webhook would receive.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse

from servicekit import http_toolkit
from servicekit.auth import Principal, may, require
from servicekit.uow import UnitOfWork
from toit_abonnements.adapters import repository
from toit_abonnements.domain.abonnements import Abonnement, Mode, Partenaire, Statut
from toit_abonnements.domain.exceptions import (
    Introuvable,
    Invalide,
)
from toit_abonnements.entrypoints import http_public
from toit_abonnements.entrypoints.commun import _NO_STORE, Deps, UoW
from toit_abonnements.entrypoints.schemas import (
    AbonnementIn,
    AbonnementOut,
    AccesAmqpOut,
    CreationOut,
    PartenaireIn,
    PartenaireOut,
    RejeuIn,
    SecretOut,
    _abonnement_out,
    _partenaire_out,
)
from toit_abonnements.service_layer import abonnements as uc_abonnements
from toit_abonnements.service_layer import lettres_mortes as uc_lettres
from toit_abonnements.service_layer import partenaires as uc_partenaires

router = APIRouter(prefix="/api/abonnements", tags=["abonnements"])


# --- Access -----------------------------------------------------------------------------------


def _autoriser(principal: Principal, action: str, partenaire: Partenaire) -> None:
    """404 unless the principal may act on this partner (its territory or organisation)."""
    for d in sorted(partenaire.habilitation.departements):
        if may(principal, action, departement=d, organisation=partenaire.organisation_id):
            return
    if may(principal, action, organisation=partenaire.organisation_id):
        return
    raise Introuvable("Ressource introuvable")


async def _abonnement_autorise(
    uow: UnitOfWork, principal: Principal, action: str, abonnement_id: UUID
) -> Abonnement:
    a = await uc_abonnements.obtenir(uow, str(abonnement_id))
    _autoriser(principal, action, await uc_partenaires.obtenir(uow, a.organisation_id))
    return a


# --- Partners ---------------------------------------------------------------------------------


@router.post(
    "/partenaires",
    status_code=201,
    response_model=PartenaireOut,
    summary="Déclarer une organisation partenaire et son habilitation",
)
async def declarer_partenaire(
    body: PartenaireIn, uow: UoW, principal: Principal = Depends(require("partenaire.gerer"))
) -> JSONResponse:
    p = await uc_partenaires.declarer(
        uow,
        Partenaire(
            organisation_id=str(body.organisation_id),
            nom=body.nom,
            contact_email=body.contact_email,
            roles=frozenset(body.roles),
            habilitation=body.habilitation.domaine(),
        ),
        principal.departements,
    )
    return JSONResponse(
        _partenaire_out(p).model_dump(mode="json"),
        201,
        headers={"ETag": http_toolkit.etag(p.version)},
    )


@router.put(
    "/partenaires/{organisation_id}",
    response_model=PartenaireOut,
    summary="Modifier l'habilitation d'un partenaire (If-Match)",
)
async def modifier_partenaire(
    organisation_id: UUID,
    body: PartenaireIn,
    uow: UoW,
    if_match: Annotated[str | None, Header()] = None,
    principal: Principal = Depends(require("partenaire.gerer")),
) -> JSONResponse:
    version = http_toolkit.required_version(if_match)
    _autoriser(
        principal, "partenaire.gerer", await uc_partenaires.obtenir(uow, str(organisation_id))
    )
    if body.organisation_id != organisation_id:
        raise Invalide("organisation_id", "ne correspond pas à l'adresse")
    p = await uc_partenaires.modifier(
        uow,
        Partenaire(
            organisation_id=str(organisation_id),
            nom=body.nom,
            contact_email=body.contact_email,
            roles=frozenset(body.roles),
            habilitation=body.habilitation.domaine(),
        ),
        version,
        principal.departements,
    )
    return JSONResponse(
        _partenaire_out(p).model_dump(mode="json"), headers={"ETag": http_toolkit.etag(p.version)}
    )


@router.get("/partenaires", response_model=list[PartenaireOut], summary="Partenaires")
async def partenaires(
    uow: UoW, principal: Principal = Depends(require("abonnement.lire"))
) -> list[PartenaireOut]:
    visibles = []
    for p in await uc_partenaires.lister(uow):
        try:
            _autoriser(principal, "abonnement.lire", p)
        except Introuvable:
            continue
        visibles.append(_partenaire_out(p))
    return visibles


@router.get("/partenaires/{organisation_id}", response_model=PartenaireOut, summary="Un partenaire")
async def partenaire(
    organisation_id: UUID, uow: UoW, principal: Principal = Depends(require("abonnement.lire"))
) -> JSONResponse:
    p = await uc_partenaires.obtenir(uow, str(organisation_id))
    _autoriser(principal, "abonnement.lire", p)
    out = _partenaire_out(p)
    out.departements_identite = await uc_partenaires.departements_identite(uow, p.organisation_id)
    return JSONResponse(out.model_dump(mode="json"), headers={"ETag": http_toolkit.etag(p.version)})


# --- Subscriptions ----------------------------------------------------------------------------


def _organisation_cible(principal: Principal, demandee: UUID | None) -> str:
    if demandee is not None:
        return str(demandee)
    if principal.organisation is None:
        raise Invalide("organisation_id", "organisation partenaire obligatoire")
    return principal.organisation


def _abonnement_de(body: AbonnementIn, organisation_id: str, abonnement_id: str = "") -> Abonnement:
    return Abonnement(
        id=abonnement_id,
        organisation_id=organisation_id,
        nom=body.nom,
        types=tuple(dict.fromkeys(body.types)),
        perimetre=body.perimetre.domaine(),
        profil=body.profil,
        complements=tuple(sorted(set(body.complements))),
        mode=body.mode,
        url=body.url,
    )


@router.post(
    "/abonnements",
    status_code=201,
    response_model=CreationOut,
    summary="Créer un abonnement (secret ou accès AMQP affichés une seule fois)",
)
async def creer_abonnement(
    body: AbonnementIn,
    uow: UoW,
    deps: Deps,
    principal: Principal = Depends(require("abonnement.gerer")),
) -> JSONResponse:
    organisation_id = _organisation_cible(principal, body.organisation_id)
    _autoriser(principal, "abonnement.gerer", await uc_partenaires.obtenir(uow, organisation_id))
    creation = await uc_abonnements.creer(uow, _abonnement_de(body, organisation_id), deps.reglages)
    out = CreationOut(
        abonnement=_abonnement_out(creation.abonnement),
        secret=creation.secret,
        amqp=AccesAmqpOut(**creation.amqp.__dict__) if creation.amqp else None,
    )
    return JSONResponse(
        out.model_dump(mode="json"),
        201,
        headers={**_NO_STORE, "ETag": http_toolkit.etag(creation.abonnement.version)},
    )


@router.get("/abonnements", response_model=list[AbonnementOut], summary="Abonnements")
async def lister_abonnements(
    uow: UoW,
    principal: Principal = Depends(require("abonnement.lire")),
    organisation_id: UUID | None = None,
) -> list[AbonnementOut]:
    partenaires_visibles: dict[str, bool] = {}
    result = []
    for a in await uc_abonnements.lister(uow, str(organisation_id) if organisation_id else None):
        if a.organisation_id not in partenaires_visibles:
            try:
                _autoriser(
                    principal,
                    "abonnement.lire",
                    await uc_partenaires.obtenir(uow, a.organisation_id),
                )
                partenaires_visibles[a.organisation_id] = True
            except Introuvable:
                partenaires_visibles[a.organisation_id] = False
        if partenaires_visibles[a.organisation_id]:
            result.append(_abonnement_out(a))
    return result


@router.get("/abonnements/{abonnement_id}", response_model=AbonnementOut, summary="Un abonnement")
async def lire_abonnement(
    abonnement_id: UUID, uow: UoW, principal: Principal = Depends(require("abonnement.lire"))
) -> JSONResponse:
    a = await _abonnement_autorise(uow, principal, "abonnement.lire", abonnement_id)
    return JSONResponse(
        _abonnement_out(a).model_dump(mode="json"), headers={"ETag": http_toolkit.etag(a.version)}
    )


@router.put(
    "/abonnements/{abonnement_id}",
    response_model=AbonnementOut,
    summary="Modifier un abonnement (If-Match) : effet dès l'événement suivant",
)
async def modifier_abonnement(
    abonnement_id: UUID,
    body: AbonnementIn,
    uow: UoW,
    deps: Deps,
    if_match: Annotated[str | None, Header()] = None,
    principal: Principal = Depends(require("abonnement.gerer")),
) -> JSONResponse:
    version = http_toolkit.required_version(if_match)
    actuel = await _abonnement_autorise(uow, principal, "abonnement.gerer", abonnement_id)
    a = await uc_abonnements.modifier(
        uow, _abonnement_de(body, actuel.organisation_id, actuel.id), version, deps.reglages
    )
    return JSONResponse(
        _abonnement_out(a).model_dump(mode="json"), headers={"ETag": http_toolkit.etag(a.version)}
    )


async def _statut(
    uow: UnitOfWork, principal: Principal, abonnement_id: UUID, statut: Statut, motif: str | None
) -> AbonnementOut:
    await _abonnement_autorise(uow, principal, "abonnement.gerer", abonnement_id)
    return _abonnement_out(
        await uc_abonnements.changer_statut(uow, str(abonnement_id), statut, motif)
    )


@router.post(
    "/abonnements/{abonnement_id}/suspension",
    response_model=AbonnementOut,
    summary="Suspendre les livraisons (le journal continue de se remplir)",
)
async def suspendre(
    abonnement_id: UUID, uow: UoW, principal: Principal = Depends(require("abonnement.gerer"))
) -> AbonnementOut:
    return await _statut(uow, principal, abonnement_id, Statut.SUSPENDU, "Suspendu à la main")


@router.post(
    "/abonnements/{abonnement_id}/reprise",
    response_model=AbonnementOut,
    summary="Reprendre les livraisons là où elles s'étaient arrêtées",
)
async def reprendre(
    abonnement_id: UUID, uow: UoW, principal: Principal = Depends(require("abonnement.gerer"))
) -> AbonnementOut:
    return await _statut(uow, principal, abonnement_id, Statut.ACTIF, None)


@router.post(
    "/abonnements/{abonnement_id}/revocation",
    response_model=AbonnementOut,
    summary="Révoquer : plus aucun événement à partir du suivant",
)
async def revoquer(
    abonnement_id: UUID,
    uow: UoW,
    deps: Deps,
    principal: Principal = Depends(require("abonnement.gerer")),
) -> AbonnementOut:
    await _abonnement_autorise(uow, principal, "abonnement.gerer", abonnement_id)
    return _abonnement_out(await uc_abonnements.revoquer(uow, str(abonnement_id), deps.reglages))


@router.post(
    "/abonnements/{abonnement_id}/secret",
    response_model=SecretOut,
    summary="Nouveau secret de signature (l'ancien signe encore pendant le recouvrement)",
)
async def renouveler_secret(
    abonnement_id: UUID,
    uow: UoW,
    deps: Deps,
    principal: Principal = Depends(require("abonnement.gerer")),
) -> JSONResponse:
    await _abonnement_autorise(uow, principal, "abonnement.gerer", abonnement_id)
    secret = await uc_abonnements.renouveler_secret(
        uow,
        str(abonnement_id),
        timedelta(hours=deps.settings.abonnements_recouvrement_secret_heures),
    )
    return JSONResponse({"secret": secret}, headers=_NO_STORE)


@router.get(
    "/abonnements/{abonnement_id}/livraisons",
    summary="Registre des livraisons : quoi, à qui, quand, statut",
)
async def livraisons(
    abonnement_id: UUID,
    uow: UoW,
    principal: Principal = Depends(require("abonnement.lire")),
    limite: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    await _abonnement_autorise(uow, principal, "abonnement.lire", abonnement_id)
    rows = await repository.livraisons(uow.session, str(abonnement_id), limite)
    return [
        {
            "mode": r.mode,
            "positions": [r.position_debut, r.position_fin],
            "nombre": r.nombre,
            "event_id": r.event_id,
            "destination": r.destination,
            "statut": r.statut,
            "code": r.code,
            "erreur": r.erreur,
            "duree_ms": r.duree_ms,
            "at": r.at.isoformat(),
        }
        for r in rows
    ]


@router.get(
    "/abonnements/{abonnement_id}/sante",
    summary="Santé des livraisons : retard, échecs, lettres mortes",
)
async def sante(
    abonnement_id: UUID, uow: UoW, principal: Principal = Depends(require("abonnement.lire"))
) -> dict[str, Any]:
    await _abonnement_autorise(uow, principal, "abonnement.lire", abonnement_id)
    row = await repository.abonnement_par_id(uow.session, str(abonnement_id))
    assert row is not None
    mortes = await repository.lettres_mortes(uow.session, str(abonnement_id))
    return {
        "statut": row.statut,
        "motif_suspension": row.motif_suspension,
        "position": row.position,
        "livre_jusqu_a": row.livre_jusqu_a,
        "en_attente": max(row.position - row.livre_jusqu_a, 0)
        if row.mode != Mode.FLUX.value
        else None,
        "echecs_consecutifs": row.echecs,
        "prochain_essai_le": row.prochain_essai_le.isoformat() if row.prochain_essai_le else None,
        "derniere_erreur": row.derniere_erreur,
        "lettres_mortes": len([m for m in mortes if m.rejouee_le is None]),
        "livraisons_24h": await repository.sante(
            uow.session, str(abonnement_id), datetime.now(UTC) - timedelta(hours=24)
        ),
    }


@router.get("/abonnements/{abonnement_id}/lettres-mortes", summary="Lettres mortes")
async def lettres_mortes(
    abonnement_id: UUID, uow: UoW, principal: Principal = Depends(require("abonnement.lire"))
) -> list[dict[str, Any]]:
    await _abonnement_autorise(uow, principal, "abonnement.lire", abonnement_id)
    return [
        {
            "id": m.id,
            "position": m.position,
            "event_id": m.event_id,
            "type": m.type,
            "raison": m.raison,
            "cree_le": m.cree_le.isoformat(),
            "rejeu_demande_le": m.rejeu_demande_le.isoformat() if m.rejeu_demande_le else None,
            "rejouee_le": m.rejouee_le.isoformat() if m.rejouee_le else None,
        }
        for m in await uc_lettres.lister(uow, str(abonnement_id))
    ]


@router.post(
    "/abonnements/{abonnement_id}/lettres-mortes/rejeu",
    summary="Rejouer des lettres mortes (toutes si aucun id)",
)
async def rejouer(
    abonnement_id: UUID,
    body: RejeuIn,
    uow: UoW,
    principal: Principal = Depends(require("abonnement.gerer")),
) -> dict[str, int]:
    await _abonnement_autorise(uow, principal, "abonnement.gerer", abonnement_id)
    ids = [str(i) for i in body.ids] if body.ids is not None else None
    return {"rejeux_demandes": await uc_lettres.rejouer(uow, str(abonnement_id), ids)}


router.include_router(http_public.router)
