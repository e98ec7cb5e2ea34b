"""Mes documents: the household deposits any pièce of the catalogue on its demande and
downloads those of the dossier, through the demandes API with its token (demandes stores
the files and stays the single writer). The list and each pièce's state come from the
portail's read model (`demande.piece_deposee`, `demande.piece_statuee`). The file is
checked here first (PDF, JPEG or PNG by content, 5 Mo, not empty: nothing is sent
otherwise), then by demandes (same French messages as at a guichet)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import toit_referentiel as referentiel
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from toit_ui import WebUI

from servicekit.runtime import ServiceRuntime
from toit_portail.adapters import attestation
from toit_portail.domain import candidature as regles
from toit_portail.entrypoints.espace_commun import detail as _detail
from toit_portail.entrypoints.espace_commun import dossier_du_compte, resume
from toit_portail.entrypoints.pages_candidature import aujourd_hui
from toit_portail.entrypoints.pages_suivi import libelle_piece
from toit_portail.service_layer import suivi

PERSONNES = [
    ("demandeur", "Moi (demandeur)"),
    ("codemandeurs[0]", "Mon conjoint ou codemandeur"),
]
LIBELLES = {"type_piece": "Type de pièce", "personne": "Personne", "fichier": "Fichier"}
CHAMPS_API = {"type": "type_piece", "personne": "personne", "fichier": "fichier"}


def types_de_piece() -> list[tuple[str, str]]:
    return [(t.code, t.libelle) for t in referentiel.pieces_catalogue()]


def refus(type_piece: str, contenu: bytes) -> dict[str, str]:
    """Why the upload is refused before it leaves the portail (empty: it may go)."""
    erreurs = {
        k: v
        for k, v in regles.refus_du_fichier(contenu, regles.TYPES_PIECE_IDENTITE[0]).items()
        if k == "fichier"
    }
    if type_piece not in dict(types_de_piece()):
        erreurs["type_piece"] = "choisissez le type de pièce"
    return erreurs


def routes(ui: WebUI, runtime: ServiceRuntime) -> APIRouter:
    router = ui.router()

    async def vue(request: Request, demande_id: UUID) -> suivi.Suivi:
        return await dossier_du_compte(ui, runtime, request, demande_id)

    def page(
        request: Request, dossier: suivi.Suivi, ctx: dict[str, Any], status: int = 200
    ) -> Response:
        return ui.render(
            request,
            "portail/documents.html",
            {
                "titre": "Mes documents",
                "suivi": dossier,
                "demande_id": dossier.demande.demande_id,
                "types": types_de_piece(),
                "personnes": PERSONNES,
                "libelle_piece": libelle_piece,
                "resume": resume(ctx.get("erreurs") or {}, LIBELLES),
                **ctx,
            },
            status_code=status,
        )

    @router.get("/mon-espace/demande/{demande_id}/documents")
    async def documents(request: Request, demande_id: UUID) -> Response:
        return page(request, await vue(request, demande_id), {})

    @router.post("/mon-espace/demande/{demande_id}/documents", response_model=None)
    async def deposer(request: Request, demande_id: UUID) -> Response:
        dossier = await vue(request, demande_id)
        form = await request.form(max_fields=20, max_files=1)
        fichier = form.get("fichier")
        type_piece = str(form.get("type_piece") or "")[:64]
        personne = str(form.get("personne") or "")[:30]
        contenu, nom = b"", "piece"
        if isinstance(fichier, UploadFile):
            contenu = await fichier.read(regles.TAILLE_MAX + 1)
            nom = (fichier.filename or "piece")[:120]
        saisie = {"type_piece": type_piece, "personne": personne}
        erreurs = refus(type_piece, contenu)
        if erreurs:
            return page(request, dossier, {"erreurs": erreurs, **saisie}, 400)
        api = await ui.gateway.api(request)
        donnees = {"type": type_piece, **({"personne": personne} if personne else {})}
        media = regles.type_de_contenu(contenu) or "application/octet-stream"
        reponse = await api.post(
            f"/api/demandes/{demande_id}/pieces",
            data=donnees,
            files={"fichier": (nom, contenu, media)},
        )
        if reponse.status_code == 201:
            ui.flash(
                request,
                "succes",
                f"Pièce déposée : {libelle_piece(type_piece)}. Elle sera vérifiée par un "
                "instructeur ; son état s'affiche ici.",
            )
            return ui.redirect(f"/mon-espace/demande/{demande_id}/documents")
        try:
            corps = reponse.json()
        except ValueError:
            corps = {}
        refusee: dict[str, str] = {}
        for item in (corps.get("erreurs") if isinstance(corps, dict) else None) or []:
            champ = CHAMPS_API.get(str(item.get("champ") or "").split(".")[-1], "__all__")
            refusee[champ] = str(item.get("message") or "Valeur invalide")
        statut = 400 if reponse.status_code < 500 else 503
        erreurs = refusee or {"__all__": _detail(reponse)}
        return page(request, dossier, {"erreurs": erreurs, **saisie}, statut)

    @router.get("/mon-espace/demande/{demande_id}/documents/{piece_id}", response_model=None)
    async def telecharger(request: Request, demande_id: UUID, piece_id: UUID) -> Response:
        dossier = await vue(request, demande_id)
        if not any(p["piece_id"] == piece_id for p in dossier.pieces):
            raise HTTPException(404)
        api = await ui.gateway.api(request)
        reponse = await api.get(f"/api/demandes/{demande_id}/pieces/{piece_id}/fichier")
        if reponse.status_code != 200:
            raise HTTPException(404 if reponse.status_code < 500 else 503)
        media = reponse.headers.get("content-type", "application/octet-stream")
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
        nom = f"piece-{piece_id}.{extension.get(media, 'bin')}"
        return Response(
            reponse.content,
            media_type=media,
            headers={
                "Content-Disposition": f'attachment; filename="{nom}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @router.get("/mon-espace/demande/{demande_id}/attestation", response_model=None)
    async def attestation_pdf(request: Request, demande_id: UUID) -> Response:
        """The attestation d'enregistrement (once the demande has its numéro unique)."""
        dossier = await vue(request, demande_id)
        d = dossier.demande
        if not d.numero_unique:
            raise HTTPException(404)
        api = await ui.gateway.api(request)
        lue = await api.get(f"/api/demandes/{demande_id}")
        if lue.status_code != 200:
            raise HTTPException(503)
        corps = lue.json()
        personne = (corps.get("demandeur") or {}) if isinstance(corps, dict) else {}
        nom = " ".join(
            str(p)
            for p in (
                personne.get("prenoms"),
                personne.get("nom_usage") or personne.get("nom_naissance"),
            )
            if p
        )
        fiche = referentiel.departement(d.departement)
        contenu = attestation.pdf(
            attestation.Attestation(
                numero_unique=d.numero_unique,
                departement=f"{fiche.nom} ({d.departement})" if fiche else d.departement,
                demandeur=nom or "—",
                date_depot=d.date_depot_initial,
                date_enregistrement=d.date_enregistrement,
                date_expiration=d.date_expiration,
                pieces=[libelle_piece(p["type_piece"]) for p in dossier.pieces],
                editee_le=aujourd_hui(),
            )
        )
        return Response(
            contenu,
            media_type="application/pdf",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="attestation-{d.numero_unique}.pdf"'
                ),
                "Cache-Control": "no-store",
            },
        )

    return router
