"""JSON merge patch (RFC 7396)."""

from __future__ import annotations

from typing import Any


def appliquer(cible: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    resultat = dict(cible) if isinstance(cible, dict) else {}
    for cle, valeur in patch.items():
        if valeur is None:
            resultat.pop(cle, None)
        else:
            resultat[cle] = appliquer(resultat.get(cle), valeur)
    return resultat
