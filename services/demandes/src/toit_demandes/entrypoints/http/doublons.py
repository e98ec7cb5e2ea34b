"""Potential duplicates: search, merge, and confirming two demandes are distinct."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import (
    APIRouter,
    Depends,
    Query,
)
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

import toit_demandes.service_layer as uc
from servicekit.audit import (
    record_consultations,
)
from servicekit.auth import Principal, authorize, require
from servicekit.errors import error_items
from toit_demandes.adapters.repository import (
    DemandeRepository,
)
from toit_demandes.adapters.repository import cle as cle_de
from toit_demandes.domain.doublons import (
    CleIdentite,
    empreinte_nir,
    meme_personne,
    normaliser,
    premier_prenom,
)
from toit_demandes.domain.saisie import Nir
from toit_demandes.domain.verifications import DonneesInvalides, Erreur
from toit_demandes.entrypoints import schemas as s
from toit_demandes.entrypoints.http.commun import (
    REPONSES,
    Uow,
    acces,
    contexte,
    reponse,
)

router = APIRouter(prefix="/api/demandes", tags=["demandes"])


@router.get(
    "/doublons",
    response_model=list[s.DoublonOut],
    summary="Chercher les doublons potentiels d'une personne",
)
async def chercher_doublons(
    uow: Uow,
    departement: Annotated[str, Query(pattern=r"^[0-9]{2}[0-9AB]?$")],
    nom: Annotated[str, Query(min_length=1, max_length=100)],
    prenoms: Annotated[str, Query(min_length=1, max_length=150)],
    date_naissance: date,
    nom_usage: Annotated[str | None, Query(max_length=100)] = None,
    nir: Annotated[str | None, Query(max_length=21)] = None,
    principal: Principal = Depends(require("demande.lire")),
) -> list[s.DoublonOut]:
    authorize(principal, "demande.lire", departement=departement, owner=None)
    noms = {normaliser(n) for n in (nom, nom_usage) if n and normaliser(n)}
    if not noms or not premier_prenom(prenoms):
        raise DonneesInvalides([Erreur("nom", "indiquez au moins une lettre")])
    nir_valide = None
    if nir:
        try:
            nir_valide = TypeAdapter(Nir).validate_python(nir)
        except ValidationError as exc:
            raise DonneesInvalides(
                [Erreur("nir", e["message"]) for e in error_items(exc.errors())]  # type: ignore[arg-type]
            ) from None
    cle = CleIdentite(
        departement,
        frozenset(noms),
        premier_prenom(prenoms),
        date_naissance,
        empreinte_nir(nir_valide) if nir_valide else None,
    )
    trouvees = await DemandeRepository(uow.session).doublons_potentiels(cle)
    await record_consultations(
        uow.session,
        principal,
        "demande",
        [(str(d.id), departement) for d in trouvees],
        "recherche de doublons",
    )
    await uow.commit()
    return [
        s.doublon_out(uc.doublons.Doublon(d.id, d.numero_unique, d.statut, raison))
        for d in trouvees
        if (raison := meme_personne(cle, cle_de(d)))
    ]


@router.post(
    "/{demande_id}/doublons/{autre_id}/fusion",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Fusionner un doublon dans cette demande",
)
async def fusionner(
    demande_id: UUID,
    autre_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("demande.fusionner")),
) -> JSONResponse:
    ctx = contexte(principal)
    demande = await uc.doublons.fusionner(
        uow, demande_id, autre_id, ctx, acces(principal, "demande.fusionner")
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/doublons/{autre_id}/distinctes",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Confirmer que deux demandes sont distinctes",
)
async def distinctes(
    demande_id: UUID,
    autre_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("demande.modifier")),
) -> JSONResponse:
    ctx = contexte(principal)
    demande = await uc.doublons.ecarter_doublon(
        uow, demande_id, autre_id, ctx, acces(principal, "demande.modifier")
    )
    return reponse(demande, principal, ctx)


@router.get(
    "/{demande_id}/doublons",
    response_model=list[s.DoublonOut],
    responses=REPONSES,
    summary="Les doublons potentiels de cette demande, hors ceux déclarés distincts",
)
async def doublons_de_la_demande(
    demande_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("demande.lire")),
) -> list[s.DoublonOut]:
    """What the duplicates screen decides on (the espace professionnel): the same search
    as at creation and registration, traced as a search of duplicates."""
    demande = await uc.saisie.lire(uow, demande_id, acces(principal, "demande.lire"))
    trouves = await uc.doublons.doublons(DemandeRepository(uow.session), demande)
    await record_consultations(
        uow.session,
        principal,
        "demande",
        [(str(d.demande_id), demande.departement) for d in trouves],
        "recherche de doublons",
    )
    await uow.commit()
    return [s.doublon_out(d) for d in trouves]
