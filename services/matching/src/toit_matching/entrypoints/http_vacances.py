"""HTTP API of vacancies (/api/matching/vacances): declaration, reading with the suggested
contingent, orientation and withdrawal."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Response

from servicekit import http_toolkit
from servicekit.auth import Principal, require
from toit_matching.bootstrap import Dependances
from toit_matching.entrypoints import schemas as s
from toit_matching.entrypoints.commun import Deps, Uow
from toit_matching.service_layer import vacances
from toit_matching.service_layer.acces import Acteur

router = APIRouter(prefix="/api/matching", tags=["matching"])


def _vacance(ligne: dict[str, Any], deps: Dependances, suggestion: Any = None) -> s.VacanceOut:
    return s.VacanceOut(
        **{k: ligne[k] for k in s.VacanceOut.model_fields if k in ligne},
        commune_nom=deps.referentiel.nom_commune(ligne["commune"]),
        suggestion=None
        if suggestion is None
        else s.SuggestionOut(
            reservataire_id=suggestion.reservataire_id,
            reservataire_nom=suggestion.reservataire_nom,
            contingent=suggestion.contingent.value,
            pourcent=suggestion.pourcent,
            dus=suggestion.dus,
            orientes=suggestion.orientes,
        ),
    )


@router.post(
    "/vacances", response_model=s.VacanceOut, status_code=201, summary="Déclarer une vacance"
)
async def declarer(
    corps: s.VacanceIn,
    response: Response,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("logement.gerer")),
) -> s.VacanceOut:
    ligne = await vacances.declarer_vacance(
        uow,
        Acteur(principal),
        rpls=corps.rpls,
        type=corps.type,
        date_disponibilite=corps.date_disponibilite,
    )
    response.headers["ETag"] = f'"{ligne["version"]}"'
    return _vacance(ligne, deps)


@router.get("/vacances", response_model=list[s.VacanceOut], summary="Vacances visibles")
async def lister(
    uow: Uow, deps: Deps, principal: Principal = Depends(require("candidat.rechercher"))
) -> list[s.VacanceOut]:
    return [_vacance(v, deps) for v in await vacances.lister_vacances(uow, Acteur(principal))]


@router.get(
    "/vacances/{vacance_id}",
    response_model=s.VacanceOut,
    summary="Une vacance et le contingent suggéré",
)
async def lire(
    vacance_id: UUID,
    response: Response,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("candidat.rechercher")),
) -> s.VacanceOut:
    lue = await vacances.lire_vacance(uow, Acteur(principal), vacance_id)
    response.headers["ETag"] = f'"{lue.vacance["version"]}"'
    return _vacance(lue.vacance, deps, lue.suggestion)


@router.post(
    "/vacances/{vacance_id}/orientation",
    response_model=s.VacanceOut,
    summary="Orienter une vacance",
)
async def orienter(
    vacance_id: UUID,
    corps: s.OrientationIn,
    response: Response,
    uow: Uow,
    deps: Deps,
    if_match: str | None = Header(default=None),
    principal: Principal = Depends(require("logement.gerer")),
) -> s.VacanceOut:
    ligne = await vacances.orienter(
        uow,
        Acteur(principal),
        vacance_id,
        version_attendue=http_toolkit.if_match_version(if_match, required=False),
        contingent=corps.contingent,
        reservataire_id=corps.reservataire_id,
        motif_hors_flux=corps.motif_hors_flux,
    )
    response.headers["ETag"] = f'"{ligne["version"]}"'
    return _vacance(ligne, deps)


@router.post(
    "/vacances/{vacance_id}/retrait",
    response_model=s.VacanceOut,
    summary="Retirer une vacance avant attribution",
)
async def retirer(
    vacance_id: UUID,
    corps: s.RetraitIn,
    response: Response,
    uow: Uow,
    deps: Deps,
    if_match: str | None = Header(default=None),
    principal: Principal = Depends(require("logement.gerer")),
) -> s.VacanceOut:
    ligne = await vacances.retirer(
        uow,
        Acteur(principal),
        vacance_id,
        version_attendue=http_toolkit.if_match_version(if_match, required=False),
        motif=corps.motif,
        precision=corps.precision,
    )
    response.headers["ETag"] = f'"{ligne["version"]}"'
    return _vacance(ligne, deps)
