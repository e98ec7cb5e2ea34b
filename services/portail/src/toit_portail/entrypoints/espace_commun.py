"""What the espace personnel's form pages share: the demande of the logged-in account
(404 otherwise), the error summary of a form, and the edit of the demande through the
demandes API with the applicant's token (read with its ETag, JSON merge patch with
If-Match, a change made meanwhile re-read, demandes' refusals as form errors)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import Request
from starlette.exceptions import HTTPException
from toit_ui import WebUI

from servicekit.runtime import ServiceRuntime
from toit_portail.entrypoints.pages_rattachement import compte_connecte
from toit_portail.service_layer import suivi


async def dossier_du_compte(
    ui: WebUI, runtime: ServiceRuntime, request: Request, demande_id: UUID
) -> suivi.Suivi:
    """The demande's suivi if it is the logged-in account's (404 otherwise)."""
    compte = await compte_connecte(ui, request)
    async with runtime.db.session() as session:
        trouve = await suivi.suivi(session, demande_id, compte)
    if trouve is None:
        raise HTTPException(404)
    return trouve


def resume(erreurs: dict[str, str], libelles: dict[str, str]) -> list[dict[str, str]]:
    """The summary at the top of a form: each field's error with its label."""
    return [
        {"champ": c, "message": m, "libelle": libelles.get(c, "")}
        for c, m in erreurs.items()
        if c != "__all__"
    ]


MERGE_PATCH = "application/merge-patch+json"


def detail(reponse: Any) -> str:
    """demandes' refusal as one French sentence."""
    try:
        corps = reponse.json()
    except ValueError:
        corps = {}
    erreurs = corps.get("erreurs") if isinstance(corps, dict) else None
    if erreurs:
        return "; ".join(str(e.get("message")) for e in erreurs)
    detail = corps.get("detail") if isinstance(corps, dict) else None
    return detail if isinstance(detail, str) else "Le changement n'a pas pu être enregistré."


def erreurs_demandes(
    reponse: Any, champ_du_formulaire: Callable[[str], str | None]
) -> dict[str, str]:
    """demandes' 422 (field paths like `ressources[0].montant_mensuel`) as form errors:
    beside the field the path maps to, else at the top (`__all__`)."""
    try:
        corps = reponse.json()
    except ValueError:
        corps = {}
    erreurs: dict[str, str] = {}
    for item in (corps.get("erreurs") if isinstance(corps, dict) else None) or []:
        champ = champ_du_formulaire(str(item.get("champ") or "")) or "__all__"
        message = str(item.get("message") or "Valeur invalide")
        if champ == "__all__" and "__all__" in erreurs:
            message = f"{erreurs['__all__']} ; {message}"
        erreurs[champ] = message
    return erreurs or {"__all__": detail(reponse)}


@dataclass
class Lecture:
    """The demande as demandes answers it, with its ETag (None: unreadable, `refus` says why)."""

    demande: dict[str, Any] | None
    etag: str = ""
    refus: str = ""


async def lire_demande(ui: WebUI, request: Request, demande_id: UUID) -> Lecture:
    api = await ui.gateway.api(request)
    lue = await api.get(f"/api/demandes/{demande_id}")
    if lue.status_code != 200:
        return Lecture(None, refus=detail(lue))
    return Lecture(lue.json(), lue.headers.get("etag", ""))


@dataclass
class Envoi:
    """What demandes answered a merge patch: accepted, or refused (`reponse`), or changed
    meanwhile (`relue`: the current demande and its ETag, to show again)."""

    accepte: bool
    reponse: Any
    relue: Lecture | None = None


async def modifier_demande(
    ui: WebUI, request: Request, demande_id: UUID, correctif: dict[str, Any], etag: str
) -> Envoi:
    """The JSON merge patch sent with the applicant's token and the ETag read with the form."""
    api = await ui.gateway.api(request)
    reponse = await api.patch(
        f"/api/demandes/{demande_id}",
        content=json.dumps(correctif),
        headers={"Content-Type": MERGE_PATCH, "If-Match": etag},
    )
    if reponse.status_code == 200:
        return Envoi(True, reponse)
    if reponse.status_code in (412, 428):
        relue = await lire_demande(ui, request, demande_id)
        if relue.demande is not None:
            return Envoi(False, reponse, relue)
    return Envoi(False, reponse)
