"""Maps of the indicators by territory: one figure per département of the caller's
territory, or per commune or EPCI of one département (demandes en cours now, or
attributions of a year), small cells masked with their secondary cells, drawn by
adapters.carte; the same figures are returned as a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from toit_referentiel import communes_of_departement, departements, epci

from toit_observatoire.adapters import carte, tables
from toit_observatoire.adapters.requetes_sql import perimetre_table
from toit_observatoire.domain.perimetre import Perimetre
from toit_observatoire.domain.secret import masquer
from toit_observatoire.service_layer.indicateurs import ACTIFS, epcis_du_departement

Indicateur = Literal["demandes_en_cours", "attributions"]
LIBELLES: dict[str, tuple[str, str]] = {
    "demandes_en_cours": ("Demandes en cours par département", "demandes en cours"),
    "attributions": ("Attributions par département", "attributions"),
}


Maille = Literal["commune", "epci"]


class HorsTerritoire(LookupError):
    """A département outside the caller's territory."""


@dataclass(frozen=True)
class Carte:
    titre: str
    unite: str
    zones: list[carte.Zone]
    masquees: int
    # A map of one département by commune or EPCI: its code and each zone's communes.
    departement: str | None = None
    communes_de: dict[str, list[str]] = field(default_factory=dict)

    def svg(self) -> str:
        if self.departement is not None:
            return carte.svg_communes(
                self.titre, self.unite, self.departement, self.zones, self.communes_de
            )
        return carte.svg(self.titre, self.unite, self.zones)


def _indicateur(
    indicateur: Indicateur, annee: int
) -> tuple[sa.Table, list[sa.ColumnElement[bool]]]:
    if indicateur == "demandes_en_cours":
        return tables.rm_demande, [tables.rm_demande.c.statut.in_(ACTIFS)]
    a = tables.rm_attribution
    return a, [a.c.date_attribution.between(date(annee, 1, 1), date(annee, 12, 31))]


async def par_commune_ou_epci(
    conn: AsyncConnection,
    maille: Maille,
    departement: str,
    indicateur: Indicateur,
    annee: int,
    perimetre: Perimetre,
    seuil: int,
) -> Carte:
    """The figure per commune (or EPCI) of one département, within the caller's
    territory (an account restricted to EPCI or communes sees those only)."""
    connus = {d.code for d in departements()}
    if departement not in connus or not (perimetre.tout or departement in perimetre.departements):
        raise HorsTerritoire(departement)
    communes = [
        c
        for c in communes_of_departement(departement)
        if perimetre.tout
        or not (perimetre.epcis or perimetre.communes)
        or c.insee in perimetre.communes
        or c.epci_siren in perimetre.epcis
    ]
    communes_de: dict[str, list[str]] = {}
    noms: dict[str, str] = {}
    if maille == "commune":
        for c in communes:
            communes_de[c.insee] = [c.insee]
            noms[c.insee] = c.nom
    else:
        for siren in epcis_du_departement(departement):
            membres = [c.insee for c in communes if c.epci_siren == siren]
            found = epci(siren)
            if membres and found is not None:
                communes_de[siren] = membres
                noms[siren] = found.nom
    t, where = _indicateur(indicateur, annee)
    key = t.c.commune if maille == "commune" else t.c.epci
    rows = await conn.execute(
        sa.select(key, sa.func.count())
        .where(*where, t.c.departement == departement, *perimetre_table(t, perimetre))
        .group_by(key)
    )
    counts = {code: n for code, n in rows.all()}
    cells = {(code,): counts.get(code, 0) for code in communes_de}
    hidden = masquer(cells, seuil)
    zones = [
        carte.Zone(code, noms[code], None if (code,) in hidden else counts.get(code, 0))
        for code in sorted(communes_de, key=lambda code: noms[code])
    ]
    titre, unite = LIBELLES[indicateur]
    titre = titre.replace("par département", "par commune" if maille == "commune" else "par EPCI")
    nom = next((d.nom for d in departements() if d.code == departement), departement)
    titre = f"{titre} — {nom}" + (f", {annee}" if indicateur == "attributions" else "")
    return Carte(titre, unite, zones, len(hidden), departement, communes_de)


async def par_departement(
    conn: AsyncConnection, indicateur: Indicateur, annee: int, perimetre: Perimetre, seuil: int
) -> Carte:
    """The figure per département of the shared files the caller may read."""
    titre, unite = LIBELLES[indicateur]
    t, where = _indicateur(indicateur, annee)
    if indicateur == "attributions":
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
