"""Modifier mes coordonnées (email, téléphone, adresse) of a demande of the logged-in
account: written through the demandes API with the applicant's token (demandes stays the
single writer and validates as for a guichet: same French messages, next to the fields).
The form carries the ETag of the demande as read when it was shown: if the demande
changed meanwhile (a guichet, another session), the change is refused with an
explanation and the form shows the current values (If-Match → 412)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from toit_ui import WebUI

from servicekit.runtime import ServiceRuntime
from toit_portail.entrypoints.espace_commun import (
    Lecture,
    dossier_du_compte,
    erreurs_demandes,
    lire_demande,
    modifier_demande,
    resume,
)

CHAMPS = ("email", "telephone", "ligne1", "ligne2", "code_postal", "commune")
LIBELLES = {
    "email": "Adresse électronique",
    "telephone": "Téléphone",
    "ligne1": "Numéro et voie",
    "ligne2": "Complément d'adresse",
    "code_postal": "Code postal",
    "commune": "Commune",
}
CONFLIT = (
    "Votre demande a été modifiée entre-temps (par un guichet ou depuis une autre "
    "session) : voici vos coordonnées à jour. Refaites votre changement si besoin."
)


def valeurs(demande: dict[str, Any]) -> dict[str, str]:
    """The form's values from demandes' answer."""
    demandeur = demande.get("demandeur") or {}
    adresse = demandeur.get("adresse") or {}
    return {
        "email": demandeur.get("email") or "",
        "telephone": demandeur.get("telephone") or "",
        **{c: adresse.get(c) or "" for c in ("ligne1", "ligne2", "code_postal", "commune")},
    }


def correctif(saisie: dict[str, str], avant: dict[str, str]) -> dict[str, Any]:
    """The JSON merge patch of what changed (an emptied field is removed; the address
    goes as a whole or not at all; a new postcode drops the old INSEE code)."""
    demandeur: dict[str, Any] = {}
    for champ in ("email", "telephone"):
        if saisie[champ] != avant[champ]:
            demandeur[champ] = saisie[champ] or None
    champs_adresse = ("ligne1", "ligne2", "code_postal", "commune")
    if any(saisie[c] != avant[c] for c in champs_adresse):
        if not any(saisie[c] for c in champs_adresse):
            demandeur["adresse"] = None
        else:
            adresse: dict[str, Any] = {c: saisie[c] or None for c in champs_adresse}
            if saisie["code_postal"] != avant["code_postal"]:
                adresse["commune_insee"] = None
            demandeur["adresse"] = adresse
    return {"demandeur": demandeur} if demandeur else {}


def erreurs_api(reponse: Any) -> dict[str, str]:
    """demandes' 422 (field paths like `demandeur.adresse.code_postal`) as form errors."""

    def champ(chemin: str) -> str | None:
        dernier = chemin.split(".")[-1]
        return dernier if dernier in CHAMPS else None

    return erreurs_demandes(reponse, champ)


def formulaire_lu(lue: Lecture) -> dict[str, Any]:
    """The form's context from a read of the demande."""
    v = valeurs(lue.demande or {})
    return {"v": v, "avant": json.dumps(v), "etag": lue.etag}


def routes(ui: WebUI, runtime: ServiceRuntime) -> APIRouter:
    router = ui.router()

    async def verifier(request: Request, demande_id: UUID) -> None:
        await dossier_du_compte(ui, runtime, request, demande_id)

    def page(
        request: Request, demande_id: UUID, ctx: dict[str, Any], status: int = 200
    ) -> Response:
        return ui.render(
            request,
            "portail/coordonnees.html",
            {
                "titre": "Mes coordonnées",
                "demande_id": demande_id,
                "resume": resume(ctx.get("erreurs") or {}, LIBELLES),
                **ctx,
            },
            status_code=status,
        )

    @router.get("/mon-espace/demande/{demande_id}/coordonnees")
    async def formulaire(request: Request, demande_id: UUID) -> Response:
        await verifier(request, demande_id)
        lue = await lire_demande(ui, request, demande_id)
        if lue.demande is None:
            return page(request, demande_id, {"erreurs": {"__all__": lue.refus}}, 503)
        return page(request, demande_id, formulaire_lu(lue))

    @router.post("/mon-espace/demande/{demande_id}/coordonnees", response_model=None)
    async def enregistrer(
        request: Request,
        demande_id: UUID,
        etag: str = Form("", max_length=100),
        avant: str = Form("{}", max_length=4000),
        email: str = Form("", max_length=254),
        telephone: str = Form("", max_length=30),
        ligne1: str = Form("", max_length=200),
        ligne2: str = Form("", max_length=200),
        code_postal: str = Form("", max_length=10),
        commune: str = Form("", max_length=100),
    ) -> Response:
        await verifier(request, demande_id)
        saisie = {
            "email": email.strip(),
            "telephone": telephone.strip(),
            "ligne1": ligne1.strip(),
            "ligne2": ligne2.strip(),
            "code_postal": code_postal.strip(),
            "commune": commune.strip(),
        }
        try:
            lu = json.loads(avant)
        except ValueError:
            lu = {}
        lu = {c: str(lu.get(c) or "") for c in CHAMPS} if isinstance(lu, dict) else {}
        corps = correctif(saisie, lu or dict.fromkeys(CHAMPS, ""))
        if not corps:
            ui.flash(request, "info", "Aucun changement : vos coordonnées sont inchangées.")
            return ui.redirect(f"/mon-espace/demande/{demande_id}")
        envoi = await modifier_demande(ui, request, demande_id, corps, etag)
        if envoi.accepte:
            ui.flash(request, "succes", "Vos coordonnées sont enregistrées sur votre demande.")
            return ui.redirect(f"/mon-espace/demande/{demande_id}")
        if envoi.relue is not None:
            ctx = {**formulaire_lu(envoi.relue), "erreurs": {"__all__": CONFLIT}}
            return page(request, demande_id, ctx, 409)
        return page(
            request,
            demande_id,
            {
                "v": saisie,
                "avant": json.dumps(lu),
                "etag": etag,
                "erreurs": erreurs_api(envoi.reponse),
            },
            422 if envoi.reponse.status_code == 422 else 409,
        )

    return router
