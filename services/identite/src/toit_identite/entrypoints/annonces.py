"""HTTP routes of the announcements under /api/identite/annonces."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from servicekit import http_toolkit
from servicekit.auth import Principal, require
from toit_contracts.types import Departement
from toit_identite.domain.annonces import Annonce, ContenuAnnonce, NiveauAnnonce
from toit_identite.entrypoints.http import PREFIX, UoW
from toit_identite.service_layer import annonces as uc

router = APIRouter(prefix=f"{PREFIX}/annonces", tags=["annonces"])

Texte = Annotated[str, Field(min_length=1, max_length=1000)]


class AnnonceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    departement: Departement = Field(description="Fichier (département) de l'annonce")
    titre: str = Field(min_length=1, max_length=120)
    texte: Texte
    niveau: NiveauAnnonce = NiveauAnnonce.INFORMATION
    roles: list[str] = Field(
        default_factory=list, max_length=10, description="Rôles destinataires ; vide : tous"
    )
    types_organisation: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="Types d'organisation destinataires ; vide : tous",
    )
    debut: AwareDatetime | None = Field(
        default=None, description="Début d'affichage ; vide : maintenant"
    )
    fin: AwareDatetime | None = Field(
        default=None, description="Fin d'affichage ; vide : jusqu'à expiration"
    )

    def contenu(self) -> ContenuAnnonce:
        return ContenuAnnonce(
            departement=self.departement,
            titre=self.titre,
            texte=self.texte,
            niveau=self.niveau,
            roles=frozenset(r[:40] for r in self.roles),
            types_organisation=frozenset(t[:40] for t in self.types_organisation),
            debut=self.debut,
            fin=self.fin,
        )


class AnnonceOut(BaseModel):
    id: str
    departement: str
    titre: str
    texte: str
    niveau: NiveauAnnonce
    roles: list[str]
    types_organisation: list[str]
    debut: datetime
    fin: datetime | None
    cree_le: datetime
    modifie_le: datetime
    version: int


def _out(a: Annonce) -> AnnonceOut:
    return AnnonceOut(
        id=a.id,
        departement=a.departement,
        titre=a.titre,
        texte=a.texte,
        niveau=a.niveau,
        roles=sorted(a.roles),
        types_organisation=sorted(a.types_organisation),
        debut=a.debut,
        fin=a.fin,
        cree_le=a.cree_le,
        modifie_le=a.modifie_le,
        version=a.version,
    )


def _avec_etag(a: Annonce, status: int = 200) -> JSONResponse:
    return JSONResponse(
        _out(a).model_dump(mode="json"),
        status_code=status,
        headers={"ETag": http_toolkit.etag(a.version)},
    )


@router.get(
    "/a-afficher",
    response_model=list[AnnonceOut],
    summary="Les annonces affichées maintenant pour moi (bandeau de la page d'accueil)",
)
async def a_afficher(
    uow: UoW, principal: Principal = Depends(require("annonce.lire"))
) -> list[AnnonceOut]:
    return [_out(a) for a in await uc.a_afficher(uow, principal)]


@router.get(
    "",
    response_model=list[AnnonceOut],
    summary="Les annonces des départements que je gère, expirées comprises",
)
async def gerees(
    uow: UoW, principal: Principal = Depends(require("annonce.gerer"))
) -> list[AnnonceOut]:
    return [_out(a) for a in await uc.gerees(uow, principal)]


@router.post("", status_code=201, response_model=AnnonceOut, summary="Publier une annonce")
async def publier(
    body: AnnonceIn, uow: UoW, principal: Principal = Depends(require("annonce.gerer"))
) -> JSONResponse:
    return _avec_etag(await uc.publier(uow, principal, body.contenu()), 201)


@router.get("/{annonce_id}", response_model=AnnonceOut, summary="Une annonce")
async def lire(
    annonce_id: UUID, uow: UoW, principal: Principal = Depends(require("annonce.gerer"))
) -> JSONResponse:
    return _avec_etag(await uc.lire(uow, principal, str(annonce_id)))


@router.put(
    "/{annonce_id}",
    response_model=AnnonceOut,
    responses=http_toolkit.REPONSES_IF_MATCH,
    summary="Modifier une annonce (If-Match)",
)
async def modifier(
    annonce_id: UUID,
    body: AnnonceIn,
    uow: UoW,
    if_match: http_toolkit.IfMatch = None,
    principal: Principal = Depends(require("annonce.gerer")),
) -> JSONResponse:
    version = http_toolkit.required_version(if_match)
    return _avec_etag(await uc.modifier(uow, principal, str(annonce_id), version, body.contenu()))


@router.post(
    "/{annonce_id}/expiration",
    response_model=AnnonceOut,
    summary="Faire expirer une annonce maintenant (elle quitte les bandeaux)",
)
async def expirer(
    annonce_id: UUID, uow: UoW, principal: Principal = Depends(require("annonce.gerer"))
) -> JSONResponse:
    return _avec_etag(await uc.expirer(uow, principal, str(annonce_id)))
