"""Modifier mes ressources: the household's monthly resources (of the demandeur, the
codemandeurs and anyone else of the household), one row per resource
(`edition_liste`: through the demandes API with the applicant's token, like the contact
page). The applicant owns the field (`servicekit.authz_fields`: `ressources` is the
household's declaration)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from toit_ui import WebUI

from servicekit.runtime import ServiceRuntime
from toit_contracts.enums import TypeRessource
from toit_portail.entrypoints import edition_liste


def personnes(demande: dict[str, Any]) -> list[tuple[str, str]]:
    """Who a resource may be of: the demandeur, then each person of the household by name."""
    choix = [("demandeur", "Vous")]
    for rubrique, qui in (
        ("codemandeurs", "codemandeur"),
        ("colocataires", "colocataire"),
        ("occupants", "occupant"),
    ):
        for i, p in enumerate(demande.get(rubrique) or []):
            nom = p.get("nom_usage") or p.get("nom_naissance") or p.get("nom") or ""
            choix.append((f"{rubrique}[{i}]", f"{p.get('prenoms', '')} {nom} ({qui})".strip()))
    return choix


def _montant_lu(valeur: Any) -> str:
    texte = "" if valeur is None else str(valeur)
    return texte[:-3] if texte.endswith(".00") else texte


RESSOURCES = edition_liste.Liste(
    rubrique="ressources",
    chemin="ressources",
    titre="Mes ressources",
    template="portail/ressources.html",
    enregistre="Vos ressources sont enregistrées sur votre demande.",
    inchange="Aucun changement : vos ressources sont inchangées.",
    conflit="Votre demande a été modifiée entre-temps (par un guichet ou depuis une autre "
    "session) : voici vos ressources à jour. Refaites votre changement si besoin.",
    champs=("personne", "type", "montant_mensuel"),
    lus={"montant_mensuel": _montant_lu},
    saisis={"montant_mensuel": lambda texte: texte.replace(",", ".")},
    contexte=lambda demande: {
        "personnes": personnes(demande),
        "types": list(TypeRessource.labels().items()),
    },
)


def routes(ui: WebUI, runtime: ServiceRuntime) -> APIRouter:
    return edition_liste.routes(ui, runtime, RESSOURCES)
