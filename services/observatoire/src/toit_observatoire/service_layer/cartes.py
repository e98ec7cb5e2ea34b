"""Maps of the indicators by territory: one figure per département of the caller's
territory (demandes en cours now, or attributions of a year), small cells masked,
drawn by adapters.carte; the same figures are returned as a table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from toit_referentiel import departements

from toit_observatoire.adapters import carte, tables
from toit_observatoire.adapters.requetes_sql import perimetre_table
from toit_observatoire.domain.perimetre import Perimetre
from toit_observatoire.domain.secret import masquer
from toit_observatoire.service_layer.indicateurs import ACTIFS

Indicateur = Literal["demandes_en_cours", "attributions"]
LIBELLES: dict[str, tuple[str, str]] = {
    "demandes_en_cours": ("Demandes en cours par département", "demandes en cours"),
    "attributions": ("Attributions par département", "attributions"),
}


@dataclass(frozen=True)
class Carte:
    titre: str
    unite: str
    zones: list[carte.Zone]
    masquees: int

    def svg(self) -> str:
        return carte.svg(self.titre, self.unite, self.zones)


async def par_departement(
    conn: AsyncConnection, indicateur: Indicateur, annee: int, perimetre: Perimetre, seuil: int
) -> Carte:
    """The figure per département of the shared files the caller may read."""
    titre, unite = LIBELLES[indicateur]
    if indicateur == "demandes_en_cours":
        t = tables.rm_demande
        where = [t.c.statut.in_(ACTIFS)]
    else:
        t = tables.rm_attribution
        where = [t.c.date_attribution.between(date(annee, 1, 1), date(annee, 12, 31))]
        titre = f"{titre} en {annee}"
    rows = await conn.execute(
        sa.select(t.c.departement, sa.func.count())
        .where(*where, *perimetre_table(t, perimetre))
        .group_by(t.c.departement)
    )
    counts = {code: n for code, n in rows.all()}
    visibles = [d for d in departements() if perimetre.tout or d.code in perimetre.departements]
    cells = {(d.code,): counts.get(d.code, 0) for d in visibles}
    hidden = masquer(cells, seuil)
    zones = [
        carte.Zone(d.code, d.nom, None if (d.code,) in hidden else counts.get(d.code, 0))
        for d in visibles
    ]
    return Carte(titre, unite, zones, len(hidden))
