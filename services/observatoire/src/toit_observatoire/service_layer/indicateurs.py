"""The indicator set of primer §10.1 for a territory and a year, with the
first-quartile threshold (reference and own computation) and the obligations
monitored (§8.2). Reads the read models only."""

from __future__ import annotations

import asyncio
import json
import math
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from importlib.resources import files
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from toit_referentiel import communes_of_departement, departements, epci, epci_of_commune

from servicekit import exceptions as refus
from toit_observatoire.adapters import repository, tables
from toit_observatoire.adapters.requetes_sql import perimetre_table
from toit_observatoire.domain import indicateurs as f
from toit_observatoire.domain.perimetre import Perimetre
from toit_observatoire.domain.secret import masquer

NIVEAUX = ("commune", "epci", "departement", "region")
ACTIFS = ("ACTIVE", "EXPIREE_GRACE")


class TerritoireInconnu(refus.Invalide, LookupError):
    """An unknown territory code, or one outside the territory (422 on `code`)."""

    def __init__(self, message: str) -> None:
        super().__init__([refus.Erreur("code", message, "territoire_inconnu")])
        self.args = (message,)
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


def _mois(jours: float) -> float:
    return jours / 30.4375


def _classe_age(age: Any) -> Any:
    """The age class as a SQL expression."""
    return sa.case(
        (age.is_(None), None),
        (age < 25, "moins de 25 ans"),
        (age < 40, "25-39 ans"),
        (age < 65, "40-64 ans"),
        else_="65 ans et plus",
    )


def _jours(conn: AsyncConnection, jour: date, column: Any) -> Any:
    """Days from `column` to `jour`, as a SQL expression (both dialects)."""
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.literal(jour), sa.Date) - column
    return sa.func.julianday(sa.literal(jour.isoformat())) - sa.func.julianday(column)


async def _moyenne_mediane(
    conn: AsyncConnection, expr: Any, where: list[Any]
) -> tuple[float | None, float | None]:
    """Mean and median of an expression: in SQL on PostgreSQL (percentile_cont),
    from the values on SQLite (the embedded mode's small volumes)."""
    if conn.dialect.name == "postgresql":
        row = (
            await conn.execute(
                sa.select(sa.func.avg(expr), sa.func.percentile_cont(0.5).within_group(expr)).where(
                    *where
                )
            )
        ).one()
        mean, median = row
        return (
            None if mean is None else round(float(mean), 2),
            None if median is None else round(float(median), 2),
        )
    values = [float(v) for (v,) in (await conn.execute(sa.select(expr).where(*where))).all()]
    return f.moyenne(values), f.mediane(values)


async def _compter(conn: AsyncConnection, key: Any, where: list[Any]) -> Counter[Any]:
    rows = (await conn.execute(sa.select(key, sa.func.count()).where(*where).group_by(key))).all()
    return Counter({k: n for k, n in rows})


async def _seuil_calcule(conn: AsyncConnection, where: list[Any]) -> Decimal | None:
    """The ⌈N/4⌉-th lowest resources per UC (primer §10.2), portable SQL."""
    d = tables.rm_demande
    condition = [*where, d.c.revenu_annuel_uc.is_not(None)]
    n = (await conn.execute(sa.select(sa.func.count()).where(*condition))).scalar() or 0
    if not n:
        return None
    value = (
        await conn.execute(
            sa.select(d.c.revenu_annuel_uc)
            .where(*condition)
            .order_by(d.c.revenu_annuel_uc)
            .limit(1)
            .offset(math.ceil(n / 4) - 1)
        )
    ).scalar()
    return None if value is None else Decimal(str(value))


PROFILS_DEMANDES = (
    ("Typologie demandée", "typologie"),
    ("Personnes du ménage", "taille_menage"),
    ("Âge du demandeur", "classe_age"),
    ("Logement actuel", "type_logement_actuel"),
)


@dataclass
class _Demandes:
    """What the indicator set takes from rm_demande for a territory and a year."""

    # Grouped counts: mutation, the profiles (stock at the end of the period),
    # mois_depot (new demandes of the year), motif_radiation (radiations of the year).
    parts: dict[str, Counter[Any]]
    stock_debut: int
    nouvelles: int
    anciennete: tuple[float | None, float | None]
    seuil_q1: Decimal | None


async def _comptes_postgresql(
    conn: AsyncConnection, base: list[Any], debut: date, fin: date, veille: date
) -> tuple[dict[str, Counter[Any]], int, int]:
    """Every grouped count in one pass over the territory's rows (GROUPING SETS with a
    FILTER per figure): (parts, stock at the start, new demandes)."""
    d = tables.rm_demande
    actif = d.c.statut.in_(ACTIFS)
    rows = (
        sa.select(
            d.c.mutation,
            d.c.typologie,
            d.c.taille_menage,
            _classe_age(d.c.age_demandeur).label("classe_age"),
            d.c.type_logement_actuel,
            d.c.mois_depot,
            d.c.motif_radiation,
            sa.and_(d.c.date_depot <= fin, sa.or_(actif, d.c.date_radiation > fin)).label("fin"),
            sa.and_(d.c.date_depot <= veille, sa.or_(actif, d.c.date_radiation > veille)).label(
                "debut"
            ),
            d.c.date_depot.between(debut, fin).label("nouvelle"),
            d.c.date_radiation.between(debut, fin).label("radiee"),
        )
        .where(*base)
        .subquery()
    )
    keys = ["mutation", *(key for _, key in PROFILS_DEMANDES), "mois_depot", "motif_radiation"]
    filtre = {"mois_depot": rows.c.nouvelle, "motif_radiation": rows.c.radiee}
    result = await conn.execute(
        sa.select(
            *(rows.c[k] for k in keys),
            *(sa.func.grouping(rows.c[k]).label(f"g_{k}") for k in keys),
            sa.func.count().filter(rows.c.fin).label("n_fin"),
            sa.func.count().filter(rows.c.debut).label("n_debut"),
            sa.func.count().filter(rows.c.nouvelle).label("n_nouvelle"),
            sa.func.count().filter(rows.c.radiee).label("n_radiee"),
        ).group_by(sa.func.grouping_sets(*(rows.c[k] for k in keys)))
    )
    parts: dict[str, Counter[Any]] = {k: Counter() for k in keys}
    debut_n = nouvelles = 0
    for row in result.mappings():
        key = next(k for k in keys if row[f"g_{k}"] == 0)
        n = row["n_fin"]
        if key in filtre:
            n = row["n_nouvelle"] if key == "mois_depot" else row["n_radiee"]
        if n:
            parts[key][row[key]] = n
        if key == "mutation":
            debut_n += row["n_debut"]
            nouvelles += row["n_nouvelle"]
    return parts, debut_n, nouvelles


async def _ordonnes_postgresql(
    conn: AsyncConnection, base: list[Any], fin: date, siren: str | None
) -> tuple[tuple[float | None, float | None], Decimal | None]:
    """The ordered-set aggregates over the stock at the end of the period: mean and
    median seniority, and the first-quartile threshold (percentile_disc(0.25) is the
    ⌈N/4⌉-th lowest value, primer §10.2)."""
    d = tables.rm_demande
    actif = d.c.statut.in_(ACTIFS)
    stock_fin = [*base, d.c.date_depot <= fin, sa.or_(actif, d.c.date_radiation > fin)]
    anciennete = sa.cast(sa.literal(fin), sa.Date) - d.c.date_depot
    q1_filtre = sa.and_(d.c.revenu_annuel_uc.is_not(None), d.c.epci == siren)
    mean, median, q1 = (
        await conn.execute(
            sa.select(
                sa.func.avg(anciennete),
                sa.func.percentile_cont(0.5).within_group(anciennete),
                sa.func.percentile_disc(0.25).within_group(d.c.revenu_annuel_uc).filter(q1_filtre)
                if siren
                else sa.null(),
            ).where(*stock_fin)
        )
    ).one()
    return (
        (
            None if mean is None else round(float(mean), 2),
            None if median is None else round(float(median), 2),
        ),
        None if q1 is None else Decimal(str(q1)),
    )


async def _demandes_portable(
    conn: AsyncConnection,
    base: list[Any],
    en_cours_le: Callable[[date], list[Any]],
    debut: date,
    fin: date,
    veille: date,
    siren: str | None,
) -> _Demandes:
    """The same figures one statement each (SQLite: the embedded mode's volumes)."""
    d = tables.rm_demande
    stock_fin = en_cours_le(fin)
    nouvelle = [*base, d.c.date_depot.between(debut, fin)]
    keys: dict[str, Any] = {
        "mutation": d.c.mutation,
        "typologie": d.c.typologie,
        "taille_menage": d.c.taille_menage,
        "classe_age": _classe_age(d.c.age_demandeur),
        "type_logement_actuel": d.c.type_logement_actuel,
    }
    parts = {k: await _compter(conn, expr, stock_fin) for k, expr in keys.items()}
    parts["mois_depot"] = await _compter(conn, d.c.mois_depot, nouvelle)
    parts["motif_radiation"] = await _compter(
        conn, d.c.motif_radiation, [*base, d.c.date_radiation.between(debut, fin)]
    )
    stock_debut = (
        await conn.execute(sa.select(sa.func.count()).where(*en_cours_le(veille)))
    ).scalar() or 0
    nouvelles = (await conn.execute(sa.select(sa.func.count()).where(*nouvelle))).scalar() or 0
    anciennete = await _moyenne_mediane(conn, _jours(conn, fin, d.c.date_depot), stock_fin)
    seuil = await _seuil_calcule(conn, [*stock_fin, d.c.epci == siren]) if siren else None
    return _Demandes(parts, stock_debut, nouvelles, anciennete, seuil)


@dataclass
class _Attributions:
    """What the indicator set takes from rm_attribution and rm_proposition."""

    nombre: int
    delai: tuple[float | None, float | None]
    par_mois: Counter[Any]
    typologies: Counter[Any]
    depuis_radiation: int
    refus: Counter[Any]
    faits: list[f.AttributionFaits]


@dataclass(frozen=True)
class _Filtres:
    """The territory, period and restrictions of one indicator set."""

    niveau: str
    code: str
    depts: list[str]
    debut: date
    fin: date
    perimetre: Perimetre
    typologie: str | None
    bailleur: str | None
    reservataire: str | None


async def _attributions(conn: AsyncConnection, q: _Filtres, seuil: Decimal | None) -> _Attributions:
    """Attributions of the period (count, waiting time, by month and typologie, the
    facts of the obligations; an unknown quartile is decided by `seuil`) and refusals."""
    a = tables.rm_attribution
    a_where = [
        _filtre(a, q.niveau, q.code, q.depts),
        a.c.date_attribution.between(q.debut, q.fin),
        *perimetre_table(a, q.perimetre),
    ]
    if q.typologie is not None:
        a_where.append(
            sa.func.coalesce(a.c.typologie_attribuee, a.c.typologie_demandee) == q.typologie
        )
    if q.bailleur is not None:
        a_where.append(a.c.bailleur == q.bailleur)
    if q.reservataire is not None:
        a_where.append(a.c.reservataire == q.reservataire)
    nombre = (await conn.execute(sa.select(sa.func.count()).where(*a_where))).scalar() or 0
    delai = await _moyenne_mediane(conn, a.c.delai_jours, [*a_where, a.c.delai_jours.is_not(None)])
    par_mois = await _compter(conn, a.c.mois, a_where)
    typologies = await _compter(
        conn, sa.func.coalesce(a.c.typologie_attribuee, a.c.typologie_demandee), a_where
    )
    depuis_radiation = (
        await conn.execute(sa.select(sa.func.count()).where(*a_where, a.c.source == "radiation"))
    ).scalar() or 0

    p = tables.rm_proposition
    refus = await _compter(
        conn,
        p.c.motif_refus,
        [
            _filtre(p, q.niveau, q.code, q.depts),
            p.c.date_proposition.between(q.debut, q.fin),
            p.c.decision == "REFUSEE",
            *perimetre_table(p, q.perimetre),
        ],
    )
    q1: Any = a.c.premier_quartile
    if seuil is not None:
        q1 = sa.case(
            (a.c.premier_quartile.is_not(None), a.c.premier_quartile),
            (a.c.revenu_annuel_uc.is_(None), None),
            else_=a.c.revenu_annuel_uc <= seuil,
        )
    groups = (
        await conn.execute(
            sa.select(
                a.c.qpv,
                q1.label("q1"),
                a.c.relogement_anru,
                a.c.dalo,
                a.c.prioritaire,
                a.c.reservataire,
                sa.func.count(),
            )
            .where(*a_where)
            .group_by(a.c.qpv, q1, a.c.relogement_anru, a.c.dalo, a.c.prioritaire, a.c.reservataire)
        )
    ).all()
    faits = [
        f.AttributionFaits(
            qpv=g.qpv,
            premier_quartile=None if g.q1 is None else bool(g.q1),
            relogement_anru=bool(g.relogement_anru),
            dalo=bool(g.dalo),
            prioritaire=bool(g.prioritaire),
            reservataire=g.reservataire,
        )
        for g in groups
        for _ in range(g[-1])
    ]
    return _Attributions(nombre, delai, par_mois, typologies, depuis_radiation, refus, faits)


# A connection reading the same snapshot as the one exported (PostgreSQL): the indicator
# set's statements then run on two connections at once and still see one state.
ConnexionInstantane = Callable[[str], AbstractAsyncContextManager[AsyncConnection]]


async def calculer(
    conn: AsyncConnection,
    niveau: str,
    code: str,
    annee: int,
    perimetre: Perimetre,
    *,
    seuil_secret: int,
    aujourd_hui: date | None = None,
    typologie: str | None = None,
    bailleur: str | None = None,
    reservataire: str | None = None,
    parallele: ConnexionInstantane | None = None,
) -> JeuIndicateurs:
    """The indicator set, computed in SQL (aggregates, grouped counts): the rows of a
    territory are never loaded. `typologie` restricts demandes (typologie wanted) and
    attributions (attributed, else wanted); `bailleur` and `reservataire` restrict the
    attributions (a demande has neither).

    On PostgreSQL with `parallele`, the grouped counts run on one connection while the
    ordered-set aggregates then the attributions run on another, both importing the
    snapshot `conn` exports (REPEATABLE READ): the figures are of one state of the read
    models, in about half the time on an idle two-core server."""
    libelle, depts = territoire(niveau, code)
    today = aujourd_hui or date.today()
    debut, fin = date(annee, 1, 1), min(date(annee, 12, 31), today)
    veille = debut - timedelta(days=1)
    d = tables.rm_demande
    base = [
        _filtre(d, niveau, code, depts),
        d.c.date_depot.is_not(None),
        *perimetre_table(d, perimetre),
    ]
    if typologie is not None:
        base.append(d.c.typologie == typologie)
    filtres = _Filtres(
        niveau, code, depts, debut, fin, perimetre, typologie, bailleur, reservataire
    )

    def en_cours_le(jour: date) -> list[Any]:
        return [
            *base,
            d.c.date_depot <= jour,
            sa.or_(d.c.statut.in_(ACTIFS), d.c.date_radiation > jour),
        ]

    # First-quartile threshold: for an EPCI (or a commune's EPCI).
    siren = code if niveau == "epci" else None
    if niveau == "commune":
        found = epci_of_commune(code)
        siren = found.siren if found else None
    reference = seuil_reference(siren, annee) if siren else None

    def seuil_de(calcule: Decimal | None) -> Decimal | None:
        return (reference.valeur if reference and reference.valeur is not None else None) or calcule

    async def ordonnes_puis_attributions(
        c: AsyncConnection,
    ) -> tuple[tuple[float | None, float | None], Decimal | None, _Attributions]:
        anciennete, q1 = await _ordonnes_postgresql(c, base, fin, siren)
        return anciennete, q1, await _attributions(c, filtres, seuil_de(q1))

    if conn.dialect.name == "postgresql":
        if parallele is not None:
            instantane = await repository.exporter_instantane(conn)

            async def comptes() -> tuple[dict[str, Counter[Any]], int, int]:
                async with parallele(instantane) as c:
                    return await _comptes_postgresql(c, base, debut, fin, veille)

            async def reste() -> tuple[
                tuple[float | None, float | None], Decimal | None, _Attributions
            ]:
                async with parallele(instantane) as c:
                    return await ordonnes_puis_attributions(c)

            (parts, stock_debut_n, nouvelles_n), (anciennete, q1, att) = await asyncio.gather(
                comptes(), reste()
            )
        else:
            parts, stock_debut_n, nouvelles_n = await _comptes_postgresql(
                conn, base, debut, fin, veille
            )
            anciennete, q1, att = await ordonnes_puis_attributions(conn)
        dem = _Demandes(parts, stock_debut_n, nouvelles_n, anciennete, q1)
    else:
        dem = await _demandes_portable(conn, base, en_cours_le, debut, fin, veille, siren)
        att = await _attributions(conn, filtres, seuil_de(dem.seuil_q1))
    split_counts = dem.parts["mutation"]
    stock = sum(split_counts.values())
    stock_debut, nouvelles = dem.stock_debut, dem.nouvelles
    split = masquer(
        {("externes",): split_counts.get(False, 0), ("mutations",): split_counts.get(True, 0)},
        seuil_secret,
    )
    externes = None if ("externes",) in split else split_counts.get(False, 0)
    mutations = None if ("mutations",) in split else split_counts.get(True, 0)
    anc_moy, anc_med = dem.anciennete
    radiations = dem.parts["motif_radiation"]
    profils = [repartition(label, dem.parts[key], seuil_secret) for label, key in PROFILS_DEMANDES]
    depots = dem.parts["mois_depot"]
    attributions = att.nombre
    delai_moy, delai_med = att.delai
    profils.append(repartition("Typologie attribuée (ou demandée)", att.typologies, seuil_secret))
    calcule = dem.seuil_q1
    faits = att.faits
    notes = []
    if att.depuis_radiation:
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
        stock=stock,
        stock_externes=externes,
        stock_mutations=mutations,
        nouvelles_demandes=nouvelles,
        attributions=attributions,
        pression=f.pression(stock, attributions),
        delai_moyen_mois=None if delai_moy is None else round(_mois(delai_moy), 2),
        delai_median_mois=None if delai_med is None else round(_mois(delai_med), 2),
        anciennete_moyenne_mois=None if anc_moy is None else round(_mois(anc_moy), 2),
        anciennete_mediane_mois=None if anc_med is None else round(_mois(anc_med), 2),
        taux_satisfaction=f.taux_satisfaction(attributions, stock_debut, nouvelles),
        radiations=repartition("Radiations par motif", radiations, seuil_secret),
        refus=repartition("Refus par motif", att.refus, seuil_secret),
        profils=profils,
        par_mois=_par_mois(depots, att.par_mois, annee, fin, seuil_secret),
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
    depots: Counter[Any], attribs: Counter[Any], annee: int, fin: date, seuil: int
) -> list[dict[str, Any]]:
    """Monthly series, each with its small cells masked (None)."""
    mois = [f"{annee}-{month:02d}" for month in range(1, fin.month + 1)]
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
