"""HTTP routes under /api/abonnements.

- the gestionnaire declares partners and their habilitation; the gestionnaire or the
  partner's administrator manages its subscriptions, deliveries and dead letters;
- a partner's API client (OAuth2 client credentials, role PARTENAIRE_API) pulls its feed;
- the profiles and their schemas are public documentation;
- in demo mode, a sandbox receiver shows what a webhook would receive.
"""

from __future__ import annotations

import json
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from servicekit.auth import Principal, may, public, require
from servicekit.errors import answering_route, invalid
from servicekit.http import unit_of_work
from servicekit.uow import UnitOfWork
from toit_abonnements.adapters import repository
from toit_abonnements.bootstrap import Dependances, dependances_de
from toit_abonnements.domain.abonnements import Abonnement, Mode, Partenaire, Perimetre, Statut
from toit_abonnements.domain.exceptions import (
    Conflit,
    CurseurExpire,
    HorsHabilitation,
    Introuvable,
    Invalide,
)
from toit_abonnements.service_layer import abonnements as uc_abonnements
from toit_abonnements.service_layer import flux as uc_flux
from toit_abonnements.service_layer import lettres_mortes as uc_lettres
from toit_abonnements.service_layer import partenaires as uc_partenaires
from toit_contracts.profils import COMPLEMENTS, PROFILS, schema_enveloppe
from toit_contracts.types import CodeInsee, Departement, Email, SirenEpci

_NO_STORE = {"Cache-Control": "no-store"}


def _detail(status: int) -> Any:
    def answer(_request: Request, exc: Any) -> Response:
        return JSONResponse(status_code=status, content={"detail": exc.message})

    return answer


def _hors_habilitation(_request: Request, exc: HorsHabilitation) -> Response:
    return JSONResponse(status_code=403, content={"detail": exc.message, "partie": exc.partie})


def _invalide(_request: Request, exc: Invalide) -> Response:
    return invalid([{"champ": exc.champ, "message": exc.message, "code": "value_error"}])


def _conflit(_request: Request, exc: Conflit) -> Response:
    return JSONResponse(status_code=exc.statut, content={"detail": exc.message})


router = APIRouter(
    prefix="/api/abonnements",
    tags=["abonnements"],
    route_class=answering_route(
        {
            Introuvable: _detail(404),
            HorsHabilitation: _hors_habilitation,
            Invalide: _invalide,
            CurseurExpire: _detail(410),
            Conflit: _conflit,
        }
    ),
)

UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Deps = Annotated[Dependances, Depends(dependances_de)]


# --- Models -----------------------------------------------------------------------------------


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PerimetreIn(_In):
    departements: list[Departement] = Field(min_length=1, max_length=20)
    epcis: list[SirenEpci] = Field(default_factory=list, max_length=200)
    communes: list[CodeInsee] = Field(default_factory=list, max_length=2000)

    def domaine(self) -> Perimetre:
        return Perimetre(
            frozenset(self.departements), frozenset(self.epcis), frozenset(self.communes)
        )


class PerimetreOut(BaseModel):
    departements: list[str]
    epcis: list[str]
    communes: list[str]


class PartenaireIn(_In):
    organisation_id: UUID = Field(description="Organisation dans identite")
    nom: str = Field(min_length=1, max_length=200)
    contact_email: Email = Field(description="Contact prévenu des suspensions")
    roles: list[Annotated[str, Field(max_length=40)]] = Field(min_length=1, max_length=8)
    habilitation: PerimetreIn


class PartenaireOut(BaseModel):
    organisation_id: str
    nom: str
    contact_email: str
    roles: list[str]
    habilitation: PerimetreOut
    version: int
    departements_identite: list[str] | None = Field(
        default=None,
        description="Départements de l'organisation dans identite : l'habilitation effective "
        "est l'habilitation déclarée restreinte à ceux-ci (absent : pas encore connus)",
    )


class AbonnementIn(_In):
    organisation_id: UUID | None = Field(
        default=None, description="Organisation partenaire (le gestionnaire la précise)"
    )
    nom: str = Field(min_length=1, max_length=200)
    types: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=20)
    perimetre: PerimetreIn
    profil: str = Field(max_length=32)
    complements: list[Annotated[str, Field(max_length=32)]] = Field(
        default_factory=list, max_length=5
    )
    mode: Mode = Mode.FLUX
    url: str | None = Field(default=None, max_length=2048)


class AbonnementOut(BaseModel):
    id: str
    organisation_id: str
    nom: str
    types: list[str]
    perimetre: PerimetreOut
    profil: str
    complements: list[str]
    dataschema: str
    mode: Mode
    url: str | None
    statut: Statut
    version: int


class AccesAmqpOut(BaseModel):
    url: str
    vhost: str
    utilisateur: str
    mot_de_passe: str | None = Field(description="Affiché une seule fois")
    file: str


class CreationOut(BaseModel):
    abonnement: AbonnementOut
    secret: str | None = Field(
        default=None, description="Secret de signature Standard Webhooks, affiché une seule fois"
    )
    amqp: AccesAmqpOut | None = None


class SecretOut(BaseModel):
    secret: str = Field(description="Nouveau secret, affiché une seule fois")


class RejeuIn(_In):
    ids: list[UUID] | None = Field(default=None, max_length=1000)


def _perimetre(p: Perimetre) -> PerimetreOut:
    return PerimetreOut(**p.as_dict())


def _partenaire_out(p: Partenaire) -> PartenaireOut:
    return PartenaireOut(
        organisation_id=p.organisation_id,
        nom=p.nom,
        contact_email=p.contact_email,
        roles=sorted(p.roles),
        habilitation=_perimetre(p.habilitation),
        version=p.version,
    )


def _abonnement_out(a: Abonnement) -> AbonnementOut:
    p = PROFILS[a.profil]
    return AbonnementOut(
        id=a.id,
        organisation_id=a.organisation_id,
        nom=a.nom,
        types=list(a.types),
        perimetre=_perimetre(a.perimetre),
        profil=a.profil,
        complements=list(a.complements),
        dataschema=p.dataschema_avec(set(a.complements) & set(p.complements)),
        mode=a.mode,
        url=a.url,
        statut=a.statut,
        version=a.version,
    )


def _etag(version: int) -> str:
    return f'"{version}"'


def _if_match(value: str | None) -> int:
    if value is None:
        raise HTTPException(428, "En-tête If-Match obligatoire pour modifier cette ressource")
    try:
        return int(value.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise HTTPException(412, "En-tête If-Match invalide : reprenez l'ETag reçu") from None


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
        _partenaire_out(p).model_dump(mode="json"), 201, headers={"ETag": _etag(p.version)}
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
    version = _if_match(if_match)
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
        _partenaire_out(p).model_dump(mode="json"), headers={"ETag": _etag(p.version)}
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
    return JSONResponse(out.model_dump(mode="json"), headers={"ETag": _etag(p.version)})


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
        headers={**_NO_STORE, "ETag": _etag(creation.abonnement.version)},
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
        _abonnement_out(a).model_dump(mode="json"), headers={"ETag": _etag(a.version)}
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
    version = _if_match(if_match)
    actuel = await _abonnement_autorise(uow, principal, "abonnement.gerer", abonnement_id)
    a = await uc_abonnements.modifier(
        uow, _abonnement_de(body, actuel.organisation_id, actuel.id), version, deps.reglages
    )
    return JSONResponse(
        _abonnement_out(a).model_dump(mode="json"), headers={"ETag": _etag(a.version)}
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


# --- Pull feed --------------------------------------------------------------------------------


@router.get(
    "/flux",
    summary="Flux d'un abonnement : CloudEvents dans l'ordre, depuis un curseur",
    responses={410: {"description": "Curseur hors de la durée de conservation"}},
)
async def flux(
    uow: UoW,
    deps: Deps,
    principal: Principal = Depends(require("abonnement.flux")),
    abonnement: UUID | None = None,
    apres: Annotated[str | None, Query(max_length=512, pattern=r"^[A-Za-z0-9_-]+$")] = None,
    limite: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    page = await uc_flux.lire(
        uow,
        organisation_id=principal.organisation,
        abonnement_id=str(abonnement) if abonnement else None,
        apres=apres,
        limite=limite,
        cle=deps.cle_curseurs,
        retention_jours=deps.settings.abonnements_retention_jours,
    )
    # The logged CloudEvents are inserted as they are (no re-serialisation).
    body = (
        '{"abonnement":'
        + json.dumps(page.abonnement_id)
        + ',"evenements":['
        + ",".join(page.enveloppes)
        + "]"
        + ',"curseur_suivant":'
        + json.dumps(page.curseur_suivant)
        + ',"encore":'
        + ("true" if page.encore else "false")
        + "}"
    )
    return Response(body.encode(), media_type="application/json", headers=_NO_STORE)


# --- Public documentation ---------------------------------------------------------------------


@router.get("/profils", summary="Profils de données proposés aux partenaires")
async def profils(_: None = Depends(public("documentation des profils"))) -> list[dict[str, Any]]:
    return [
        {
            "code": p.code,
            "version": p.version,
            "libelle": p.libelle,
            "description": p.description,
            "dataschema": p.dataschema,
            "evenements": list(p.evenements),
            "complements": [{"code": c, "libelle": COMPLEMENTS[c].libelle} for c in p.complements],
        }
        for p in PROFILS.values()
    ]


@router.get(
    "/profils/{code}/schemas/{event_type}",
    summary="Schéma JSON d'un événement livré avec ce profil",
)
async def schema(
    code: Annotated[str, Path(max_length=32)],
    event_type: Annotated[str, Path(max_length=64)],
    complements: Annotated[list[str] | None, Query(max_length=5)] = None,
    _: None = Depends(public("documentation des profils")),
) -> dict[str, Any]:
    p = PROFILS.get(code)
    if p is None or event_type not in p.evenements:
        raise Introuvable("Profil ou type d'événement inconnu")
    return schema_enveloppe(event_type, p, complements or ())


# --- Demo sandbox -----------------------------------------------------------------------------

_BAC_A_SABLE: dict[str, deque[dict[str, Any]]] = {}


def _demo(deps: Dependances) -> None:
    if deps.settings.mode != "demo":
        raise Introuvable("Bac à sable disponible en mode démo seulement")


@router.post(
    "/bac-a-sable/{cle}",
    status_code=204,
    summary="Démo : point de réception de test pour un webhook",
)
async def bac_a_sable_recevoir(
    cle: Annotated[str, Path(max_length=64)],
    request: Request,
    deps: Deps,
    _: None = Depends(public("bac à sable de démonstration")),
) -> Response:
    _demo(deps)
    corps = await request.body()
    recus = _BAC_A_SABLE.setdefault(cle, deque(maxlen=50))
    recus.appendleft(
        {
            "webhook-id": request.headers.get("webhook-id"),
            "webhook-timestamp": request.headers.get("webhook-timestamp"),
            "webhook-signature": request.headers.get("webhook-signature"),
            "corps": corps[:65536].decode(errors="replace"),
        }
    )
    return Response(status_code=204)


@router.get("/bac-a-sable/{cle}", summary="Démo : ce que le point de réception a reçu")
async def bac_a_sable_lire(
    cle: Annotated[str, Path(max_length=64)],
    deps: Deps,
    _: None = Depends(public("bac à sable de démonstration")),
) -> list[dict[str, Any]]:
    _demo(deps)
    return list(_BAC_A_SABLE.get(cle, ()))
