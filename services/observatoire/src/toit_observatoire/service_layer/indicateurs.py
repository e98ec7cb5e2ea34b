"""The indicator set of primer §10.1 for a territory and a year, with the
first-quartile threshold (reference and own computation) and the obligations
monitored (§8.2). Reads the read models only."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib.resources import files
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from toit_referentiel import communes_of_departement, departements, epci, epci_of_commune

from toit_observatoire.adapters import tables
from toit_observatoire.domain import indicateurs as f
from toit_observatoire.domain.perimetre import Perimetre
from toit_observatoire.domain.secret import masquer

NIVEAUX = ("commune", "epci", "departement", "region")
ACTIFS = ("ACTIVE", "EXPIREE_GRACE")


class TerritoireInconnu(LookupError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SeuilReference:
    valeur: Decimal | None
    source: str
    placeholder: bool


def seuil_reference(siren: str, annee: int) -> SeuilReference:
    """The yearly arrêté's threshold for an EPCI, from the packaged reference data;
    a placeholder flagged as such where the value was not found."""
    data = json.loads(
        files("toit_observatoire").joinpath("data/seuils_premier_quartile.json").read_text("utf-8")
    )
    entry = data.get("valeurs", {}).get(str(annee), {}).get(siren)
    if entry is None:
        return SeuilReference(None, data["placeholder"], True)
    return SeuilReference(Decimal(str(entry["valeur"])), entry["source"], False)


@dataclass
class Repartition:
    """A distribution with its small cells masked (None)."""

    libelle: str
    valeurs: dict[str, int | None]
    masquees: int = 0


def repartition(libelle: str, counts: Counter[Any], seuil: int) -> Repartition:
    cells = {(str(k) if k is not None else "non renseigné",): n for k, n in counts.items()}
    hidden = masquer(cells, seuil)
    return Repartition(
        libelle,
        {k[0]: (None if k in hidden else n) for k, n in sorted(cells.items())},
        len(hidden),
    )


@dataclass
class ObligationOut:
    libelle: str
    total: int
    conformes: int
    taux: float | None
    cible: float
    atteinte: bool | None
    manquantes: int
    inconnues: int


def _obligation(o: f.Obligation) -> ObligationOut:
    return ObligationOut(
        o.libelle,
        o.total,
        o.conformes,
        o.taux,
        float(o.cible),
        o.atteinte,
        o.manquantes,
        o.inconnues,
    )


@dataclass
class JeuIndicateurs:
    niveau: str
    code: str
    libelle: str
    annee: int
    debut: date
    fin: date
    stock: int
    stock_externes: int | None
    stock_mutations: int | None
    nouvelles_demandes: int
    attributions: int
    pression: float | None
    delai_moyen_mois: float | None
    delai_median_mois: float | None
    anciennete_moyenne_mois: float | None
    anciennete_mediane_mois: float | None
    taux_satisfaction: float | None
    radiations: Repartition
    refus: Repartition
    profils: list[Repartition]
    par_mois: list[dict[str, Any]]
    seuil_q1_reference: SeuilReference | None
    seuil_q1_calcule: Decimal | None
    obligations: list[ObligationOut]
    obligations_dalo: list[ObligationOut]
    notes: list[str] = field(default_factory=list)


def territoire(niveau: str, code: str) -> tuple[str, list[str]]:
    """(label, départements) of a territory; TerritoireInconnu otherwise."""
    if niveau not in NIVEAUX:
        raise TerritoireInconnu(f"niveau inconnu : {', '.join(NIVEAUX)}")
    if niveau == "region":
        found = [d for d in departements() if d.region == code]
        if not found:
            raise TerritoireInconnu(f"région {code} hors du territoire")
        return f"Région {code}", [d.code for d in found]
    if niveau == "departement":
        found_d = next((d for d in departements() if d.code == code), None)
        if found_d is None:
            raise TerritoireInconnu(f"département {code} hors du territoire")
        return found_d.nom, [code]
    if niveau == "epci":
        found_e = epci(code)
        if found_e is None:
            raise TerritoireInconnu(f"EPCI {code} inconnu")
        return found_e.nom, list(found_e.departements)
    from toit_referentiel import commune

    found_c = commune(code)
    if found_c is None:
        raise TerritoireInconnu(f"commune {code} inconnue")
    return found_c.nom, [found_c.departement]


def epcis_du_departement(code: str) -> list[str]:
    """The EPCI having communes in a département (for the bilan's lines)."""
    return sorted({c.epci_siren for c in communes_of_departement(code) if c.epci_siren})


def _filtre(table: sa.Table, niveau: str, code: str, depts: list[str]) -> sa.ColumnElement[bool]:
    if niveau in ("region", "departement"):
        return table.c.departement.in_(depts)
    return table.c[niveau] == code


def _perimetre(table: sa.Table, perimetre: Perimetre) -> list[sa.ColumnElement[bool]]:
    if perimetre.tout:
        return []
    where: list[sa.ColumnElement[bool]] = [table.c.departement.in_(sorted(perimetre.departements))]
    restricted = []
    if perimetre.epcis:
        restricted.append(table.c.epci.in_(sorted(perimetre.epcis)))
    if perimetre.communes:
        restricted.append(table.c.commune.in_(sorted(perimetre.communes)))
    if perimetre.epcis or perimetre.communes:
        where.append(sa.or_(*restricted))
    return where


def _mois(jours: int) -> float:
    return jours / 30.4375


def _classe_age(age: int | None) -> str | None:
    if age is None:
        return None
    for limit, label in ((25, "moins de 25 ans"), (40, "25-39 ans"), (65, "40-64 ans")):
        if age < limit:
            return label
    return "65 ans et plus"


async def calculer(
    conn: AsyncConnection,
    niveau: str,
    code: str,
    annee: int,
    perimetre: Perimetre,
    *,
    seuil_secret: int,
    aujourd_hui: date | None = None,
) -> JeuIndicateurs:
    libelle, depts = territoire(niveau, code)
    today = aujourd_hui or date.today()
    debut, fin = date(annee, 1, 1), min(date(annee, 12, 31), today)
    d = tables.rm_demande
    rows = (
        await conn.execute(
            sa.select(
                d.c.statut,
                d.c.date_depot,
                d.c.date_radiation,
                d.c.motif_radiation,
                d.c.mutation,
                d.c.typologie,
                d.c.taille_menage,
                d.c.age_demandeur,
                d.c.type_logement_actuel,
                d.c.revenu_annuel_uc,
                d.c.epci,
            ).where(
                _filtre(d, niveau, code, depts),
                d.c.date_depot.is_not(None),
                d.c.date_depot <= fin,
                *_perimetre(d, perimetre),
            )
        )
    ).all()

    def en_cours_le(row: Any, jour: date) -> bool:
        if row.date_depot > jour:
            return False
        if row.statut in ACTIFS:
            return True
        return row.date_radiation is not None and row.date_radiation > jour

    stock_rows = [r for r in rows if en_cours_le(r, fin)]
    stock_debut = sum(1 for r in rows if en_cours_le(r, debut - date.resolution))
    nouvelles = sum(1 for r in rows if debut <= r.date_depot <= fin)
    split = masquer(
        {
            ("externes",): sum(not r.mutation for r in stock_rows),
            ("mutations",): sum(r.mutation for r in stock_rows),
        },
        seuil_secret,
    )
    externes = None if ("externes",) in split else sum(not r.mutation for r in stock_rows)
    mutations = None if ("mutations",) in split else sum(r.mutation for r in stock_rows)
    anciennetes = [_mois((fin - r.date_depot).days) for r in stock_rows]
    radiees = [r for r in rows if r.date_radiation is not None and debut <= r.date_radiation <= fin]

    a = tables.rm_attribution
    attributions = (
        await conn.execute(
            sa.select(a).where(
                _filtre(a, niveau, code, depts),
                a.c.date_attribution.between(debut, fin),
                *_perimetre(a, perimetre),
            )
        )
    ).all()
    delais = [_mois(r.delai_jours) for r in attributions if r.delai_jours is not None]

    p = tables.rm_proposition
    refus = Counter(
        r.motif_refus
        for r in (
            await conn.execute(
                sa.select(p.c.motif_refus).where(
                    _filtre(p, niveau, code, depts),
                    p.c.date_proposition.between(debut, fin),
                    p.c.decision == "REFUSEE",
                    *_perimetre(p, perimetre),
                )
            )
        ).all()
    )

    # First-quartile threshold: for an EPCI (or a commune's EPCI).
    siren = code if niveau == "epci" else None
    if niveau == "commune":
        found = epci_of_commune(code)
        siren = found.siren if found else None
    reference = seuil_reference(siren, annee) if siren else None
    calcule = (
        f.seuil_premier_quartile(
            r.revenu_annuel_uc
            for r in stock_rows
            if r.revenu_annuel_uc is not None and r.epci == siren
        )
        if siren
        else None
    )
    seuil = (reference.valeur if reference and reference.valeur is not None else None) or calcule
    faits = [
        f.AttributionFaits(
            qpv=r.qpv,
            premier_quartile=(
                r.premier_quartile
                if r.premier_quartile is not None
                else f.premier_quartile(r.revenu_annuel_uc, seuil)
            ),
            relogement_anru=bool(r.relogement_anru),
            dalo=r.dalo,
            prioritaire=r.prioritaire,
            reservataire=r.reservataire,
        )
        for r in attributions
    ]
    notes = []
    if any(r.source == "radiation" for r in attributions):
        notes.append(
            "Attributions connues par la radiation de la demande : le logement (QPV, bailleur, "
            "réservataire, typologie attribuée) sera connu avec les événements d'attribution "
            "du service matching; ces attributions sont comptées à part dans les obligations."
        )
    return JeuIndicateurs(
        niveau=niveau,
        code=code,
        libelle=libelle,
        annee=annee,
        debut=debut,
        fin=fin,
        stock=len(stock_rows),
        stock_externes=externes,
        stock_mutations=mutations,
        nouvelles_demandes=nouvelles,
        attributions=len(attributions),
        pression=f.pression(len(stock_rows), len(attributions)),
        delai_moyen_mois=f.moyenne(delais),
        delai_median_mois=f.mediane(delais),
        anciennete_moyenne_mois=f.moyenne(anciennetes),
        anciennete_mediane_mois=f.mediane(anciennetes),
        taux_satisfaction=f.taux_satisfaction(len(attributions), stock_debut, nouvelles),
        radiations=repartition(
            "Radiations par motif", Counter(r.motif_radiation for r in radiees), seuil_secret
        ),
        refus=repartition("Refus par motif", refus, seuil_secret),
        profils=[
            repartition(
                "Typologie demandée", Counter(r.typologie for r in stock_rows), seuil_secret
            ),
            repartition(
                "Personnes du ménage", Counter(r.taille_menage for r in stock_rows), seuil_secret
            ),
            repartition(
                "Âge du demandeur",
                Counter(_classe_age(r.age_demandeur) for r in stock_rows),
                seuil_secret,
            ),
            repartition(
                "Logement actuel",
                Counter(r.type_logement_actuel for r in stock_rows),
                seuil_secret,
            ),
            repartition(
                "Typologie attribuée (ou demandée)",
                Counter(r.typologie_attribuee or r.typologie_demandee for r in attributions),
                seuil_secret,
            ),
        ],
        par_mois=_par_mois(rows, attributions, annee, fin, seuil_secret),
        seuil_q1_reference=reference,
        seuil_q1_calcule=calcule,
        obligations=[
            _obligation(f.obligation_premier_quartile(faits)),
            _obligation(f.obligation_qpv(faits)),
        ],
        obligations_dalo=[_obligation(o) for o in f.obligations_dalo(faits).values()],
        notes=notes,
    )


def _par_mois(
    rows: Sequence[Any], attributions: Sequence[Any], annee: int, fin: date, seuil: int
) -> list[dict[str, Any]]:
    """Monthly series, each with its small cells masked (None)."""
    mois = [f"{annee}-{month:02d}" for month in range(1, fin.month + 1)]
    depots = Counter(f"{r.date_depot:%Y-%m}" for r in rows if r.date_depot.year == annee)
    attribs = Counter(f"{r.date_attribution:%Y-%m}" for r in attributions)
    hidden_d = masquer({(m,): depots.get(m, 0) for m in mois}, seuil)
    hidden_a = masquer({(m,): attribs.get(m, 0) for m in mois}, seuil)
    return [
        {
            "mois": m,
            "nouvelles_demandes": None if (m,) in hidden_d else depots.get(m, 0),
            "attributions": None if (m,) in hidden_a else attribs.get(m, 0),
        }
        for m in mois
    ]
