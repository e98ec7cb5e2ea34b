"""Search of demandes (criteria, sort, bounded count) and of potential duplicates."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_contracts.enums import (
    StatutDemande,
)
from toit_demandes.adapters.repository.lignes import depuis_ligne
from toit_demandes.adapters.tables import (
    demande_communes,
    demande_typologies,
    demandes,
)
from toit_demandes.domain.demande import (
    Demande,
)
from toit_demandes.domain.doublons import (
    CleIdentite,
    cle_identite,
    normaliser,
)


@dataclass(frozen=True)
class Resume:
    """A line of a search result, read from the stored document without re-validating it."""

    id: UUID
    numero_unique: str | None
    statut: str
    departement: str
    nom: str
    prenoms: str
    date_naissance: date
    date_depot_initial: date
    communes: list[str]
    typologies: list[str]


def _resume(row: Any) -> Resume:
    demandeur = row.document["demandeur"]
    recherche = row.document["logement_recherche"]
    return Resume(
        id=row.id,
        numero_unique=row.numero_unique,
        statut=row.statut,
        departement=row.departement,
        nom=demandeur.get("nom_usage") or demandeur["nom_naissance"],
        prenoms=demandeur["prenoms"],
        date_naissance=row.date_naissance,
        date_depot_initial=row.date_depot_initial,
        communes=recherche["communes"],
        typologies=recherche["typologies"],
    )


@dataclass(frozen=True)
class Criteres:
    numero_unique: str | None = None
    nom: str | None = None
    date_naissance: date | None = None
    commune: str | None = None
    statut: StatutDemande | None = None
    typologie: str | None = None
    departement: str | None = None
    # Deposited on or before this date (online submissions waiting too long for validation).
    depot_au_plus_tard: date | None = None
    # Access scope: the départements (and communes, when restricted) of an agent,
    # or the account of a demandeur.
    departements_autorises: frozenset[str] | None = None
    communes_autorisees: frozenset[str] | None = None
    proprietaire: str | None = None


# Sort keys of a search, by column name; every one is stored in the name indexes too.
TRIS: dict[str, tuple[str, ...]] = {
    "date_depot": ("date_depot_initial", "id"),
    "nom": ("nom_naissance", "prenom", "id"),
    "numero_unique": ("numero_unique", "id"),
}
# What the candidates of a search carry: their id and the sort keys. The name indexes
# include these columns (migration 0003), so a search by name reads indexes only until
# it fetches the rows of the page.
_CLES = (
    demandes.c.id,
    demandes.c.nom_naissance,
    demandes.c.prenom,
    demandes.c.date_depot_initial,
    demandes.c.numero_unique,
)
# A search counts its results up to this bound: past it, `total` says "at least".
LIMITE_TOTAL = 10_000


def _valeurs(c: Criteres) -> dict[str, Any]:
    """The criteria given, by the name of their bind parameter in `_CONDITIONS`."""
    valeurs: dict[str, Any] = {
        "numero_unique": c.numero_unique or None,
        "date_naissance": c.date_naissance,
        "statut": c.statut.value if c.statut else None,
        "departement": c.departement or None,
        "depot_au_plus_tard": c.depot_au_plus_tard,
        "commune": c.commune or None,
        "typologie": c.typologie or None,
        "proprietaire": c.proprietaire,
        "departements_autorises": (
            None if c.departements_autorises is None else sorted(c.departements_autorises)
        ),
        "communes_autorisees": sorted(c.communes_autorisees) if c.communes_autorisees else None,
    }
    if c.nom:
        prefixe = normaliser(c.nom).replace("\\", "").replace("%", "").replace("_", "")
        valeurs["motif"] = f"{prefixe}%"
    return {nom: valeur for nom, valeur in valeurs.items() if valeur is not None}


def _commune_souhaitee(communes: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    return sa.exists().where(demande_communes.c.demande_id == demandes.c.id, communes)


_CONDITIONS: dict[str, Callable[[], sa.ColumnElement[bool]]] = {
    "numero_unique": lambda: demandes.c.numero_unique == sa.bindparam("numero_unique"),
    "date_naissance": lambda: demandes.c.date_naissance == sa.bindparam("date_naissance"),
    "statut": lambda: demandes.c.statut == sa.bindparam("statut"),
    "departement": lambda: demandes.c.departement == sa.bindparam("departement"),
    "depot_au_plus_tard": lambda: (
        demandes.c.date_depot_initial <= sa.bindparam("depot_au_plus_tard")
    ),
    "commune": lambda: _commune_souhaitee(demande_communes.c.commune == sa.bindparam("commune")),
    "typologie": lambda: sa.exists().where(
        demande_typologies.c.demande_id == demandes.c.id,
        demande_typologies.c.typologie == sa.bindparam("typologie"),
    ),
    "proprietaire": lambda: demandes.c.proprietaire == sa.bindparam("proprietaire"),
    "departements_autorises": lambda: demandes.c.departement.in_(
        sa.bindparam("departements_autorises", expanding=True)
    ),
    "communes_autorisees": lambda: _commune_souhaitee(
        demande_communes.c.commune.in_(sa.bindparam("communes_autorisees", expanding=True))
    ),
}


@functools.lru_cache(maxsize=256)
def _recherche(criteres: tuple[str, ...], tri: str) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The count and page statements of one shape of search (which criteria, which sort),
    built once: their values are bind parameters, so SQLAlchemy reuses their compiled SQL.

    The candidates are ids and sort keys. A name matches the start of the nom de naissance
    or of the nom d'usage: one branch per name index (disjoint, each a range of its own
    index) instead of one OR that reads every candidate row from the table."""
    conditions = [_CONDITIONS[nom]() for nom in criteres if nom != "motif"]
    conditions.append(demandes.c.fusionnee_dans.is_(None))
    if "motif" in criteres:
        motif: sa.BindParameter[str] = sa.bindparam("motif")
        branches = [
            sa.select(*_CLES).where(*conditions, demandes.c.nom_naissance.like(motif)),
            sa.select(*_CLES).where(
                *conditions,
                demandes.c.nom_usage.like(motif),
                sa.not_(demandes.c.nom_naissance.like(motif)),
            ),
        ]
    else:
        branches = [sa.select(*_CLES).where(*conditions)]

    def trie(selection: sa.Select[Any]) -> sa.Select[Any]:
        colonnes = selection.selected_columns
        return selection.order_by(*(colonnes[nom] for nom in TRIS[tri]))

    tous = sa.union_all(*branches) if len(branches) > 1 else branches[0]
    compter = sa.select(sa.func.count()).select_from(
        sa.select(tous.subquery().c.id).limit(sa.bindparam("borne")).subquery()
    )
    candidats = branches[0]
    if len(branches) > 1:
        # Each branch brings its first rows in order (an index scan that stops early when
        # sorting by name), then the page is cut from their union.
        premieres = [
            sa.select(trie(b).limit(sa.bindparam("premieres")).subquery()) for b in branches
        ]
        candidats = sa.select(sa.union_all(*premieres).subquery())
    selection = (
        trie(candidats)
        .limit(sa.bindparam("par_page"))
        .offset(sa.bindparam("debut"))
        .subquery("selection")
    )
    # Only the rows of the page are read from the table; each carries the bounded count.
    lire_page = (
        sa.select(
            demandes.c.id,
            demandes.c.numero_unique,
            demandes.c.statut,
            demandes.c.departement,
            demandes.c.date_naissance,
            demandes.c.date_depot_initial,
            demandes.c.document,
            compter.scalar_subquery().label("total"),
        )
        .join(selection, selection.c.id == demandes.c.id)
        .order_by(*(selection.c[nom] for nom in TRIS[tri]))
    )
    return compter, lire_page


async def rechercher(
    session: AsyncSession, criteres: Criteres, *, tri: str, page: int, par_page: int
) -> tuple[list[Resume], int, bool]:
    """One page of the results, their number and whether that number is exact (it stops
    at LIMITE_TOTAL: an exact count over hundreds of thousands of rows says little and
    costs much)."""
    valeurs = _valeurs(criteres)
    compter, lire_page = _recherche(tuple(sorted(valeurs)), tri)
    parametres = {
        **valeurs,
        "borne": LIMITE_TOTAL + 1,
        "debut": (page - 1) * par_page,
        "par_page": par_page,
        "premieres": page * par_page,
    }
    if session.in_transaction():
        connexion = await session.connection()
    else:
        # Reads only: no BEGIN and ROLLBACK around them (two round trips of four).
        connexion = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    rows = (await connexion.execute(lire_page, parametres)).all()
    # The page carries the count; an empty page (none found, or past the end) asks it.
    total = rows[0].total if rows else (await connexion.execute(compter, parametres)).scalar_one()
    return [_resume(row) for row in rows], min(total, LIMITE_TOTAL), total <= LIMITE_TOTAL


async def doublons_potentiels(
    session: AsyncSession, cle: CleIdentite, sauf: UUID | None = None
) -> list[Demande]:
    """Demandes of the same département sharing the NIR, or a name, the first given name
    and the birth date (radiées and purgées left out)."""
    noms = sorted(cle.noms)
    meme_identite = sa.and_(
        demandes.c.date_naissance == cle.date_naissance,
        demandes.c.prenom == cle.prenom,
        sa.or_(demandes.c.nom_naissance.in_(noms), demandes.c.nom_usage.in_(noms)),
    )
    condition = (
        sa.or_(demandes.c.nir_empreinte == cle.nir, meme_identite) if cle.nir else meme_identite
    )
    query = sa.select(demandes).where(
        demandes.c.departement == cle.departement,
        demandes.c.statut.notin_([StatutDemande.RADIEE.value, StatutDemande.PURGEE.value]),
        demandes.c.fusionnee_dans.is_(None),
        condition,
    )
    if sauf is not None:
        query = query.where(demandes.c.id != sauf)
    rows = await session.execute(query.order_by(demandes.c.date_depot_initial))
    return [depuis_ligne(row) for row in rows]


def cle(demande: Demande) -> CleIdentite:
    return cle_identite(demande.saisie)
