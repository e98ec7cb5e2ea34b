"""Charts: Vega-Lite specifications rendered on the server by vl-convert (offline:
the Vega runtime is inside the wheel), to SVG for pages and PNG for PDFs.

A chart never stands alone: pages and PDFs follow it with the same data as a table
with a caption (the accessible form)."""

from __future__ import annotations

from typing import Any

import vl_convert as vlc

FONT = "sans-serif"


def barres(
    titre: str, donnees: list[dict[str, Any]], x: str, y: str, x_titre: str, y_titre: str
) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": titre,
        "description": f"{titre} : diagramme en barres, données dans le tableau qui suit.",
        "width": 480,
        "height": 240,
        "data": {"values": donnees},
        "mark": {"type": "bar", "color": "#3558a2"},
        "encoding": {
            "x": {"field": x, "type": "nominal", "title": x_titre, "sort": None},
            "y": {"field": y, "type": "quantitative", "title": y_titre},
            "tooltip": [{"field": x}, {"field": y}],
        },
        "config": {"font": FONT},
    }


def courbes(
    titre: str, donnees: list[dict[str, Any]], x: str, series: dict[str, str]
) -> dict[str, Any]:
    """One line per series (field → label), folded for Vega-Lite."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": titre,
        "description": f"{titre} : courbes, données dans le tableau qui suit.",
        "width": 480,
        "height": 240,
        "data": {"values": donnees},
        "transform": [
            {"fold": list(series), "as": ["serie", "valeur"]},
            {"calculate": _labels(series), "as": "Série"},
        ],
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": x, "type": "ordinal", "title": "Mois"},
            "y": {"field": "valeur", "type": "quantitative", "title": "Nombre"},
            "color": {"field": "Série", "type": "nominal"},
        },
        "config": {"font": FONT},
    }


def _labels(series: dict[str, str]) -> str:
    expression = "datum.serie"
    for field, label in series.items():
        safe = label.replace("'", "’")
        expression = f"datum.serie === '{field}' ? '{safe}' : ({expression})"
    return expression


def svg(spec: dict[str, Any]) -> str:
    return str(vlc.vegalite_to_svg(spec))


def png(spec: dict[str, Any], scale: float = 2.0) -> bytes:
    return bytes(vlc.vegalite_to_png(spec, scale=scale))
