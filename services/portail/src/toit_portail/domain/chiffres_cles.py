"""The key figures page, as pure rules: the observatoire's latest publication for a
département, shown per commune (all typologies) and, for one commune, per typologie.

A figure the observatoire masked (statistical secrecy: fewer households than its
threshold, or one that would reveal such a cell by difference) stays masked: it is
absent from the event and printed as such, never as zero."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from toit_contracts.events import ChiffresClesPublies


def plus_recente(connue: datetime | None, recue: datetime) -> bool:
    """A publication replaces the kept one when it is not older (redelivery: no change)."""
    return connue is None or recue >= connue


@dataclass(frozen=True)
class Publication:
    departement: str
    publie_le: datetime
    date_reference: date
    annee_attributions: int
    seuil_secret: int
    chiffres: list[dict[str, Any]]


def publication(event: ChiffresClesPublies) -> Publication:
    return Publication(
        departement=event.departement,
        publie_le=event.publie_le,
        date_reference=event.date_reference,
        annee_attributions=event.annee_attributions,
        seuil_secret=event.seuil_secret,
        chiffres=[c.model_dump(mode="json") for c in event.chiffres],
    )


@dataclass(frozen=True)
class Ligne:
    commune: str
    nom: str
    typologie: str | None
    demandes_en_cours: int | None
    attributions: int | None
    delai_median_mois: float | None


def lignes(
    pub: Publication, nom_commune: Callable[[str], str], commune: str | None = None
) -> list[Ligne]:
    """All communes (all typologies), most demandes first; or one commune's typologies."""
    choisies = [
        c
        for c in pub.chiffres
        if (c["commune"] == commune if commune is not None else c["typologie"] is None)
    ]
    resultat = [
        Ligne(
            commune=c["commune"],
            nom=nom_commune(c["commune"]),
            typologie=c["typologie"],
            demandes_en_cours=c.get("demandes_en_cours"),
            attributions=c.get("attributions_annee_precedente"),
            delai_median_mois=c.get("delai_median_mois"),
        )
        for c in choisies
    ]
    if commune is None:
        return sorted(resultat, key=lambda ligne: (-(ligne.demandes_en_cours or 0), ligne.nom))
    # The commune's total first, then its typologies in order (T1 … T6).
    return sorted(resultat, key=lambda ligne: (ligne.typologie is not None, ligne.typologie or ""))
