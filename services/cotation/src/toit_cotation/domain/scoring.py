"""The scoring function: (demande snapshot, grid version, reference date) → note.

A grid is compiled once into closures over the facts it reads; scoring a
demande computes only those facts, then adds the points of each criterion in
hundredths (integers: exact and fast). The result keeps the facts used and
their hash, so "why did my score change?" has an answer.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from toit_cotation.domain.champs import CHAMPS, EXTRACTEURS, Contexte, Snapshot
from toit_cotation.domain.grille import (
    Comparaison,
    CritereCondition,
    CriterePointsParMois,
    CritereTable,
    CritereTranches,
    Grille,
    Operateur,
)

Faits = Mapping[str, Any]
Regle = Callable[[Faits], int]  # points in hundredths


class CritereObtenu(NamedTuple):
    code: str
    libelle: str
    points: Decimal
    validation_instructeur: bool = False


class Cotation(NamedTuple):
    grille_id: UUID
    grille_version: int
    points: Decimal
    criteres: tuple[CritereObtenu, ...]
    entrees: dict[str, Any]
    empreinte: str

    def meme_resultat(self, autre: Cotation) -> bool:
        return (self.grille_id, self.grille_version, self.points, self.criteres) == (
            autre.grille_id,
            autre.grille_version,
            autre.points,
            autre.criteres,
        )


class _RegleCompilee(NamedTuple):
    regle: Regle
    code: str
    libelle: str
    validation_instructeur: bool


@dataclass(frozen=True)
class GrilleCompilee:
    grille_id: UUID
    grille_version: int
    groupes: tuple[Callable[[Snapshot, Contexte], dict[str, Any]], ...]
    champs: tuple[str, ...]
    regles: tuple[_RegleCompilee, ...]
    fonctions: tuple[Regle, ...]

    def coter(self, snapshot: Snapshot, contexte: Contexte) -> Cotation:
        faits: dict[str, Any] = {}
        for extraire in self.groupes:
            faits.update(extraire(snapshot, contexte))
        points = [regle(faits) for regle in self.fonctions]
        obtenus = tuple(
            CritereObtenu(r.code, r.libelle, _decimal(p), r.validation_instructeur)
            for p, r in zip(points, self.regles, strict=True)
            if p
        )
        entrees = {nom: faits[nom] for nom in self.champs}
        return Cotation(
            self.grille_id,
            self.grille_version,
            _decimal(sum(points)),
            obtenus,
            entrees,
            empreinte(entrees),
        )


def coter(snapshot: Snapshot, grille: Grille, contexte: Contexte) -> Cotation:
    """Convenience form; compile the grid once with `compiler` to score many demandes."""
    return compiler(grille).coter(snapshot, contexte)


def empreinte(entrees: Mapping[str, Any]) -> str:
    """Hash of the inputs used. Values are JSON-like scalars and tuples, whose repr is
    stable across processes; the names are in a fixed order for a compiled grid."""
    texte = repr(tuple(entrees.values()))
    return hashlib.blake2b(texte.encode(), digest_size=16).hexdigest()


_DECIMALES: dict[int, Decimal] = {}


def _decimal(centiemes: int) -> Decimal:
    valeur = _DECIMALES.get(centiemes)
    if valeur is None:
        valeur = Decimal(centiemes).scaleb(-2)
        if len(_DECIMALES) < 100_000:
            _DECIMALES[centiemes] = valeur
    return valeur


def _centiemes(points: Decimal) -> int:
    return int(points * 100)


# --- Compilation -------------------------------------------------------------------------------


def compiler(grille: Grille) -> GrilleCompilee:
    champs: set[str] = set()
    regles: list[_RegleCompilee] = []
    utilise_dal = False
    for critere in grille.definition.criteres:
        if isinstance(critere, CritereCondition):
            champs.update(c.champ for c in critere.conditions)
            regle = _condition(critere)
        elif isinstance(critere, CriterePointsParMois):
            champs.add("anciennete_mois")
            utilise_dal = utilise_dal or (
                critere.bonus_delai_anormalement_long is not None
                and critere.delai_anormalement_long_mois is None
            )
            regle = _points_par_mois(critere)
        elif isinstance(critere, CritereTranches):
            champs.add(critere.champ)
            regle = _tranches(critere)
        else:
            champs.add(critere.champ)
            regle = _table(critere)
        regles.append(
            _RegleCompilee(regle, critere.code, critere.libelle, critere.validation_instructeur)
        )
    if utilise_dal or "delai_anormalement_long_atteint" in champs:
        champs.add("delai_anormalement_long_mois")
    noms_groupes = sorted({CHAMPS[c].groupe for c in champs})
    return GrilleCompilee(
        grille_id=grille.id,
        grille_version=grille.version,
        groupes=tuple(EXTRACTEURS[g] for g in noms_groupes),
        champs=tuple(sorted(champs)),
        regles=tuple(regles),
        fonctions=tuple(r.regle for r in regles),
    )


_COMPARE: dict[Operateur, Callable[[Any, Any], bool]] = {
    Operateur.SUPERIEUR: operator.gt,
    Operateur.SUPERIEUR_OU_EGAL: operator.ge,
    Operateur.INFERIEUR: operator.lt,
    Operateur.INFERIEUR_OU_EGAL: operator.le,
}


def _test(comparaison: Comparaison) -> Callable[[Faits], bool]:
    nom, op, valeur = comparaison.champ, comparaison.operateur, comparaison.valeur
    if op is Operateur.EGAL:
        return lambda f: f[nom] == valeur
    if op is Operateur.DIFFERENT:
        return lambda f: f[nom] != valeur
    if op is Operateur.PARMI:
        ensemble = frozenset(valeur)
        return lambda f: f[nom] in ensemble
    if op is Operateur.HORS:
        ensemble = frozenset(valeur)
        return lambda f: f[nom] is not None and f[nom] not in ensemble
    if op in _COMPARE:
        compare = _COMPARE[op]
        seuil = float(valeur)
        return lambda f: f[nom] is not None and compare(f[nom], seuil)
    if op is Operateur.CONTIENT:
        return lambda f: valeur in f[nom]
    if op is Operateur.CONTIENT_UN_PARMI:
        ensemble = frozenset(valeur)
        return lambda f: not ensemble.isdisjoint(f[nom])
    if op is Operateur.RENSEIGNE:
        return lambda f: f[nom] is not None and f[nom] != ()
    return lambda f: f[nom] is None or f[nom] == ()


def _condition(critere: CritereCondition) -> Regle:
    tests = tuple(_test(c) for c in critere.conditions)
    points = _centiemes(critere.points)
    if len(tests) == 1:
        return _regle_simple(critere.conditions[0], points)
    if len(tests) == 2:
        t1, t2 = tests
        if critere.mode == "toutes":
            return lambda f: points if t1(f) and t2(f) else 0
        return lambda f: points if t1(f) or t2(f) else 0
    if critere.mode == "toutes":
        return lambda f: points if all(t(f) for t in tests) else 0
    return lambda f: points if any(t(f) for t in tests) else 0


def _regle_simple(comparaison: Comparaison, points: int) -> Regle:
    """One comparison: a single closure (the most frequent case, kept fast)."""
    nom, op, valeur = comparaison.champ, comparaison.operateur, comparaison.valeur
    if op is Operateur.EGAL:
        return lambda f: points if f[nom] == valeur else 0
    if op is Operateur.CONTIENT:
        return lambda f: points if valeur in f[nom] else 0
    if op is Operateur.CONTIENT_UN_PARMI:
        ensemble = frozenset(valeur)
        return lambda f: 0 if ensemble.isdisjoint(f[nom]) else points
    test = _test(comparaison)
    return lambda f: points if test(f) else 0


def _points_par_mois(critere: CriterePointsParMois) -> Regle:
    par_mois = _centiemes(critere.points)
    plafond = None if critere.plafond is None else _centiemes(critere.plafond)
    bonus = _centiemes(critere.bonus_delai_anormalement_long or Decimal(0))
    delai_grille = critere.delai_anormalement_long_mois

    def regle(f: Faits) -> int:
        mois: int = f["anciennete_mois"]
        points = mois * par_mois
        if plafond is not None:
            points = min(points, plafond) if par_mois >= 0 else max(points, plafond)
        delai = delai_grille or f["delai_anormalement_long_mois"]
        if bonus and delai is not None and mois >= delai:
            points += bonus
        return points

    return regle


def _tranches(critere: CritereTranches) -> Regle:
    nom = critere.champ
    bandes = tuple(
        (
            float("-inf") if t.de is None else float(t.de),
            float("inf") if t.a is None else float(t.a),
            _centiemes(t.points),
        )
        for t in critere.tranches
    )

    def regle(f: Faits) -> int:
        valeur = f[nom]
        if valeur is None:
            return 0
        for de, a, points in bandes:
            if de <= valeur < a:
                return points
        return 0

    return regle


def _table(critere: CritereTable) -> Regle:
    nom = critere.champ
    table = {cle: _centiemes(points) for cle, points in critere.valeurs.items()}
    if CHAMPS[nom].type.value != "liste":
        return lambda f: table.get(f[nom], 0)
    if critere.cumul:
        return lambda f: sum(table.get(v, 0) for v in f[nom])
    return lambda f: max((table[v] for v in f[nom] if v in table), default=0)
