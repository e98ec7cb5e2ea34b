"""Offer screens of the espace professionnel: the offers and their deadlines, and for one
offer the household's answer recorded by the bailleur's agent (acceptance, or refusal with
its motive), the missing pièce produced, and the lease signature that pronounces the
attribution. Forms post to the public API through the gateway; no JavaScript needed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from toit_ui import WebUI

from toit_contracts.events.attributions import MotifRefusOffre

# The motives a household gives; the two the daily job records itself are not offered.
MOTIFS_REFUS = [
    (m.value, m.label)
    for m in MotifRefusOffre
    if m not in (MotifRefusOffre.ABSENCE_DE_REPONSE, MotifRefusOffre.CONDITION_NON_LEVEE)
]
ETATS = {
    "EMISE": "en attente de réponse",
    "ACCEPTEE": "acceptée",
    "REFUSEE": "refusée",
    "BAIL_SIGNE": "bail signé",
}

Page = Callable[..., HTMLResponse]
Refus = Callable[[Request, Any, str], Awaitable[Response]]
Envoyer = Callable[..., Awaitable[Response]]  # web/caleol.py: POST, then back with a flash


def ajouter_pages_offres(
    ui: WebUI, router: APIRouter, page: Page, refus: Refus, envoyer: Envoyer
) -> None:
    async def offres_visibles(request: Request) -> list[dict[str, Any]]:
        api = await ui.gateway.api(request)
        r = await api.get("/api/matching/offres")
        return list(r.json()) if r.status_code == 200 else []

    @router.get("/offres", response_class=HTMLResponse)
    async def offres(request: Request) -> HTMLResponse:
        return page(
            request, "offres.html", "Offres", offres=await offres_visibles(request), etats=ETATS
        )

    @router.get("/offres/{offre_id}", response_class=HTMLResponse)
    async def offre(request: Request, offre_id: str) -> Response:
        o = next((x for x in await offres_visibles(request) if x["id"] == offre_id), None)
        if o is None:
            return ui.error_page(request, 404, "Offre introuvable", "Offre introuvable")
        return page(
            request,
            "offre.html",
            "Offre",
            o=o,
            etats=ETATS,
            motifs=MOTIFS_REFUS,
            aujourd_hui=date.today().isoformat(),
        )

    @router.post("/offres/{offre_id}/reponse", response_class=HTMLResponse)
    async def repondre(request: Request, offre_id: str) -> Response:
        api = await ui.gateway.api(request)
        f = await request.form()
        retour = f"/matching/offres/{offre_id}"
        accepte = f.get("reponse") == "ACCEPTE"
        if f.get("reponse") not in ("ACCEPTE", "REFUSE"):
            ui.flash(request, "erreur", "reponse : choisissez acceptation ou refus")
            return ui.redirect(retour)
        r = await api.post(
            f"/api/matching/offres/{offre_id}/reponse",
            json={
                "accepte": accepte,
                "motif": None if accepte else (str(f.get("motif") or "") or None),
                "precision": str(f.get("precision") or "").strip()[:500] or None,
                "date_reponse": str(f.get("date_reponse") or ""),
            },
        )
        if r.status_code != 200:
            return await refus(request, r, retour)
        if accepte:
            ui.flash(request, "succes", "Acceptation enregistrée : le bail peut être signé")
        else:
            suivante = r.json().get("suivante")
            ui.flash(
                request,
                "succes",
                f"Refus enregistré ; l'offre part au rang {suivante['rang']}"
                if suivante
                else "Refus enregistré ; plus de rang : le logement revient au réservataire",
            )
        return ui.redirect(retour)

    @router.post("/offres/{offre_id}/condition-levee", response_class=HTMLResponse)
    async def lever(request: Request, offre_id: str) -> Response:
        return await envoyer(
            request,
            f"/api/matching/offres/{offre_id}/condition-levee",
            None,
            attendu=200,
            retour=f"/matching/offres/{offre_id}",
            succes="Pièce produite : la condition suspensive est levée",
        )

    @router.post("/offres/{offre_id}/bail", response_class=HTMLResponse)
    async def bail(request: Request, offre_id: str) -> Response:
        f = await request.form()
        corps = {
            "date_signature": str(f.get("date_signature") or ""),
            "mutation_interne": f.get("mutation_interne") == "oui",
            "accord_collectif": f.get("accord_collectif") == "oui",
            "bailleur_siren": str(f.get("bailleur_siren") or "").strip() or None,
        }
        return await envoyer(
            request,
            f"/api/matching/offres/{offre_id}/bail",
            corps,
            attendu=201,
            retour=f"/matching/offres/{offre_id}",
            succes="Bail signé : attribution prononcée, la demande sera radiée",
        )
