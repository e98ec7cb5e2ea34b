"""Import and export of grid definitions as JSON or YAML documents.

YAML is read with the safe loader only: a document is data, never code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

import yaml

from toit_cotation.domain.grille import GrilleDefinition, GrilleInvalide, lire_definition

Format = Literal["json", "yaml"]


def exporter(definition: GrilleDefinition, format: Format) -> str:
    data = _nombres(definition.model_dump(mode="python", exclude_none=True))
    if format == "json":
        return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


def importer(
    texte: str | bytes,
    format: Format,
    lire_yaml: Callable[[str | bytes], Any] = yaml.safe_load,
) -> GrilleDefinition:
    """`lire_yaml`: the YAML reader; the HTTP entrypoint passes one that bounds the
    document's depth before building it (servicekit.input_guard.load_yaml)."""
    try:
        data = json.loads(texte) if format == "json" else lire_yaml(texte)
    except (ValueError, yaml.YAMLError, RecursionError) as exc:
        ligne = getattr(getattr(exc, "problem_mark", None), "line", None)
        if ligne is None:
            ligne = getattr(exc, "lineno", None)
        ou = f" (ligne {ligne + (0 if format == 'json' else 1)})" if ligne is not None else ""
        message = f"document {format.upper()} illisible{ou}"
        if isinstance(exc, RecursionError):
            message = f"document {format.upper()} trop imbriqué"
        elif ligne is None and str(exc):
            message = f"document {format.upper()} refusé : {exc}"
        raise GrilleInvalide(
            [{"loc": ("document",), "msg": message, "type": "document_illisible"}]
        ) from None
    if not isinstance(data, dict):
        raise GrilleInvalide(
            [
                {
                    "loc": ("document",),
                    "msg": "le document doit décrire une grille "
                    "(un objet avec epci, libelle, criteres…)",
                    "type": "document_illisible",
                }
            ]
        )
    return lire_definition(data)


def _nombres(value: Any) -> Any:
    """Decimals as plain numbers (5, 0.5), dates as ISO strings, enums as their code."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): _nombres(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nombres(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    return value
