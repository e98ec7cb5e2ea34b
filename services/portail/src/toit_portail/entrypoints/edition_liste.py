"""A list of the demande the applicant edits online, one row per item (resources, persons
of the household), written through the demandes API with the applicant's token as the
contact page does (`espace_commun`: ETag read with the form, If-Match, a change made
meanwhile re-read, demandes' French refusals next to the fields). The list goes whole (a
JSON merge patch replaces a list), only when it changed. The form's fields are named as
demandes' paths (`ressources[1].montant_mensuel`), so a refusal lands beside its field.
A blank row is offered under the typed ones (no JavaScript); a row left empty is dropped."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from toit_ui import WebUI

from servicekit.runtime import ServiceRuntime
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


@dataclass(frozen=True)
class Liste:
    rubrique: str  # the demande's field (a list) and the form's name prefix
    chemin: str  # /mon-espace/demande/{id}/<chemin>
    titre: str
    template: str
    enregistre: str  # the flash once saved
    inchange: str  # the flash when nothing changed
    conflit: str  # the explanation of a change made meanwhile
    champs: tuple[str, ...]  # text and choice fields of a row
    booleens: tuple[str, ...] = ()  # checkboxes of a row
    lus: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    saisis: Mapping[str, Callable[[str], str]] = field(default_factory=dict)
    contexte: Callable[[dict[str, Any]], dict[str, Any]] = lambda demande: {}

    def lignes(self, demande: dict[str, Any]) -> list[dict[str, str]]:
        """The list as the form shows it (a checkbox: « oui » or "")."""
        rangees = []
        for item in demande.get(self.rubrique) or []:
            rangee = {c: self.lus.get(c, _texte)(item.get(c)) for c in self.champs}
            rangee.update({b: regles.VRAI if item.get(b) else "" for b in self.booleens})
            rangees.append(rangee)
        return rangees

    def saisies(self, champs: list[tuple[str, str]]) -> list[dict[str, str]]:
        """The form's rows, as typed (a blank row dropped)."""
        brut = regles.imbriquer(champs).get(self.rubrique) or []
        rangees: list[dict[str, str]] = []
        for ligne in brut[:MAX_LIGNES] if isinstance(brut, list) else []:
            if not isinstance(ligne, dict) or not ligne:
                continue
            rangee = {c: self.saisis.get(c, str)(str(ligne.get(c) or "")) for c in self.champs}
            rangee.update({b: regles.VRAI if ligne.get(b) is True else "" for b in self.booleens})
            rangees.append(rangee)
        return rangees

    def correctif(self, saisie: list[dict[str, str]], avant: Any) -> dict[str, Any]:
        """The merge patch: the whole list when it changed, nothing otherwise (a blank field
        is left out: demandes then says it is required, beside it)."""
        if saisie == avant:
            return {}
        items = [
            {
                **{c: v for c, v in ligne.items() if v and c in self.champs},
                **{b: ligne.get(b) == regles.VRAI for b in self.booleens},
            }
            for ligne in saisie
        ]
        return {self.rubrique: items}

    def champ_du_formulaire(self, chemin: str) -> str | None:
        """demandes' path (`ressources[1].montant_mensuel`) is the form field's name."""
        motif = rf"{self.rubrique}\[[0-9]{{1,2}}\]\.({'|'.join(self.champs + self.booleens)})"
        return chemin if re.fullmatch(motif, chemin) else None


def _texte(valeur: Any) -> str:
    return "" if valeur is None else str(valeur)


def routes(ui: WebUI, runtime: ServiceRuntime, liste: Liste) -> APIRouter:
    router = ui.router()
    chemin_page = f"/mon-espace/demande/{{demande_id}}/{liste.chemin}"

    def page(
        request: Request,
        demande_id: UUID,
        demande: dict[str, Any] | None,
        rangees: list[dict[str, str]],
        avant: Any,
        etag: str,
        erreurs: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        erreurs = erreurs or {}
        return ui.render(
            request,
            liste.template,
            {
                "titre": liste.titre,
                "demande_id": demande_id,
                "lue": demande is not None,
                "lignes": rangees + [{}] * regles.LIGNES_VIDES,
                "avant": json.dumps(avant),
                "etag": etag,
                "erreurs": erreurs,
                "resume": resume(erreurs, {c: regles.libelle(c) for c in erreurs}),
                **(liste.contexte(demande) if demande is not None else {}),
            },
            status_code=status,
        )

    def page_lue(request: Request, demande_id: UUID, lue: Lecture, **kw: Any) -> Response:
        demande = lue.demande or {}
        typees = liste.lignes(demande)
        return page(request, demande_id, demande, typees, typees, lue.etag, **kw)

    @router.get(chemin_page)
    async def formulaire(request: Request, demande_id: UUID) -> Response:
        await dossier_du_compte(ui, runtime, request, demande_id)
        lue = await lire_demande(ui, request, demande_id)
        if lue.demande is None:
            return page(request, demande_id, None, [], [], "", {"__all__": lue.refus}, 503)
        return page_lue(request, demande_id, lue)

    @router.post(chemin_page, response_model=None)
    async def enregistrer(request: Request, demande_id: UUID) -> Response:
        await dossier_du_compte(ui, runtime, request, demande_id)
        taille = len(liste.champs) + len(liste.booleens)
        form = await request.form(max_fields=taille * (MAX_LIGNES + 1) + 6)
        champs = [(k, v) for k, v in form.multi_items() if isinstance(v, str) and len(v) <= 200]
        valeurs = dict(champs)
        etag = valeurs.get("etag", "")[:100]
        try:
            avant = json.loads(valeurs.get("avant", "[]")[:50_000])
        except ValueError:
            avant = []
        saisie = liste.saisies(champs)
        corps = liste.correctif(saisie, avant)
        if not corps:
            ui.flash(request, "info", liste.inchange)
            return ui.redirect(f"/mon-espace/demande/{demande_id}")
        envoi = await modifier_demande(ui, request, demande_id, corps, etag)
        if envoi.accepte:
            ui.flash(request, "succes", liste.enregistre)
            return ui.redirect(f"/mon-espace/demande/{demande_id}")
        if envoi.relue is not None:
            erreurs = {"__all__": liste.conflit}
            return page_lue(request, demande_id, envoi.relue, erreurs=erreurs, status=409)
        lue = await lire_demande(ui, request, demande_id)
        return page(
            request,
            demande_id,
            lue.demande or {},
            saisie,
            avant,
            etag,
            erreurs_demandes(envoi.reponse, liste.champ_du_formulaire),
            422 if envoi.reponse.status_code == 422 else 409,
        )

    return router
