"""Modifier mes ressources: the household's monthly resources (of the demandeur, the
codemandeurs and anyone else of the household), written through the demandes API with the
applicant's token as the contact page does (`espace_commun`: ETag read with the form,
If-Match, demandes' French refusals next to the fields). The applicant owns the field
(`servicekit.authz_fields`: `ressources` is the household's declaration); the list goes
whole, as a JSON merge patch replaces a list. A row left empty is dropped; a blank row is
offered under the typed ones (no JavaScript needed)."""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from toit_ui import WebUI

from servicekit.runtime import ServiceRuntime
from toit_contracts.enums import TypeRessource
from toit_portail.domain import candidature as regles
from toit_portail.entrypoints.espace_commun import (
    Lecture,
    dossier_du_compte,
    erreurs_demandes,
    lire_demande,
    modifier_demande,
    resume,
)

MAX_LIGNES = 30
CONFLIT = (
    "Votre demande a été modifiée entre-temps (par un guichet ou depuis une autre "
    "session) : voici vos ressources à jour. Refaites votre changement si besoin."
)
_CHAMP = re.compile(r"ressources\[([0-9]{1,2})\]\.(personne|type|montant_mensuel)")


def personnes(demande: dict[str, Any]) -> list[tuple[str, str]]:
    """Who a resource may be of: the demandeur, then each person of the household by name."""
    choix = [("demandeur", "Vous")]
    for liste, qui in (
        ("codemandeurs", "codemandeur"),
        ("colocataires", "colocataire"),
        ("occupants", "occupant"),
    ):
        for i, p in enumerate(demande.get(liste) or []):
            nom = p.get("nom_usage") or p.get("nom_naissance") or p.get("nom") or ""
            choix.append((f"{liste}[{i}]", f"{p.get('prenoms', '')} {nom} ({qui})".strip()))
    return choix


def lignes(demande: dict[str, Any]) -> list[dict[str, str]]:
    """The resources as the form shows them (amounts as typed: « 1650 », « 1650.5 »)."""
    return [
        {
            "personne": str(r.get("personne") or ""),
            "type": str(r.get("type") or ""),
            "montant_mensuel": _montant(r.get("montant_mensuel")),
        }
        for r in demande.get("ressources") or []
    ]


def _montant(valeur: Any) -> str:
    texte = "" if valeur is None else str(valeur)
    return texte[:-3] if texte.endswith(".00") else texte


def saisies(champs: list[tuple[str, str]]) -> list[dict[str, str]]:
    """The form's rows (a blank row dropped; a comma accepted as decimal separator)."""
    brut = regles.imbriquer(champs).get("ressources") or []
    rangees: list[dict[str, str]] = []
    for ligne in brut[:MAX_LIGNES] if isinstance(brut, list) else []:
        if not isinstance(ligne, dict) or not ligne:
            continue
        rangees.append(
            {
                "personne": str(ligne.get("personne") or ""),
                "type": str(ligne.get("type") or ""),
                "montant_mensuel": str(ligne.get("montant_mensuel") or "").replace(",", "."),
            }
        )
    return rangees


def correctif(saisie: list[dict[str, str]], avant: list[dict[str, str]]) -> dict[str, Any]:
    """The merge patch: the whole list when it changed, nothing otherwise (a blank field
    is left out: demandes then says it is required, beside it)."""
    if saisie == avant:
        return {}
    return {"ressources": [{k: v for k, v in ligne.items() if v} for ligne in saisie]}


def champ_du_formulaire(chemin: str) -> str | None:
    """demandes' path (`ressources[1].montant_mensuel`) is the form field's name."""
    return chemin if _CHAMP.fullmatch(chemin) else None


def routes(ui: WebUI, runtime: ServiceRuntime) -> APIRouter:
    router = ui.router()
    chemin_page = "/mon-espace/demande/{demande_id}/ressources"

    def page(
        request: Request,
        demande_id: UUID,
        demande: dict[str, Any],
        rangees: list[dict[str, str]],
        avant: list[dict[str, str]],
        etag: str,
        erreurs: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        erreurs = erreurs or {}
        return ui.render(
            request,
            "portail/ressources.html",
            {
                "titre": "Mes ressources",
                "demande_id": demande_id,
                "lignes": rangees + [{}] * regles.LIGNES_VIDES,
                "personnes": personnes(demande) if demande else [],
                "types": list(TypeRessource.labels().items()),
                "avant": json.dumps(avant),
                "etag": etag,
                "erreurs": erreurs,
                "resume": resume(erreurs, {c: regles.libelle(c) for c in erreurs}),
            },
            status_code=status,
        )

    def page_lue(request: Request, demande_id: UUID, lue: Lecture, **kw: Any) -> Response:
        demande = lue.demande or {}
        typees = lignes(demande)
        return page(request, demande_id, demande, typees, typees, lue.etag, **kw)

    @router.get(chemin_page)
    async def formulaire(request: Request, demande_id: UUID) -> Response:
        await dossier_du_compte(ui, runtime, request, demande_id)
        lue = await lire_demande(ui, request, demande_id)
        if lue.demande is None:
            return page(request, demande_id, {}, [], [], "", {"__all__": lue.refus}, 503)
        return page_lue(request, demande_id, lue)

    @router.post(chemin_page, response_model=None)
    async def enregistrer(request: Request, demande_id: UUID) -> Response:
        await dossier_du_compte(ui, runtime, request, demande_id)
        form = await request.form(max_fields=4 * MAX_LIGNES + 6)
        champs = [(k, v) for k, v in form.multi_items() if isinstance(v, str) and len(v) <= 200]
        valeurs = dict(champs)
        etag = valeurs.get("etag", "")[:100]
        try:
            lu = json.loads(valeurs.get("avant", "[]")[:20_000])
        except ValueError:
            lu = []
        avant = lu if isinstance(lu, list) else []
        saisie = saisies(champs)
        corps = correctif(saisie, avant)
        if not corps:
            ui.flash(request, "info", "Aucun changement : vos ressources sont inchangées.")
            return ui.redirect(f"/mon-espace/demande/{demande_id}")
        envoi = await modifier_demande(ui, request, demande_id, corps, etag)
        if envoi.accepte:
            ui.flash(request, "succes", "Vos ressources sont enregistrées sur votre demande.")
            return ui.redirect(f"/mon-espace/demande/{demande_id}")
        if envoi.relue is not None:
            return page_lue(
                request, demande_id, envoi.relue, erreurs={"__all__": CONFLIT}, status=409
            )
        lue = await lire_demande(ui, request, demande_id)
        return page(
            request,
            demande_id,
            lue.demande or {},
            saisie,
            avant,
            etag,
            erreurs_demandes(envoi.reponse, champ_du_formulaire),
            422 if envoi.reponse.status_code == 422 else 409,
        )

    return router
