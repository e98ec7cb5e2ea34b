"""Candidate search in one PostgreSQL statement (SQL only; the rules are the domain's,
`domain/recherche.py`, translated here column by column).

Over the wished communes (`souhaits`, one row per demande and commune, carrying what the
filters and the ranking read), the statement computes for every demande of the pool
which hard filters it fails, its budget for this unit (UC, APL estimate, taux d'effort,
reste à vivre) and the soft filters, then returns the counts per reason and the two
pages asked for (candidates in rank order, excluded ones), ids only: the service layer
has the domain evaluate these few demandes to explain each exclusion. The integration
test `test_matching_recherche_sql.py` checks that both agree on generated demandes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Forfait:
    base: Decimal
    par_personne: Decimal


@dataclass(frozen=True)
class Criteres:
    """The search's parameters for one unit, computed by the service layer."""

    departement: str
    commune: str
    epci: str | None
    par_epci: bool
    typologie: str
    tailles: tuple[int, ...]
    plafonds: tuple[int, ...]  # categories 1..6
    par_personne: int
    besoins_non_satisfaits: tuple[str, ...]
    etage: int
    # Perimeter of the agent: None = the whole département; else the communes and EPCI
    # one wished commune must be in. `hors_departement`: the agent lacks the département.
    hors_departement: bool
    perimetre_communes: tuple[str, ...] | None
    perimetre_epcis: tuple[str, ...]
    # Budget (domain.budget) for this unit.
    loyer: Decimal
    charges: Decimal
    chauffage: Forfait | None  # individual heating: flat amount per household size
    eau: Forfait | None
    apl_seul: Decimal
    apl_couple: Decimal
    apl_par_personne_a_charge: Decimal
    apl_forfait_charges: Forfait
    apl_participation_minimale: Decimal
    apl_taux_participation: Decimal
    apl_abattements: tuple[Decimal, ...]
    uc_premiere: Decimal
    uc_autre_adulte: Decimal
    uc_enfant: Decimal
    annee_adulte: int  # born this year or before: an adult in the search's year
    taux_effort_max: Decimal
    reste_a_vivre_min: Decimal
    filtres_souples: bool
    # Demandes that refused this unit or that the CALEOL did not retain for it.
    refusees: tuple[UUID, ...] = ()


@dataclass
class ResultatSql:
    souhaitent: int
    candidats_total: int
    comptes: dict[str, int] = field(default_factory=dict)  # code → demandes
    candidats: list[tuple[UUID, int, Decimal | None]] = field(default_factory=list)
    exclues: list[tuple[UUID, int, Decimal | None]] = field(default_factory=list)
    # Demandes the first three filters exclude (listed after the others, by that filter).
    prefiltrees: int = 0


_RANG = (
    "points IS NULL, points DESC, NOT dalo, priorites_validees DESC, "
    "priorites_retenues DESC, date_depot, demande_id"
)
# Excluded ones: those failing the other filters in rank order, then those failing the
# first three (typology wished, size, ceiling), each group by score then id.
_RANG_EXCLUES = (
    "groupe, points IS NULL, points DESC, "
    "CASE WHEN groupe = 0 THEN NOT dalo END, "
    "CASE WHEN groupe = 0 THEN -priorites_validees END, "
    "CASE WHEN groupe = 0 THEN -priorites_retenues END, "
    "CASE WHEN groupe = 0 THEN date_depot END, demande_id"
)


def _num(nom: str) -> str:
    return f"CAST(:{nom} AS numeric)"


def _forfait(f: Forfait | None, nom: str, personnes: str, params: dict[str, Any]) -> str:
    if f is None:
        return "0"
    params[f"{nom}_base"], params[f"{nom}_pp"] = f.base, f.par_personne
    return f"({_num(nom + '_base')} + {_num(nom + '_pp')} * {personnes})"


def requete(c: Criteres, pages: tuple[int, int, int, int]) -> tuple[str, dict[str, Any]]:
    """The statement and its parameters; `pages`: (offset, limit) of the candidates, then
    of the excluded ones."""
    params: dict[str, Any] = {
        "lieu": c.epci if c.par_epci else c.commune,
        "departement": c.departement,
        "epci": c.epci or "",
        "typo": f"%|{c.typologie}|%",
        "tailles": list(c.tailles),
        "etage": c.etage,
        "loyer": c.loyer,
        "charges": c.charges,
        "seul": c.apl_seul,
        "couple": c.apl_couple,
        "ppac": c.apl_par_personne_a_charge,
        "pmin": c.apl_participation_minimale,
        "taux": c.apl_taux_participation,
        "abattements": list(c.apl_abattements),
        "n_ab": len(c.apl_abattements),
        "premiere": c.uc_premiere,
        "autre": c.uc_autre_adulte,
        "enfant": c.uc_enfant,
        "annee_adulte": c.annee_adulte,
        "te_max": c.taux_effort_max,
        "rav_min": c.reste_a_vivre_min,
        "souples": c.filtres_souples,
        "oc": pages[0],
        "lc": pages[1],
        "ox": pages[2],
        "lx": pages[3],
    }
    plafond = " ".join(f"WHEN {i + 1} THEN {int(x)}" for i, x in enumerate(c.plafonds))
    plafond = (
        f"CASE p.categorie {plafond} ELSE {int(c.plafonds[-1])} + "
        f"(p.categorie - {len(c.plafonds)}) * {int(c.par_personne)} END"
    )
    besoins = []
    for i, besoin in enumerate(c.besoins_non_satisfaits):
        params[f"b{i}"] = f"%|{besoin}|%"
        besoins.append(f"COALESCE(p.besoins LIKE :b{i}, false) AS b{i}")
    if c.hors_departement:
        hors = "true"
    elif c.perimetre_communes is None:
        hors = "false"
    else:
        params["pc"], params["pe"] = list(c.perimetre_communes), list(c.perimetre_epcis)
        hors = (
            "NOT EXISTS (SELECT 1 FROM souhaits s2 WHERE s2.demande_id = p.demande_id"
            " AND (s2.commune = ANY(:pc) OR s2.epci = ANY(:pe)))"
        )
    refusee = "false"
    if c.refusees:
        params["refusees"] = list(c.refusees)
        refusee = "p.demande_id = ANY(CAST(:refusees AS uuid[]))"
    autres_durs = " OR ".join(
        ["hp", "rf", "etage_ko", "rinc", *(f"b{i}" for i in range(len(besoins)))]
    )
    forfaits = " + ".join(
        [
            _forfait(c.chauffage, "ch", "taille", params),
            _forfait(c.eau, "eau", "taille", params),
        ]
    )
    forfait_charges = _forfait(c.apl_forfait_charges, "fc", "a_charge", params)
    distinct = "DISTINCT ON (s.demande_id) " if c.par_epci else ""
    ordre = " ORDER BY s.demande_id" if c.par_epci else ""
    lieu = "s.epci" if c.par_epci else "s.commune"
    colonnes_besoins = "".join(f", {b}" for b in besoins)
    colonnes_besoins_g = "".join(f", g.b{i}" for i in range(len(besoins)))
    comptes_besoins = "".join(
        f", 'ACCESSIBILITE_{b}', count(*) FILTER (WHERE groupe = 0 AND b{i})"
        for i, b in enumerate(c.besoins_non_satisfaits)
    )
    sql = f"""
WITH p AS (
    SELECT {distinct}s.demande_id, s.version, s.typologies, s.taille, s.categorie,
        s.revenu_fiscal, s.besoins, s.etage_max, s.ressources, s.couple, s.a_charge,
        s.personnes, s.a_naitre, s.autres_naissances, s.dalo, s.priorites_validees,
        s.priorites_retenues, s.date_depot
    FROM souhaits s
    WHERE {lieu} = :lieu AND s.actif AND s.departement = :departement{ordre}
), f AS MATERIALIZED (
    SELECT p.demande_id, p.version, p.taille, p.ressources, p.couple, p.a_charge,
        p.personnes, p.a_naitre, p.autres_naissances, p.dalo, p.priorites_validees,
        p.priorites_retenues, p.date_depot, sc.points,
        CASE
            WHEN p.typologies IS NOT NULL AND p.typologies NOT LIKE :typo THEN 1
            WHEN p.taille IS NOT NULL AND NOT (p.taille = ANY(:tailles)) THEN 2
            WHEN p.revenu_fiscal IS NOT NULL AND p.categorie IS NOT NULL
                AND p.revenu_fiscal > {plafond} THEN 3
            ELSE 0
        END AS groupe,
        {hors} AS hp, {refusee} AS rf,
        (p.etage_max IS NOT NULL AND p.etage_max < :etage) AS etage_ko,
        (p.revenu_fiscal IS NULL OR p.categorie IS NULL) AS rinc{colonnes_besoins}
    FROM p LEFT JOIN scores sc ON sc.demande_id = p.demande_id AND sc.epci = :epci
), g AS (
    SELECT f.*, (groupe = 0 AND NOT ({autres_durs})) AS durs_ok FROM f
), h AS (
    -- The budget of the demandes passing the hard filters only, each value computed
    -- once (OFFSET 0 keeps the subqueries from being inlined into every use).
    SELECT g.demande_id, g.version, g.points, g.dalo, g.priorites_validees,
        g.priorites_retenues, g.date_depot, g.groupe, g.hp, g.rf, g.etage_ko, g.rinc,
        g.durs_ok{colonnes_besoins_g},
        COALESCE(s.te_inc, false) AS te_inc, COALESCE(s.te_ko, false) AS te_ko,
        COALESCE(s.rav_ko, false) AS rav_ko
    FROM g LEFT JOIN LATERAL (
        SELECT (b.ressources IS NULL OR b.ressources <= 0) AS te_inc,
            (b.ressources > 0
                AND ROUND((b.depense - b.apl) / b.ressources, 4) > {_num("te_max")}) AS te_ko,
            (b.ressources > 0
                AND ROUND((b.ressources + b.apl - b.depense) / b.uc / 30, 2) < {_num("rav_min")})
                AS rav_ko
        FROM (
            SELECT g.ressources,
                {_num("loyer")} + {_num("charges")} + {forfaits} AS depense,
                ROUND(GREATEST(0,
                    LEAST({_num("loyer")},
                        CASE WHEN g.couple OR g.a_charge > 0 THEN {_num("couple")}
                        ELSE {_num("seul")} END
                        + {_num("ppac")} * g.a_charge)
                    + {forfait_charges}
                    - ({_num("pmin")} + {_num("taux")} * GREATEST(0, COALESCE(g.ressources, 0)
                        - (CAST(:abattements AS numeric[]))[LEAST(g.taille, :n_ab)]))
                ), 0) AS apl,
                GREATEST({_num("premiere")},
                    CASE WHEN g.personnes > 0 THEN {_num("premiere")}
                        + {_num("enfant")} * (g.personnes - 1)
                        + ({_num("autre")} - {_num("enfant")})
                            * (SELECT count(*) FROM unnest(g.autres_naissances) AS n
                               WHERE n <= :annee_adulte)
                    ELSE 0 END
                    + {_num("enfant")} * g.a_naitre) AS uc
            WHERE g.durs_ok
            OFFSET 0
        ) AS b
    ) AS s ON true
), k AS MATERIALIZED (
    SELECT h.*, (durs_ok AND (NOT :souples OR NOT (te_inc OR te_ko OR rav_ko))) AS garde
    FROM h
)
SELECT
    (SELECT json_build_object(
        'SOUHAITENT', count(*),
        'CANDIDATS', count(*) FILTER (WHERE garde),
        'TYPOLOGIE_SOUHAITEE', count(*) FILTER (WHERE groupe = 1),
        'TYPOLOGIE_TAILLE', count(*) FILTER (WHERE groupe = 2),
        'PLAFOND', count(*) FILTER (WHERE groupe = 3),
        'HORS_PERIMETRE', count(*) FILTER (WHERE groupe = 0 AND hp),
        'REFUS_ANTERIEUR', count(*) FILTER (WHERE groupe = 0 AND rf),
        'ETAGE', count(*) FILTER (WHERE groupe = 0 AND etage_ko),
        'RESSOURCES_INCONNUES', count(*) FILTER (WHERE groupe = 0 AND rinc),
        'TAUX_EFFORT_INCALCULABLE', count(*) FILTER (WHERE te_inc),
        'TAUX_EFFORT', count(*) FILTER (WHERE te_ko),
        'RESTE_A_VIVRE', count(*) FILTER (WHERE rav_ko){comptes_besoins}
    ) FROM k) AS comptes,
    (SELECT json_agg(json_build_array(demande_id, version, points::text) ORDER BY {_RANG})
     FROM (SELECT * FROM k WHERE garde ORDER BY {_RANG} OFFSET :oc LIMIT :lc) AS c) AS candidats,
    (SELECT json_agg(json_build_array(demande_id, version, points::text) ORDER BY {_RANG_EXCLUES})
     FROM (SELECT * FROM k WHERE NOT garde ORDER BY {_RANG_EXCLUES} OFFSET :ox LIMIT :lx) AS x)
        AS exclues
"""
    return sql, params


def _json(valeur: Any) -> Any:
    return json.loads(valeur) if isinstance(valeur, str | bytes) else valeur


def _ids(lignes: Any) -> list[tuple[UUID, int, Decimal | None]]:
    return [
        (UUID(i), int(v), None if p is None else Decimal(p)) for i, v, p in (_json(lignes) or [])
    ]


async def rechercher(
    session: AsyncSession, c: Criteres, pages: tuple[int, int, int, int]
) -> ResultatSql:
    sql, params = requete(c, pages)
    row = (await session.execute(sa.text(sql), params)).one()
    comptes = {k: int(v) for k, v in _json(row.comptes).items()}
    souhaitent = comptes.pop("SOUHAITENT")
    candidats = comptes.pop("CANDIDATS")
    return ResultatSql(
        souhaitent=souhaitent,
        candidats_total=candidats,
        comptes=comptes,
        candidats=_ids(row.candidats),
        exclues=_ids(row.exclues),
        prefiltrees=sum(comptes[k] for k in ("TYPOLOGIE_SOUHAITEE", "TYPOLOGIE_TAILLE", "PLAFOND")),
    )
