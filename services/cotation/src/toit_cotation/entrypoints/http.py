"""HTTP API of the cotation service: grids, scores of a demande, re-scoring jobs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field
from toit_referentiel import territoire as referentiel_territoire

from servicekit.audit import record_consultation
from servicekit.auth import Principal, authorize, in_perimetre, may, require
from servicekit.errors import error_items
from servicekit.exceptions import Introuvable
from servicekit.horodatage import en_utc
from servicekit.http import unit_of_work
from servicekit.http_toolkit import REPONSES_IF_MATCH, IfMatch, etag, if_match_version
from servicekit.input_guard import load_yaml
from servicekit.uow import UnitOfWork
from toit_contracts.enums import TypeOrganisation
from toit_cotation import service_layer as services
from toit_cotation.adapters import repository as repo
from toit_cotation.domain.champs import CHAMPS
from toit_cotation.domain.echange import exporter, importer
from toit_cotation.domain.grille import (
    Grille,
    lire_definition,
    problemes_avant_publication,
)
from toit_cotation.entrypoints import schemas as s
from toit_cotation.service_layer import delai_attente

router = APIRouter(prefix="/api/cotation", tags=["cotation"])

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
DEFINITION_DOC = (
    "Définition de la grille (epci, population, libelle, date_effet, criteres…), "
    "voir GET /api/cotation/champs pour les champs utilisables"
)


def _etag(grille: Grille) -> str:
    return etag(grille.revision, prefix=f"{grille.id}-r")


def _revision(if_match: str | None, grille_id: UUID, *, required: bool = False) -> int | None:
    """The revision an If-Match header names (the ETag names the grid and its revision)."""
    return if_match_version(if_match, prefix=f"{grille_id}-r", required=required)


def _epci_dans_perimetre(principal: Principal, action: str, epci: str) -> None:
    """May the principal manage (or simulate) the grids of this EPCI? 404 otherwise.

    The gestionnaire: any EPCI of their perimeter. An administrator of an organisation
    ("organisation" scope): only when their organisation is an EPCI and the account is
    attached to that very EPCI, so a bailleur's administrator never may."""
    info = referentiel_territoire.epci(epci)
    departement = info.departements[0] if info and info.departements else None
    proprietaire = None
    if (
        principal.organisation_type == TypeOrganisation.EPCI.value
        and epci in principal.epcis
        and in_perimetre(principal, departement=departement, epci=epci)
    ):
        proprietaire = principal.organisation
    authorize(principal, action, departement=departement, epci=epci, organisation=proprietaire)


def _vue(grille: Grille) -> dict[str, Any]:
    info = referentiel_territoire.epci(grille.epci)
    return {
        "id": str(grille.id),
        "epci": grille.epci,
        "epci_nom": info.nom if info else None,
        "population": grille.population.value,
        "version": grille.version,
        "etat": grille.etat.value,
        "revision": grille.revision,
        "exemple": grille.definition.exemple,
        "creee_le": grille.creee_le,
        "publiee_le": grille.publiee_le,
        "archivee_le": grille.archivee_le,
        "definition": grille.definition.model_dump(mode="json"),
    }


def _reponse(grille: Grille, status_code: int = 200) -> JSONResponse:
    return JSONResponse(
        status_code=status_code,
        content=jsonable_encoder(_vue(grille)),
        headers={"ETag": _etag(grille)},
    )


@router.get(
    "/champs",
    response_model=list[s.ChampOut],
    summary="Champs de la demande utilisables dans les critères",
)
async def champs(_: Principal = Depends(require("grille.lire"))) -> list[dict[str, Any]]:
    return [
        {
            "chemin": c.chemin,
            "type": c.type.value,
            "description": c.description,
            "valeurs": list(c.valeurs) if c.valeurs else None,
            "valide": c.valide,
        }
        for c in CHAMPS.values()
    ]


@router.get("/grilles", response_model=list[s.GrilleOut], summary="Grilles de cotation")
async def lister(
    uow: Uow,
    epci: str | None = Query(default=None, pattern=r"^\d{9}$"),
    etat: Literal["BROUILLON", "PUBLIEE", "ARCHIVEE"] | None = None,
    _: Principal = Depends(require("grille.lire")),
) -> list[dict[str, Any]]:
    return [_vue(g) for g in await repo.lister_grilles(uow.session, epci=epci, etat=etat)]


@router.post(
    "/grilles", status_code=201, response_model=s.GrilleOut, summary="Créer une grille (brouillon)"
)
async def creer(
    uow: Uow,
    definition: Annotated[dict[str, Any], Body(description=DEFINITION_DOC)],
    principal: Principal = Depends(require("grille.gerer")),
) -> JSONResponse:
    lue = lire_definition(definition)
    _epci_dans_perimetre(principal, "grille.gerer", lue.epci)
    grille = await services.grilles.creer_grille(uow, lue, datetime.now(UTC))
    return _reponse(grille, 201)


@router.post(
    "/grilles/import",
    status_code=201,
    response_model=s.GrilleOut,
    summary="Importer une grille (JSON ou YAML) comme brouillon",
)
async def importer_grille(
    request: Request,
    uow: Uow,
    format: Literal["json", "yaml"] | None = Query(
        default=None, description="Par défaut, d'après le Content-Type"
    ),
    principal: Principal = Depends(require("grille.gerer")),
) -> JSONResponse:
    corps = await request.body()
    if len(corps) > 1_000_000:
        raise HTTPException(status_code=413, detail="Document trop volumineux (1 Mo au plus)")
    lu = format or ("yaml" if "yaml" in request.headers.get("content-type", "") else "json")
    definition = importer(corps, lu, load_yaml)
    _epci_dans_perimetre(principal, "grille.gerer", definition.epci)
    grille = await services.grilles.creer_grille(uow, definition, datetime.now(UTC))
    return _reponse(grille, 201)


@router.get("/grilles/{grille_id}", response_model=s.GrilleOut, summary="Une grille")
async def lire(
    grille_id: UUID, uow: Uow, _: Principal = Depends(require("grille.lire"))
) -> JSONResponse:
    grille = await repo.grille(uow.session, grille_id)
    if grille is None:
        raise services.commun.GrilleIntrouvable(str(grille_id))
    return _reponse(grille)


@router.put(
    "/grilles/{grille_id}",
    response_model=s.GrilleOut,
    responses=REPONSES_IF_MATCH,
    summary="Modifier une grille en brouillon (If-Match)",
)
async def modifier(
    grille_id: UUID,
    uow: Uow,
    definition: Annotated[dict[str, Any], Body(description=DEFINITION_DOC)],
    if_match: IfMatch = None,
    principal: Principal = Depends(require("grille.gerer")),
) -> JSONResponse:
    revision = _revision(if_match, grille_id, required=True)
    lue = lire_definition(definition)
    _epci_dans_perimetre(principal, "grille.gerer", lue.epci)
    grille = await services.grilles.modifier_grille(uow, grille_id, lue, revision)
    return _reponse(grille)


@router.post(
    "/grilles/{grille_id}/validation",
    response_model=s.ValidationOut,
    summary="Vérifier qu'une grille peut être publiée",
)
async def valider(
    grille_id: UUID, uow: Uow, _: Principal = Depends(require("grille.lire"))
) -> dict[str, Any]:
    grille = await repo.grille(uow.session, grille_id)
    if grille is None:
        raise services.commun.GrilleIntrouvable(str(grille_id))
    problemes = problemes_avant_publication(grille.definition)
    return {"publiable": not problemes, "erreurs": error_items(problemes)}


@router.post(
    "/grilles/{grille_id}/publication",
    response_model=s.GrilleOut,
    responses={412: REPONSES_IF_MATCH[412]},
    summary="Publier une grille : archive la précédente, recalcule les cotations",
)
async def publier(
    grille_id: UUID,
    uow: Uow,
    if_match: IfMatch = None,
    principal: Principal = Depends(require("grille.gerer")),
) -> JSONResponse:
    existante = await repo.grille(uow.session, grille_id)
    if existante is None:
        raise services.commun.GrilleIntrouvable(str(grille_id))
    _epci_dans_perimetre(principal, "grille.gerer", existante.epci)
    grille = await services.grilles.publier_grille(
        uow, grille_id, _revision(if_match, grille_id), datetime.now(UTC)
    )
    return _reponse(grille)


@router.post(
    "/grilles/{grille_id}/archivage",
    response_model=s.GrilleOut,
    responses={412: REPONSES_IF_MATCH[412]},
    summary="Archiver une grille",
)
async def archiver(
    grille_id: UUID,
    uow: Uow,
    if_match: IfMatch = None,
    principal: Principal = Depends(require("grille.gerer")),
) -> JSONResponse:
    existante = await repo.grille(uow.session, grille_id)
    if existante is None:
        raise services.commun.GrilleIntrouvable(str(grille_id))
    _epci_dans_perimetre(principal, "grille.gerer", existante.epci)
    grille = await services.grilles.archiver_grille(
        uow, grille_id, _revision(if_match, grille_id), datetime.now(UTC)
    )
    return _reponse(grille)


@router.get("/grilles/{grille_id}/export", summary="Exporter une grille en JSON ou YAML")
async def exporter_grille(
    grille_id: UUID,
    uow: Uow,
    format: Literal["json", "yaml"] = "json",
    _: Principal = Depends(require("grille.lire")),
) -> Response:
    grille = await repo.grille(uow.session, grille_id)
    if grille is None:
        raise services.commun.GrilleIntrouvable(str(grille_id))
    nom = f"grille-{grille.epci}-{grille.population.value.lower()}-v{grille.version}.{format}"
    return Response(
        content=exporter(grille.definition, format),
        media_type="application/json" if format == "json" else "application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{nom}"'},
    )


@router.post(
    "/grilles/{grille_id}/simulation",
    response_model=s.SimulationOut,
    response_model_exclude_unset=True,
    summary="Simuler une grille sur les demandes actives (rien n'est publié)",
)
async def simuler(
    grille_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("grille.simuler")),
) -> dict[str, Any]:
    existante = await repo.grille(uow.session, grille_id)
    if existante is None:
        raise services.commun.GrilleIntrouvable(str(grille_id))
    _epci_dans_perimetre(principal, "grille.simuler", existante.epci)
    return await services.simulation.simuler_grille(uow, grille_id, datetime.now(UTC))


def _vue_recalcul(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "motif": row.motif,
        "epci": row.epci,
        "grille_id": None if row.grille_id is None else str(row.grille_id),
        "etat": row.etat,
        "total": row.total,
        "traitees": row.traitees,
        "modifiees": row.modifiees,
        "cree_le": row.cree_le,
        "demarre_le": row.demarre_le,
        "mis_a_jour_le": row.mis_a_jour_le,
        "termine_le": row.termine_le,
        "progression_pct": 100
        if row.etat == "TERMINE"
        else (round(100 * row.traitees / row.total) if row.total else 0),
    }


@router.get(
    "/recalculs",
    response_model=list[s.RecalculOut],
    summary="Recalculs en masse et leur progression",
)
async def recalculs(
    uow: Uow, _: Principal = Depends(require("grille.lire"))
) -> list[dict[str, Any]]:
    return [_vue_recalcul(r) for r in await repo.lister_recalculs(uow.session)]


@router.get(
    "/recalculs/{recalcul_id}",
    response_model=s.RecalculOut,
    summary="Progression d'un recalcul en masse",
)
async def recalcul(
    recalcul_id: UUID, uow: Uow, _: Principal = Depends(require("grille.lire"))
) -> dict[str, Any]:
    row = await repo.recalcul(uow.session, recalcul_id)
    if row is None:
        raise Introuvable("Recalcul introuvable")
    return _vue_recalcul(row)


POINTS = (
    "Nombre décimal écrit en chaîne (« 42.5 », « -3 ») : les points, dans toutes les API et "
    "tous les événements de Toit, ne passent jamais par un nombre flottant"
)


class PositionOut(BaseModel):
    rang: int = Field(description="1 + les demandes comparables qui ont plus de points")
    sur: int = Field(description="Demandes actives comparables (même EPCI et typologie)")
    percentile: int = Field(description="Part, en %, des demandes comparables moins bien cotées")
    typologie: str | None


class CotationEpciOut(BaseModel):
    epci: str
    epci_nom: str | None
    grille_id: UUID
    grille_version: int
    points: Decimal = Field(description=POINTS)
    criteres: list[dict[str, Any]] = Field(
        description="Détail par critère (leurs points : décimaux en chaîne aussi)"
    )
    position: PositionOut | None
    delai_attente: dict[str, Any]
    calculee_le: AwareDatetime = Field(description="Date du calcul, avec son décalage UTC")


class CotationDemandeOut(BaseModel):
    demande_id: UUID
    cotations: list[CotationEpciOut]


@router.get(
    "/demandes/{demande_id}",
    response_model=CotationDemandeOut,
    summary="Cotation d'une demande, par EPCI",
)
async def cotation_de_la_demande(
    demande_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("cotation.lire")),
) -> dict[str, Any]:
    session = uow.session
    demande = (await repo.demandes_suivies(session, [demande_id])).get(demande_id)
    if demande is None or demande.snapshot is None:
        raise Introuvable()
    communes = demande.snapshot["logement_recherche"]["communes"]
    visibles = [
        epci
        for epci in demande.epcis
        if may(
            principal,
            "cotation.lire",
            departement=demande.departement,
            communes=communes,
            epci=epci,
            owner=demande.compte_demandeur,
        )
    ]
    if not visibles:
        raise Introuvable()
    lignes = await repo.lignes_de_scores(session, demande_id)
    cotations = []
    for epci in visibles:
        ligne = lignes.get(epci)
        if ligne is None:
            continue
        position = None
        if ligne.actif:
            p = await repo.position(session, epci, ligne.typologie, ligne.points)
            position = {
                "rang": p.rang,
                "sur": p.total,
                "percentile": p.percentile,
                "typologie": p.typologie,
            }
        info = referentiel_territoire.epci(epci)
        cotations.append(
            {
                "epci": epci,
                "epci_nom": info.nom if info else None,
                "grille_id": str(ligne.grille_id),
                "grille_version": ligne.grille_version,
                "points": ligne.points,
                "criteres": ligne.criteres,
                "position": position,
                "delai_attente": await delai_attente.pour(
                    uow, epci, info.nom if info else None, ligne.typologie, date.today()
                ),
                "calculee_le": en_utc(ligne.calculee_le),
            }
        )
    await record_consultation(
        session, principal, "cotation", str(demande_id), departement=demande.departement
    )
    await uow.commit()
    return {"demande_id": str(demande_id), "cotations": cotations}
