"""Favourites of a professional: demandes and lists pinned on their home page (pure)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# A home page, not a bookmark manager.
NOMBRE_MAX = 30
# A list is a page of the espace professionnel, by its relative address: a path and a
# query string of plain characters, never another site ("//…", "http:…").
_CHEMIN = re.compile(r"^/(?!/)[A-Za-z0-9/_.~-]*(\?[A-Za-z0-9_.~%=&+-]*)?$")


class TypeFavori(StrEnum):
    DEMANDE = "DEMANDE"
    LISTE = "LISTE"


@dataclass(frozen=True)
class Favori:
    id: str
    compte_id: str
    type: TypeFavori
    cible: str
    libelle: str
    cree_le: datetime


def erreurs_favori(type_: TypeFavori, cible: str, libelle: str) -> list[tuple[str, str]]:
    erreurs: list[tuple[str, str]] = []
    if not libelle.strip():
        erreurs.append(("libelle", "le libellé est obligatoire"))
    if type_ == TypeFavori.DEMANDE:
        try:
            uuid.UUID(cible)
        except ValueError:
            erreurs.append(("cible", "identifiant de demande attendu"))
    elif not _CHEMIN.match(cible):
        erreurs.append(("cible", "adresse d'une page de l'espace professionnel attendue"))
    return erreurs
