"""HTTP API of reservation conventions and of the flow ledger (/api/matching/conventions,
/api/matching/flux)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from servicekit.auth import Principal, require
from toit_matching.entrypoints import schemas as s
from toit_matching.entrypoints.commun import Uow
from toit_matching.service_layer import conventions
from toit_matching.service_layer.acces import Acteur

router = APIRouter(prefix="/api/matching", tags=["matching"])


def _convention(c: Any) -> s.ConventionOut:
    return s.ConventionOut(
        id=c.id,
        bailleur_id=c.bailleur_id,
        reservataire_id=c.reservataire_id,
        reservataire_nom=c.reservataire_nom,
        departement=c.departement,
        commune=c.commune,
        annee=c.annee,
        parts={k.value: v for k, v in c.parts.items()},
    )


@router.post(
    "/conventions",
    response_model=s.ConventionOut,
    status_code=201,
    summary="Enregistrer une convention de réservation",
)
async def creer_convention(
    corps: s.ConventionIn, uow: Uow, principal: Principal = Depends(require("convention.gerer"))
) -> s.ConventionOut:
    c = await conventions.creer_convention(
        uow,
        Acteur(principal),
        bailleur_id=corps.bailleur_id,
        reservataire_id=corps.reservataire_id,
        reservataire_nom=corps.reservataire_nom,
        departement=corps.departement,
        commune=corps.commune,
        annee=corps.annee,
        parts=corps.parts,
    )
    return _convention(c)


@router.get("/conventions", response_model=list[s.ConventionOut], summary="Conventions visibles")
async def lister_conventions(
    uow: Uow,
    annee: int | None = Query(default=None, ge=2020, le=2100),
    principal: Principal = Depends(require("candidat.rechercher")),
) -> list[s.ConventionOut]:
    return [
        _convention(c)
        for c in await conventions.lister_conventions(uow, Acteur(principal), annee=annee)
    ]


def _ligne_flux(lg: Any) -> s.LigneFluxOut:
    return s.LigneFluxOut(
        convention_id=lg.convention_id,
        reservataire_id=lg.reservataire_id,
        reservataire_nom=lg.reservataire_nom,
        contingent=lg.contingent.value,
        pourcent=lg.pourcent,
        dus=lg.dus,
        orientes=lg.orientes,
        attribues=lg.attribues,
        retard=lg.retard,
    )


@router.get(
    "/flux", response_model=list[s.GrandLivreOut], summary="Grand livre du flux par convention"
)
async def flux(
    uow: Uow,
    annee: int = Query(ge=2020, le=2100),
    departement: str | None = Query(default=None, pattern=r"^[0-9]{2}[0-9AB]?$"),
    principal: Principal = Depends(require("candidat.rechercher")),
) -> list[s.GrandLivreOut]:
    livres = await conventions.grands_livres(uow, Acteur(principal), annee, departement)
    return [
        s.GrandLivreOut(
            bailleur_id=livre.bailleur_id,
            departement=livre.departement,
            annee=livre.annee,
            base=livre.base,
            lignes=[_ligne_flux(lg) for lg in livre.lignes],
            suggestion=None if livre.suggestion is None else _ligne_flux(livre.suggestion),
        )
        for livre in livres
    ]
