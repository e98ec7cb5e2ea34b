"""Form helpers shared by every screen package: the API's refusals as form errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def erreurs_api(body: Any, libelles: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """The API's 422 `erreurs` (or a 4xx `detail`) as the error summary's entries
    (`ui.error_summary`): {"champ", "message", "libelle"}."""
    items = body.get("erreurs") if isinstance(body, dict) else None
    if not isinstance(items, list):
        detail = body.get("detail") if isinstance(body, dict) else None
        return [{"champ": "requete", "message": str(detail or "Données invalides")}]
    out = []
    for item in items:
        champ = str(item.get("champ", "requete"))
        out.append(
            {
                "champ": champ,
                "message": str(item.get("message", "")),
                "libelle": (libelles or {}).get(champ, champ),
            }
        )
    return out


def liste(texte: str) -> list[str]:
    """A comma- or semicolon-separated input as a list of trimmed values."""
    return [v.strip() for v in texte.replace(";", ",").split(",") if v.strip()]
