"""Pièces justificatives: upload, preview, validate or refuse with a motif, download
(each download is traced by the demandes service)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from toit_ui import WebUI

from toit_espace_pro.pages.commun import refus

TAILLE_MAX = 10 * 1024 * 1024


def routes(ui: WebUI) -> APIRouter:
    router = ui.router(prefix="/demandes/{demande_id}/pieces")

    @router.post("", response_model=None)
    async def deposer(
        request: Request,
        demande_id: UUID,
        type: str = Form("", max_length=64),
        personne: str = Form("", max_length=20),
        fichier: UploadFile | None = File(None),
    ) -> Response:
        api = await ui.gateway.api(request)
        problemes = []
        if not type:
            problemes.append("choisissez le type de pièce")
        contenu = await fichier.read(TAILLE_MAX + 1) if fichier is not None else b""
        if not contenu:
            problemes.append("choisissez le fichier à déposer (PDF, JPEG ou PNG)")
        if problemes:
            for probleme in problemes:
                ui.flash(request, "erreur", f"Pièce non déposée : {probleme}.")
            return ui.redirect(f"/demandes/{demande_id}/pieces")
        assert fichier is not None
        reponse = await api.post(
            f"/api/demandes/{demande_id}/pieces",
            data={"type": type, **({"personne": personne} if personne else {})},
            files={
                "fichier": (
                    fichier.filename or "piece",
                    contenu,
                    fichier.content_type or "application/octet-stream",
                )
            },
        )
        if reponse.status_code in (413, 415, 422):
            body = reponse.json()
            erreurs = body.get("erreurs") or [{"message": body.get("detail", "fichier refusé")}]
            for e in erreurs:
                ui.flash(request, "erreur", f"Pièce non déposée : {e['message']}.")
            return ui.redirect(f"/demandes/{demande_id}/pieces")
        if reponse.status_code != 201:
            return refus(ui, request, reponse)
        ui.flash(request, "succes", f"Pièce déposée : {reponse.json()['nom_fichier']}.")
        return ui.redirect(f"/demandes/{demande_id}/pieces")

    @router.post("/{piece_id}/decision", response_model=None)
    async def decider(
        request: Request,
        demande_id: UUID,
        piece_id: UUID,
        statut: str = Form("", max_length=20),
        motif: str = Form("", max_length=500),
    ) -> Response:
        api = await ui.gateway.api(request)
        if statut == "REFUSEE" and not motif.strip():
            ui.flash(request, "erreur", "Pour refuser une pièce, indiquez le motif du refus.")
            return ui.redirect(f"/demandes/{demande_id}/pieces")
        reponse = await api.post(
            f"/api/demandes/{demande_id}/pieces/{piece_id}/decision",
            json={"statut": statut, "motif": motif.strip() or None},
        )
        if reponse.status_code in (409, 422):
            body = reponse.json()
            ui.flash(request, "erreur", f"Décision refusée : {body.get('detail')}")
            return ui.redirect(f"/demandes/{demande_id}/pieces")
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        ui.flash(
            request,
            "succes",
            "Pièce validée." if statut == "VALIDEE" else "Pièce refusée : le motif est enregistré.",
        )
        return ui.redirect(f"/demandes/{demande_id}/pieces")

    @router.get("/{piece_id}/fichier", response_model=None)
    async def telecharger(
        request: Request, demande_id: UUID, piece_id: UUID, apercu: bool = Query(False)
    ) -> Response:
        api = await ui.gateway.api(request)
        reponse = await api.get(f"/api/demandes/{demande_id}/pieces/{piece_id}/fichier")
        if reponse.status_code != 200:
            return refus(ui, request, reponse)
        media_type = reponse.headers.get("content-type", "application/octet-stream")
        disposition = "inline" if apercu else "attachment"
        return Response(
            reponse.content,
            media_type=media_type,
            headers={"Content-Disposition": f'{disposition}; filename="piece-{piece_id}"'},
        )

    return router
