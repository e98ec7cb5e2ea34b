"""Indicators of a territory and year, their charts (SVG), a saved list's chart,
the fiche territoriale and the bilan d'activité (PDF)."""

from __future__ import annotations

import asyncio
import functools
import uuid
from datetime import date
from typing import Literal

from fastapi import Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from servicekit.auth import Principal, require
from toit_contracts.enums import Typologie
from toit_observatoire.adapters import repository
from toit_observatoire.entrypoints.http.commun import (
    STATS,
    connexion,
    deps_of,
    nouveau_router,
    pdf,
    svg,
    utilisateur,
)
from toit_observatoire.service_layer import (
    exports,
    fiches,
    indicateurs,
    listes,
    publications,
    statistiques,
)

router = nouveau_router()

# --- Indicators, charts, fiches, bilan --------------------------------------------------------


def _annee_defaut() -> int:
    return date.today().year


# At most this many indicator sets take two more pool connections at once (pool: 10 + 10);
# the others run on their request's connection alone: many indicator requests at once
# cannot all hold one connection while waiting for two more. Never awaited while held
# by another (checked first), so never bound to an event loop.
_PARALLELES = asyncio.Semaphore(4)


async def _jeu(
    request: Request,
    principal: Principal,
    conn: AsyncConnection,
    niveau: str,
    code: str,
    annee: int,
    **filtres: str | None,
) -> indicateurs.JeuIndicateurs:
    deps = deps_of(request)

    async def calculer(
        parallele: indicateurs.ConnexionInstantane | None,
    ) -> indicateurs.JeuIndicateurs:
        return await indicateurs.calculer(
            conn,
            niveau,
            code,
            annee,
            utilisateur(principal).perimetre,
            seuil_secret=deps.settings.observatoire_seuil_secret,
            parallele=parallele,
            **filtres,  # type: ignore[arg-type]
        )

    if _PARALLELES.locked():
        return await calculer(None)
    async with _PARALLELES:
        return await calculer(functools.partial(repository.connexion_instantane, deps.db.engine))


Niveau = Literal["commune", "epci", "departement", "region"]
CODE = Query(
    min_length=2, max_length=9, pattern=r"^[0-9AB]{2,9}$", description="Code du territoire"
)
ANNEE = Query(default_factory=_annee_defaut, ge=2000, le=2100)


@router.get(
    "/indicateurs",
    response_model=indicateurs.JeuIndicateurs,
    summary="Indicateurs d'un territoire pour une année, avec les obligations",
)
async def jeu_indicateurs(
    request: Request,
    response: Response,
    niveau: Niveau = Query(description="commune, epci, departement ou region"),
    code: str = CODE,
    annee: int = ANNEE,
    typologie: Typologie | None = Query(default=None, description="Typologie"),
    bailleur: str | None = Query(
        default=None, pattern=r"^\d{9}$", description="SIREN du bailleur (attributions)"
    ),
    reservataire: str | None = Query(
        default=None,
        pattern=r"^[A-Za-z0-9_\-]{1,64}$",
        description="Réservataire (attributions)",
    ),
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> indicateurs.JeuIndicateurs:
    response.headers["Cache-Control"] = "no-store"
    return await _jeu(
        request,
        principal,
        conn,
        niveau,
        code,
        annee,
        typologie=typologie.value if typologie else None,
        bailleur=bailleur,
        reservataire=reservataire,
    )


@router.get(
    "/indicateurs/graphique.svg",
    summary="Graphique (SVG) des demandes et attributions par mois d'un territoire",
    response_class=Response,
)
async def graphique_indicateurs(
    request: Request,
    niveau: Niveau = Query(),
    code: str = CODE,
    annee: int = ANNEE,
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> Response:
    jeu = await _jeu(request, principal, conn, niveau, code, annee)
    return svg(statistiques.spec_mois(jeu))


@router.get(
    "/listes/{liste_id}/graphique.svg",
    summary="Graphique (SVG) du dernier résultat d'une liste groupée",
    response_class=Response,
)
async def graphique_liste(
    liste_id: uuid.UUID,
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> Response:
    qui = utilisateur(principal)
    liste = await listes.lire(conn, qui, liste_id)
    last = await listes.dernier_resultat(conn, qui, liste)
    spec = statistiques.spec_resultat(last[1], liste.titre) if last else None
    if spec is None:
        return JSONResponse(
            status_code=404,
            content={"detail": "Pas de graphique : exécutez une liste avec un regroupement"},
        )
    return svg(spec)


@router.get(
    "/fiches/{niveau}/{code}.pdf",
    summary="Fiche territoriale (PDF) d'un territoire pour une année",
    response_class=Response,
)
async def fiche(
    request: Request,
    niveau: Niveau,
    code: str,
    annee: int = ANNEE,
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> Response:
    jeu = await _jeu(request, principal, conn, niveau, code, annee)
    contenu = fiches.fiche_pdf(jeu)
    await exports.enregistrer(
        conn, utilisateur(principal), quoi=f"fiche:{niveau}:{code}:{annee}", format="pdf", lignes=0
    )
    return pdf(contenu, f"fiche_{niveau}_{code}_{annee}.pdf")


@router.get(
    "/fiches/publiees",
    response_model=list[publications.FichePubliee],
    summary="Fiches territoriales produites chaque mois (celles du territoire de l'appelant)",
)
async def fiches_publiees(
    response: Response,
    niveau: Literal["departement", "epci"] | None = Query(default=None),
    code: str | None = Query(default=None, min_length=2, max_length=9, pattern=r"^[0-9AB]{2,9}$"),
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> list[publications.FichePubliee]:
    response.headers["Cache-Control"] = "no-store"
    return await publications.lister(conn, utilisateur(principal).perimetre, niveau, code)


@router.get(
    "/fiches/publiees/{niveau}/{code}/{periode}.pdf",
    summary="Une fiche territoriale produite par la tâche planifiée (PDF)",
    response_class=Response,
)
async def fiche_publiee(
    niveau: Literal["departement", "epci"],
    code: str = Path(min_length=2, max_length=9, pattern=r"^[0-9AB]{2,9}$"),
    periode: str = Path(pattern=r"^\d{4}-\d{2}$", description="Dernier mois couvert (AAAA-MM)"),
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> Response:
    qui = utilisateur(principal)
    contenu = await publications.lire(conn, qui.perimetre, niveau, code, periode)
    if contenu is None:
        return JSONResponse(
            status_code=404,
            content={"detail": "Fiche introuvable ou hors de votre territoire"},
        )
    await exports.enregistrer(
        conn, qui, quoi=f"fiche:{niveau}:{code}:{periode}", format="pdf", lignes=0
    )
    return pdf(contenu, f"fiche_{niveau}_{code}_{periode}.pdf")


@router.get(
    "/bilan/{niveau}/{code}.pdf",
    summary="Bilan d'activité (PDF) d'un département ou d'une région, par EPCI ou département",
    response_class=Response,
)
async def bilan(
    request: Request,
    niveau: Literal["departement", "region"],
    code: str,
    annee: int = ANNEE,
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> Response:
    jeu = await _jeu(request, principal, conn, niveau, code, annee)
    sous = []
    if niveau == "region":
        _, depts = indicateurs.territoire(niveau, code)
        for dept in depts:
            sous.append(await _jeu(request, principal, conn, "departement", dept, annee))
    else:
        for siren in indicateurs.epcis_du_departement(code):
            sous.append(await _jeu(request, principal, conn, "epci", siren, annee))
    contenu = fiches.bilan_pdf(jeu, sous, deps_of(request).settings.observatoire_seuil_secret)
    await exports.enregistrer(
        conn, utilisateur(principal), quoi=f"bilan:{niveau}:{code}:{annee}", format="pdf", lignes=0
    )
    return pdf(contenu, f"bilan_{niveau}_{code}_{annee}.pdf")
