"""The scoring function: (demande snapshot, grid version, reference date) → note.

A grid is compiled once into closures over the facts it reads; scoring a
demande computes only those facts, then adds the points of each criterion in
hundredths (integers: exact and fast). The result keeps the facts used and
their hash, so "why did my score change?" has an answer.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from toit_cotation.domain.champs import CHAMPS, EXTRACTEURS, Contexte, Extracteur, Snapshot
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


class _Obtenu:
    """What a criterion contributes for each number of points it gives: the same few
    values recur across demandes, so each CritereObtenu is built once per grid."""

    __slots__ = ("par_points", "regle")

    def __init__(self, regle: _RegleCompilee) -> None:
        self.regle = regle
        self.par_points: dict[int, CritereObtenu] = {}

    def pour(self, centiemes: int) -> CritereObtenu:
        obtenu = self.par_points.get(centiemes)
        if obtenu is None:
            r = self.regle
            obtenu = CritereObtenu(r.code, r.libelle, _decimal(centiemes), r.validation_instructeur)
            if len(self.par_points) < 1000:
                self.par_points[centiemes] = obtenu
        return obtenu


Noter = Callable[[Faits], tuple[int, list[CritereObtenu]]]


@dataclass(frozen=True)
class GrilleCompilee:
    grille_id: UUID
    grille_version: int
    groupes: tuple[Extracteur, ...]
    champs: tuple[str, ...]
    regles: tuple[_RegleCompilee, ...]
    fonctions: tuple[Regle, ...]
    # All the criteria in one generated function (see `_generer`): (total, obtained).
    noter: Noter
    _paires: tuple[tuple[Regle, _Obtenu], ...] = field(init=False, repr=False, compare=False)
    _entrees: Callable[[Faits], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        paires = tuple((r.regle, _Obtenu(r)) for r in self.regles)
        object.__setattr__(self, "_paires", paires)
        # The inputs used, as a tuple in the order of `champs` (C-level lookups).
        if len(self.champs) == 1:
            nom = self.champs[0]
            lire: Callable[[Faits], Any] = lambda f: (f[nom],)  # noqa: E731
        elif self.champs:
            lire = operator.itemgetter(*self.champs)
        else:
            lire = lambda _f: ()  # noqa: E731
        object.__setattr__(self, "_entrees", lire)

    def faits(self, snapshot: Snapshot, contexte: Contexte) -> dict[str, Any]:
        faits: dict[str, Any] = {}
        for extraire in self.groupes:
            extraire(snapshot, contexte, faits)
        return faits

    def coter(self, snapshot: Snapshot, contexte: Contexte) -> Cotation:
        faits = self.faits(snapshot, contexte)
        total, obtenus = self.noter(faits)
        valeurs = self._entrees(faits)
        return Cotation(
            self.grille_id,
            self.grille_version,
            _decimal(total),
            tuple(obtenus),
            dict(zip(self.champs, valeurs, strict=True)),
            _empreinte_des_valeurs(valeurs),
        )

    def noter_par_regles(self, faits: Faits) -> tuple[int, list[CritereObtenu]]:
        """The same as `noter`, one closure per criterion: the reference the generated
        function is tested against."""
        total = 0
        obtenus = []
        for regle, obtenu in self._paires:
            points = regle(faits)
            if points:
                total += points
                obtenus.append(obtenu.pour(points))
        return total, obtenus


def coter(snapshot: Snapshot, grille: Grille, contexte: Contexte) -> Cotation:
    """Convenience form; compile the grid once with `compiler` to score many demandes."""
    return compiler(grille).coter(snapshot, contexte)


def empreinte(entrees: Mapping[str, Any]) -> str:
    """Hash of the inputs used. Values are JSON-like scalars and tuples, whose repr is
    stable across processes; the names are in a fixed order for a compiled grid."""
    return _empreinte_des_valeurs(tuple(entrees.values()))


def _empreinte_des_valeurs(valeurs: tuple[Any, ...]) -> str:
    return hashlib.blake2b(repr(valeurs).encode(), digest_size=16).hexdigest()


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
    obtenus = [_Obtenu(r) for r in regles]
    return GrilleCompilee(
        grille_id=grille.id,
        grille_version=grille.version,
        groupes=tuple(EXTRACTEURS[g] for g in noms_groupes),
        champs=tuple(sorted(champs)),
        regles=tuple(regles),
        fonctions=tuple(r.regle for r in regles),
        noter=_generer(grille.definition.criteres, obtenus),
    )


# --- Generated scoring function ----------------------------------------------------------------
#
# Scoring runs hundreds of thousands of times per grid version: the criteria are also
# compiled into a single Python function, straight-line code with no call per
# criterion. Its source is built from fixed templates only: local names it generates,
# operators from a fixed table, integers it computed. Everything that comes from the
# grid (field names, values, sets, bounds) reaches the function as a keyword default
# argument, never as source text, and the function runs without builtins.


class _Source:
    def __init__(self) -> None:
        self.constantes: dict[str, Any] = {}
        self.variables: dict[str, str] = {}
        self.lignes: list[str] = []

    def constante(self, valeur: Any) -> str:
        nom = f"_c{len(self.constantes)}"
        self.constantes[nom] = valeur
        return nom

    def variable(self, champ: str) -> str:
        if champ not in CHAMPS:
            raise ValueError(f"champ inconnu : {champ}")
        if champ not in self.variables:
            self.variables[champ] = f"v{len(self.variables)}"
        return self.variables[champ]

    def ligne(self, texte: str, retrait: int = 1) -> None:
        self.lignes.append("    " * retrait + texte)


def _expression(source: _Source, comparaison: Comparaison) -> str:
    """The test of one comparison, as a boolean expression (same semantics as `_test`)."""
    v = source.variable(comparaison.champ)
    op, valeur = comparaison.operateur, comparaison.valeur
    if op is Operateur.EGAL:
        return f"({v} == {source.constante(valeur)})"
    if op is Operateur.DIFFERENT:
        return f"({v} != {source.constante(valeur)})"
    if op is Operateur.PARMI:
        return f"({v} in {source.constante(frozenset(valeur))})"
    if op is Operateur.HORS:
        return f"({v} is not None and {v} not in {source.constante(frozenset(valeur))})"
    if op in _COMPARAISONS:
        seuil = source.constante(float(valeur))
        return f"({v} is not None and {v} {_COMPARAISONS[op]} {seuil})"
    if op is Operateur.CONTIENT:
        return f"({source.constante(valeur)} in {v})"
    if op is Operateur.CONTIENT_UN_PARMI:
        return f"(not {source.constante(frozenset(valeur))}.isdisjoint({v}))"
    if op is Operateur.RENSEIGNE:
        return f"({v} is not None and {v} != ())"
    return f"({v} is None or {v} == ())"


_COMPARAISONS = {
    Operateur.SUPERIEUR: ">",
    Operateur.SUPERIEUR_OU_EGAL: ">=",
    Operateur.INFERIEUR: "<",
    Operateur.INFERIEUR_OU_EGAL: "<=",
}


def _points_generes(source: _Source, critere: Any) -> None:
    """Lines that set `p` to the criterion's points in hundredths (same semantics as the
    closures of `compiler`)."""
    if isinstance(critere, CritereCondition):
        lien = " and " if critere.mode == "toutes" else " or "
        test = lien.join(_expression(source, c) for c in critere.conditions)
        source.ligne(f"p = {_centiemes(critere.points)} if {test} else 0")
    elif isinstance(critere, CriterePointsParMois):
        mois = source.variable("anciennete_mois")
        par_mois = _centiemes(critere.points)
        source.ligne(f"p = {mois} * {par_mois}")
        if critere.plafond is not None:
            plafond = _centiemes(critere.plafond)
            sens = ">" if par_mois >= 0 else "<"
            source.ligne(f"if p {sens} {plafond}:")
            source.ligne(f"p = {plafond}", 2)
        bonus = _centiemes(critere.bonus_delai_anormalement_long or Decimal(0))
        if bonus:
            if critere.delai_anormalement_long_mois:
                delai = source.constante(critere.delai_anormalement_long_mois)
            else:
                delai = source.variable("delai_anormalement_long_mois")
            source.ligne(f"if {delai} is not None and {mois} >= {delai}:")
            source.ligne(f"p += {bonus}", 2)
    elif isinstance(critere, CritereTranches):
        v = source.variable(critere.champ)
        source.ligne("p = 0")
        source.ligne(f"if {v} is not None:")
        mot = "if"
        for tranche in critere.tranches:
            bornes = []
            if tranche.de is not None:
                bornes.append(f"{source.constante(float(tranche.de))} <= {v}")
            if tranche.a is not None:
                bornes.append(f"{v} < {source.constante(float(tranche.a))}")
            source.ligne(f"{mot} {' and '.join(bornes)}:", 2)
            source.ligne(f"p = {_centiemes(tranche.points)}", 3)
            mot = "elif"
    else:
        v = source.variable(critere.champ)
        table = source.constante(
            {cle: _centiemes(points) for cle, points in critere.valeurs.items()}
        )
        if CHAMPS[critere.champ].type.value != "liste":
            source.ligne(f"p = {table}.get({v}, 0)")
        elif critere.cumul:
            source.ligne("p = 0")
            source.ligne(f"for x in {v}:")
            source.ligne(f"p += {table}.get(x, 0)", 2)
        else:
            # The best value of the table among the list's (0 when none is listed).
            source.ligne("p = 0")
            source.ligne("trouve = False")
            source.ligne(f"for x in {v}:")
            source.ligne(f"if x in {table} and (not trouve or {table}[x] > p):", 2)
            source.ligne(f"p = {table}[x]", 3)
            source.ligne("trouve = True", 3)


def _generer(criteres: Sequence[Any], obtenus: Sequence[_Obtenu]) -> Noter:
    source = _Source()
    for index, critere in enumerate(criteres):
        _points_generes(source, critere)
        obtenu = source.constante(obtenus[index])
        deja = source.constante(obtenus[index].par_points)
        source.ligne("if p:")
        source.ligne("total += p", 2)
        source.ligne(f"o = {deja}.get(p)", 2)
        source.ligne(f"obtenus.append({obtenu}.pour(p) if o is None else o)", 2)
    chargements = [
        f"    {variable} = f[{source.constante(champ)}]"
        for champ, variable in source.variables.items()
    ]
    parametres = ", ".join(f"{nom}={nom}" for nom in source.constantes)
    texte = "\n".join(
        [
            f"def noter(f, *, {parametres}):" if parametres else "def noter(f):",
            *chargements,
            "    total = 0",
            "    obtenus = []",
            *source.lignes,
            "    return total, obtenus",
        ]
    )
    espace: dict[str, Any] = {"__builtins__": {}, **source.constantes}
    exec(compile(texte, "<grille de cotation>", "exec"), espace)
    fonction: Noter = espace["noter"]
    return fonction


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
        return _comparaison(nom, op, float(valeur))
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
    if op in _COMPARE:
        seuil = float(valeur)
        # One closure per operator: no second call on the hot path.
        if op is Operateur.SUPERIEUR:
            return lambda f: points if (v := f[nom]) is not None and v > seuil else 0
        if op is Operateur.SUPERIEUR_OU_EGAL:
            return lambda f: points if (v := f[nom]) is not None and v >= seuil else 0
        if op is Operateur.INFERIEUR:
            return lambda f: points if (v := f[nom]) is not None and v < seuil else 0
        return lambda f: points if (v := f[nom]) is not None and v <= seuil else 0
    test = _test(comparaison)
    return lambda f: points if test(f) else 0


def _comparaison(nom: str, op: Operateur, seuil: float) -> Callable[[Faits], bool]:
    if op is Operateur.SUPERIEUR:
        return lambda f: (v := f[nom]) is not None and v > seuil
    if op is Operateur.SUPERIEUR_OU_EGAL:
        return lambda f: (v := f[nom]) is not None and v >= seuil
    if op is Operateur.INFERIEUR:
        return lambda f: (v := f[nom]) is not None and v < seuil
    return lambda f: (v := f[nom]) is not None and v <= seuil


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
