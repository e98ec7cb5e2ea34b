"""Modifier la composition de mon ménage: the other persons who will live in the home
(`occupants`: children, relatives, others; whether each is à charge), one row per person
(`edition_liste`: through the demandes API with the applicant's token, like the contact
page). The applicant owns the field (`servicekit.authz_fields`: `occupants` is the
household's declaration). The codemandeurs and colocataires (identity, NIR) are changed
at a guichet."""

from __future__ import annotations

from fastapi import APIRouter
from toit_ui import WebUI

from servicekit.runtime import ServiceRuntime
from toit_contracts.enums import LienParente
from toit_portail.entrypoints import edition_liste

COMPOSITION = edition_liste.Liste(
    rubrique="occupants",
    chemin="composition",
    titre="La composition de mon ménage",
    template="portail/composition.html",
    enregistre="La composition de votre ménage est enregistrée sur votre demande.",
    inchange="Aucun changement : la composition de votre ménage est inchangée.",
    conflit="Votre demande a été modifiée entre-temps (par un guichet ou depuis une autre "
    "session) : voici la composition à jour. Refaites votre changement si besoin.",
    champs=("prenoms", "nom", "date_naissance", "sexe", "lien"),
    booleens=("a_charge", "garde_alternee", "droit_visite"),
    contexte=lambda demande: {
        "liens": list(LienParente.labels().items()),
        "sexes": [("F", "Féminin"), ("M", "Masculin")],
    },
)


def routes(ui: WebUI, runtime: ServiceRuntime) -> APIRouter:
    return edition_liste.routes(ui, runtime, COMPOSITION)
