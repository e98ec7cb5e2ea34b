"""Statistiques dynamiques: charts of results and indicators (Vega-Lite specs),
rendered by adapters.graphiques; the same data always follows as a table."""

from __future__ import annotations

from typing import Any

from toit_observatoire.adapters.graphiques import barres, courbes
from toit_observatoire.domain.resultats import Resultat
from toit_observatoire.service_layer.indicateurs import JeuIndicateurs, Repartition


def spec_resultat(resultat: Resultat, titre: str) -> dict[str, Any] | None:
    """Bars of the count per group (one grouping), stacked by the second grouping."""
    keys = [c for c in resultat.colonnes if c.type not in ("nombre", "pourcentage")]
    if not resultat.groupe or not keys:
        return None
    count = len(keys)  # the first figure is the count
    values = [
        {
            "groupe": str(line[0]) if line[0] is not None else "non renseigné",
            **({"sous_groupe": str(line[1])} if len(keys) == 2 else {}),
            "nombre": line[count],
        }
        for line in resultat.lignes
        if line[count] is not None
    ]
    spec: dict[str, Any] = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": titre,
        "description": f"{titre} : diagramme en barres, données dans le tableau qui suit.",
        "width": 480,
        "height": 240,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "groupe", "type": "nominal", "title": keys[0].libelle, "sort": None},
            "y": {"field": "nombre", "type": "quantitative", "title": "Nombre"},
        },
        "config": {"font": "sans-serif"},
    }
    if len(keys) == 2:
        spec["encoding"]["color"] = {
            "field": "sous_groupe",
            "type": "nominal",
            "title": keys[1].libelle,
        }
    return spec


def spec_mois(jeu: JeuIndicateurs) -> dict[str, Any]:
    return courbes(
        f"Demandes et attributions par mois — {jeu.libelle} {jeu.annee}",
        [{k: v for k, v in m.items() if v is not None or k == "mois"} for m in jeu.par_mois],
        "mois",
        {"nouvelles_demandes": "Nouvelles demandes", "attributions": "Attributions"},
    )


def spec_repartition(rep: Repartition, territoire: str) -> dict[str, Any]:
    return barres(
        f"{rep.libelle} — {territoire}",
        [{"valeur": k, "nombre": n} for k, n in rep.valeurs.items() if n is not None],
        "valeur",
        "nombre",
        rep.libelle,
        "Nombre",
    )
