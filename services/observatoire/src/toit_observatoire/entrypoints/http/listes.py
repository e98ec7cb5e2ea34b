"""Domains and their documented fields, preview, saved lists (CRUD with If-Match),
their executions, latest result and exports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, TypeAdapter, model_validator
from sqlalchemy.ext.asyncio import AsyncConnection

from servicekit import http_toolkit
from servicekit.audit import record_consultation
from servicekit.auth import Principal, require
from servicekit.http import unit_of_work
from servicekit.uow import UnitOfWork
from toit_contracts.types import Email
from toit_observatoire.domain.champs import DOMAINES, LIBELLES_OPERATEURS, OPERATEURS
from toit_observatoire.domain.listes import (
    Destinataire,
    Liste,
    Planification,
)
from toit_observatoire.domain.requetes import Fonction, valider
from toit_observatoire.domain.resultats import Resultat
from toit_observatoire.entrypoints.http.commun import (
    STATS,
    connexion,
    deps_of,
    nouveau_router,
    utilisateur,
)
from toit_observatoire.service_layer import (
    exports,
    listes,
)

router = nouveau_router()

# --- Domains and preview ----------------------------------------------------------------------


class ChampOut(BaseModel):
    nom: str
    libelle: str
    type: str
    nominatif: bool
    groupable: bool
    mesurable: bool
    valeurs: list[str] | None
    operateurs: dict[str, str]


class DomaineOut(BaseModel):
    nom: str
    libelle: str
    alimente: bool = Field(description="Alimenté par des événements publiés aujourd'hui")
    champs: list[ChampOut]
    fonctions: list[str]


@router.get("/domaines", response_model=list[DomaineOut], summary="Champs documentés par domaine")
async def domaines(_: Principal = Depends(require(STATS))) -> list[DomaineOut]:
    return [
        DomaineOut(
            nom=d.nom,
            libelle=d.libelle,
            alimente=d.alimente,
            champs=[
                ChampOut(
                    nom=c.nom,
                    libelle=c.libelle,
                    type=c.type.value,
                    nominatif=c.nominatif,
                    groupable=c.groupable,
                    mesurable=c.mesurable,
                    valeurs=list(c.valeurs) if c.valeurs else None,
                    operateurs={o.value: LIBELLES_OPERATEURS[o] for o in OPERATEURS[c.type]},
                )
                for c in d.champs
            ],
            fonctions=[f.value for f in Fonction],
        )
        for d in DOMAINES.values()
    ]


class Definition(BaseModel):
    """Requête d'une liste : domaine, filtres, colonnes, tri, regroupements, agrégats."""

    domaine: str = Field(max_length=64)
    filtres: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    colonnes: list[str] = Field(default_factory=list, max_length=30)
    tri: list[dict[str, Any]] = Field(default_factory=list, max_length=5)
    regroupements: list[str] = Field(default_factory=list, max_length=2)
    agregats: list[dict[str, Any]] = Field(default_factory=list, max_length=10)


class ColonneOut(BaseModel):
    nom: str
    libelle: str
    type: str


class ResultatOut(BaseModel):
    colonnes: list[ColonneOut]
    lignes: list[list[Any]]
    total: int
    groupe: bool
    nominatif: bool
    cellules_masquees: int
    lignes_masquees: list[int]
    tronque: bool
    notes: list[str]
    execute_le: datetime | None = None


def _out(resultat: Resultat, at: datetime | None = None) -> ResultatOut:
    return ResultatOut.model_validate({**resultat.to_dict(), "execute_le": at})


async def _tracer(uow: UnitOfWork, principal: Principal, resultat: Resultat, quoi: str) -> None:
    if resultat.nominatif:
        await record_consultation(uow.session, principal, "liste_nominative", quoi)


@router.post("/apercu", response_model=ResultatOut, summary="Aperçu d'une liste (50 lignes)")
async def apercu(
    definition: Definition,
    request: Request,
    response: Response,
    principal: Principal = Depends(require(STATS)),
    uow: UnitOfWork = Depends(unit_of_work),
) -> ResultatOut:
    deps = deps_of(request)
    qui = utilisateur(principal)
    requete = valider(definition.model_dump(), nominatif_permis=qui.nominatif_permis)
    conn = await uow.session.connection()
    resultat = await listes.executer(
        conn, requete, qui.perimetre, seuil=deps.settings.observatoire_seuil_secret, limite=50
    )
    await _tracer(uow, principal, resultat, f"apercu:{requete.domaine.nom}")
    await uow.commit()
    response.headers["Cache-Control"] = "no-store"
    return _out(resultat)


# --- Saved lists ------------------------------------------------------------------------------


class DestinataireIn(BaseModel):
    type: Literal["organisation", "utilisateur", "courriel"] = Field(
        description="organisation, utilisateur (voient la liste dans leur espace) ou courriel "
        "(reçoit le résultat d'une liste planifiée)"
    )
    id: str = Field(min_length=1, max_length=254)

    @model_validator(mode="after")
    def _identifiant(self) -> DestinataireIn:
        if self.type == "courriel":
            self.id = _COURRIEL.validate_python(self.id)
        elif len(self.id) > 64:
            raise ValueError("identifiant trop long (64 caractères au plus)")
        return self


_COURRIEL: TypeAdapter[str] = TypeAdapter(Email)


class ListeIn(BaseModel):
    type: Literal["liste", "statistique"] = "liste"
    titre: str = Field(min_length=1, max_length=200)
    reference: str = Field(min_length=1, max_length=32)
    description: str | None = Field(default=None, max_length=2000)
    definition: Definition
    destinataires: list[DestinataireIn] = Field(default_factory=list, max_length=50)
    modification_destinataires: bool = Field(
        default=False, description="Modification du document autorisée aux destinataires"
    )
    dossier: str | None = Field(default=None, max_length=100, description="Dossier de classement")
    actif: bool = True
    conservation_jours: int = Field(default=7, ge=1, le=366, description="Jours de conservation")
    planification: Planification | None = None
    accueil: bool = Field(default=False, description="Visible sur la page d'accueil")

    def domain(self) -> Liste:
        return Liste(
            id=None,
            type=self.type,
            domaine=self.definition.domaine,
            titre=self.titre,
            reference=self.reference,
            description=self.description,
            definition=self.definition.model_dump(),
            proprietaire="",
            organisation=None,
            destinataires=[Destinataire(d.type, d.id) for d in self.destinataires],
            modification_destinataires=self.modification_destinataires,
            dossier=self.dossier,
            actif=self.actif,
            conservation_jours=self.conservation_jours,
            planification=self.planification,
            accueil=self.accueil,
        )


class ListeOut(BaseModel):
    id: uuid.UUID
    type: str
    domaine: str
    titre: str
    reference: str
    description: str | None
    definition: dict[str, Any]
    proprietaire: str
    organisation: str | None
    destinataires: list[DestinataireIn]
    modification_destinataires: bool
    dossier: str | None
    actif: bool
    conservation_jours: int
    planification: Planification | None
    accueil: bool
    version: int


def liste_out(liste: Liste) -> ListeOut:
    return ListeOut(
        id=liste.id,
        type=liste.type,
        domaine=liste.domaine,
        titre=liste.titre,
        reference=liste.reference,
        description=liste.description,
        definition=liste.definition,
        proprietaire=liste.proprietaire,
        organisation=liste.organisation,
        destinataires=[DestinataireIn(type=d.type, id=d.id) for d in liste.destinataires],
        modification_destinataires=liste.modification_destinataires,
        dossier=liste.dossier,
        actif=liste.actif,
        conservation_jours=liste.conservation_jours,
        planification=liste.planification,
        accueil=liste.accueil,
        version=liste.version,
    )


def _etag(liste: Liste) -> str:
    return http_toolkit.etag(liste.version)


@router.get("/listes", response_model=list[ListeOut], summary="Mes listes et celles reçues")
async def mes_listes(
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> list[ListeOut]:
    return [liste_out(liste) for liste in await listes.lister(conn, utilisateur(principal))]


@router.post("/listes", response_model=ListeOut, status_code=201, summary="Enregistrer une liste")
async def creer_liste(
    body: ListeIn,
    response: Response,
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> ListeOut:
    liste = await listes.creer(conn, utilisateur(principal), body.domain())
    response.headers["ETag"] = _etag(liste)
    response.headers["Location"] = f"/api/observatoire/listes/{liste.id}"
    return liste_out(liste)


class AccueilOut(BaseModel):
    liste: ListeOut
    resultat: ResultatOut | None


@router.get(
    "/listes/accueil",
    response_model=list[AccueilOut],
    summary="Listes de la page d'accueil, chacune avec son dernier résultat",
)
async def listes_accueil(
    response: Response,
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> list[AccueilOut]:
    qui = utilisateur(principal)
    found = []
    for liste in await listes.lister(conn, qui, accueil=True):
        last = await listes.dernier_resultat(conn, qui, liste)
        found.append(
            AccueilOut(liste=liste_out(liste), resultat=_out(last[1], last[0]) if last else None)
        )
    response.headers["Cache-Control"] = "no-store"
    return found


@router.get("/listes/{liste_id}", response_model=ListeOut, summary="Une liste")
async def lire_liste(
    liste_id: uuid.UUID,
    response: Response,
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> ListeOut:
    liste = await listes.lire(conn, utilisateur(principal), liste_id)
    response.headers["ETag"] = _etag(liste)
    return liste_out(liste)


@router.put("/listes/{liste_id}", response_model=ListeOut, summary="Modifier une liste (If-Match)")
async def modifier_liste(
    liste_id: uuid.UUID,
    body: ListeIn,
    response: Response,
    if_match: str | None = Header(default=None),
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> ListeOut | Response:
    version = http_toolkit.required_version(if_match)
    liste = await listes.modifier(conn, utilisateur(principal), liste_id, version, body.domain())
    response.headers["ETag"] = _etag(liste)
    return liste_out(liste)


@router.delete("/listes/{liste_id}", status_code=204, summary="Supprimer une liste (If-Match)")
async def supprimer_liste(
    liste_id: uuid.UUID,
    if_match: str | None = Header(default=None),
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> Response:
    version = http_toolkit.required_version(if_match)
    await listes.supprimer(conn, utilisateur(principal), liste_id, version)
    return Response(status_code=204)


@router.post(
    "/listes/{liste_id}/executions",
    response_model=ResultatOut,
    summary="Exécuter une liste (le résultat est conservé)",
)
async def executer_liste(
    liste_id: uuid.UUID,
    request: Request,
    response: Response,
    principal: Principal = Depends(require(STATS)),
    uow: UnitOfWork = Depends(unit_of_work),
) -> ResultatOut:
    deps = deps_of(request)
    qui = utilisateur(principal)
    conn = await uow.session.connection()
    liste = await listes.lire(conn, qui, liste_id)
    resultat = await listes.executer_liste(
        conn,
        qui,
        liste,
        seuil=deps.settings.observatoire_seuil_secret,
        limite=deps.settings.observatoire_lignes_max,
    )
    await _tracer(uow, principal, resultat, f"liste:{liste.id}")
    await uow.commit()
    response.headers["Cache-Control"] = "no-store"
    return _out(resultat)


@router.get(
    "/listes/{liste_id}/resultat",
    response_model=ResultatOut,
    summary="Dernier résultat conservé d'une liste",
)
async def dernier_resultat(
    liste_id: uuid.UUID,
    response: Response,
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> ResultatOut | Response:
    qui = utilisateur(principal)
    liste = await listes.lire(conn, qui, liste_id)
    last = await listes.dernier_resultat(conn, qui, liste)
    if last is None:
        return JSONResponse(
            status_code=404, content={"detail": "Cette liste n'a pas encore été exécutée"}
        )
    response.headers["Cache-Control"] = "no-store"
    return _out(last[1], last[0])


@router.get("/listes/{liste_id}/export", summary="Exporter une liste (CSV, XLSX, PDF)")
async def exporter_liste(
    liste_id: uuid.UUID,
    request: Request,
    format: exports.Format = Query(default=exports.Format.CSV),
    principal: Principal = Depends(require(STATS)),
    uow: UnitOfWork = Depends(unit_of_work),
) -> Response:
    deps = deps_of(request)
    qui = utilisateur(principal)
    conn = await uow.session.connection()
    liste = await listes.lire(conn, qui, liste_id)
    resultat = await listes.executer_liste(
        conn,
        qui,
        liste,
        seuil=deps.settings.observatoire_seuil_secret,
        limite=deps.settings.observatoire_lignes_max,
    )
    fichier = await exports.exporter(
        conn, qui, quoi=f"liste:{liste.id}", titre=liste.titre, format=format, resultat=resultat
    )
    await _tracer(uow, principal, resultat, f"export:liste:{liste.id}")
    await uow.commit()
    return Response(
        fichier.contenu,
        media_type=fichier.media,
        headers={
            "Content-Disposition": f'attachment; filename="{fichier.nom}"',
            "Cache-Control": "no-store",
        },
    )
