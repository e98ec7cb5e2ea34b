"""Storage of demandes: the aggregate <-> its row, search, duplicates, pièces, daily-job
selections."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from toit_referentiel.calendrier import add_months as ajouter_mois

from servicekit.exceptions import VersionObsolete
from toit_contracts.enums import (
    MotifIrrecevabilite,
    MotifRadiation,
    OrigineDecision,
    StatutDemande,
)
from toit_demandes.adapters.tables import (
    demande_communes,
    demande_typologies,
    demandes,
    historique,
    pieces,
    sequences_numero,
)
from toit_demandes.domain.demande import (
    DecisionIrrecevabilite,
    Demande,
    Evenement,
    Intervenant,
    PreavisRadiation,
    TypeEvenement,
    TypeIntervenant,
)
from toit_demandes.domain.doublons import (
    CleIdentite,
    cle_identite,
    empreinte_nir,
    normaliser,
    premier_prenom,
)
from toit_demandes.domain.historique import Changement
from toit_demandes.domain.pieces import StatutPiece
from toit_demandes.domain.saisie import DemandeSaisie


class VersionPerimee(VersionObsolete):
    """The demande changed since the version the caller read (HTTP 412)."""


def _maintenant() -> datetime:
    return datetime.now(UTC)


def _colonnes(demande: Demande) -> dict[str, Any]:
    d = demande.saisie.demandeur
    preavis = demande.preavis_radiation
    return {
        "version": demande.version,
        "statut": demande.statut.value,
        "departement": demande.saisie.departement,
        "numero_unique": demande.numero_unique,
        "nom_naissance": normaliser(d.nom_naissance),
        "nom_usage": normaliser(d.nom_usage) if d.nom_usage else None,
        "prenom": premier_prenom(d.prenoms),
        "date_naissance": d.date_naissance,
        "nir_empreinte": empreinte_nir(d.nir) if d.nir else None,
        "proprietaire": demande.proprietaire,
        "guichet": demande.guichet,
        "date_depot_initial": demande.date_depot_initial,
        "date_enregistrement": demande.date_enregistrement,
        "date_dernier_renouvellement": demande.date_dernier_renouvellement,
        "date_expiration": demande.date_expiration,
        "date_radiation": demande.date_radiation,
        "motif_radiation": demande.motif_radiation.value if demande.motif_radiation else None,
        "sous_motif_radiation": (
            demande.sous_motif_radiation.value if demande.sous_motif_radiation else None
        ),
        "preavis_radiation": None
        if preavis is None
        else {
            "motif": preavis.motif.value,
            "sous_motif": preavis.sous_motif.value if preavis.sous_motif else None,
            "notifie_le": preavis.notifie_le.isoformat(),
            "effet_le": preavis.effet_le.isoformat(),
            "decision": None
            if preavis.decision is None
            else {
                "origine": preavis.decision.origine.value,
                "fondement": preavis.decision.fondement,
                "date_decision": preavis.decision.date_decision.isoformat(),
                "reference": preavis.decision.reference,
            },
        },
        "preavis_radiation_effet": preavis.effet_le if preavis else None,
        "preavis_renouvellement_pour": demande.preavis_renouvellement_pour,
        "delai_anormalement_long_signale": demande.delai_anormalement_long_signale,
        "doublons_ecartes": [str(i) for i in demande.doublons_ecartes],
        "fusionnee_dans": demande.fusionnee_dans,
        "document": demande.document(),
        "modifie_le": _maintenant(),
    }


def _lignes_historique(demande: Demande) -> list[dict[str, Any]]:
    """The historique lines of the demande's new events (without their demande_id)."""
    return [
        {
            "date": e.date,
            "intervenant_type": e.intervenant.type.value,
            "utilisateur": e.intervenant.utilisateur,
            "organisation": e.intervenant.organisation,
            "type": e.type.value,
            "description": e.description[:500],
            "changements": [
                {"champ": c.champ, "avant": c.avant, "apres": c.apres} for c in e.changements
            ],
        }
        for e in demande.nouveaux_evenements
    ]


def _decision(stockee: dict[str, Any] | None) -> DecisionIrrecevabilite | None:
    if stockee is None:
        return None
    return DecisionIrrecevabilite(
        origine=OrigineDecision(stockee["origine"]),
        fondement=stockee["fondement"],
        date_decision=date.fromisoformat(stockee["date_decision"]),
        reference=stockee["reference"],
    )


def _depuis_ligne(row: Any) -> Demande:
    preavis = row.preavis_radiation
    return Demande(
        saisie=DemandeSaisie.model_validate(row.document),
        date_depot_initial=row.date_depot_initial,
        id=row.id,
        statut=StatutDemande(row.statut),
        version=row.version,
        numero_unique=row.numero_unique,
        guichet=row.guichet,
        proprietaire=row.proprietaire,
        date_enregistrement=row.date_enregistrement,
        date_dernier_renouvellement=row.date_dernier_renouvellement,
        date_expiration=row.date_expiration,
        motif_radiation=MotifRadiation(row.motif_radiation) if row.motif_radiation else None,
        sous_motif_radiation=(
            MotifIrrecevabilite(row.sous_motif_radiation) if row.sous_motif_radiation else None
        ),
        date_radiation=row.date_radiation,
        preavis_radiation=None
        if preavis is None
        else PreavisRadiation(
            motif=MotifRadiation(preavis["motif"]),
            sous_motif=MotifIrrecevabilite(preavis["sous_motif"])
            if preavis["sous_motif"]
            else None,
            notifie_le=date.fromisoformat(preavis["notifie_le"]),
            effet_le=date.fromisoformat(preavis["effet_le"]),
            decision=_decision(preavis.get("decision")),
        ),
        preavis_renouvellement_pour=row.preavis_renouvellement_pour,
        delai_anormalement_long_signale=row.delai_anormalement_long_signale,
        doublons_ecartes=[UUID(i) for i in row.doublons_ecartes],
        fusionnee_dans=row.fusionnee_dans,
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


# Built once: SQLAlchemy caches the compiled form of a statement object, so the hot paths
# (read for update, save, historique) skip building and compiling SQL on every request.
_LIRE = sa.select(demandes).where(demandes.c.id == sa.bindparam("b_id"))
_LIRE_POUR_MODIFIER = _LIRE.with_for_update()
# SET columns come from the parameter keys (the columns of `_colonnes`).
_SAUVER = demandes.update().where(
    demandes.c.id == sa.bindparam("b_id"), demandes.c.version == sa.bindparam("b_version_lue")
)
_HISTORISER = historique.insert()
# PostgreSQL: the save and its one historique line in one statement (one round trip). The
# line is selected from the rows the update returns: a stale version writes neither.
_COLONNES_SAUVEES = [c for c in demandes.c if c.name not in ("id", "cree_le")]
_COLONNES_HISTORIQUE = [c for c in historique.c if c.name not in ("id", "demande_id")]
_MISE_A_JOUR = (
    demandes.update()
    .where(
        demandes.c.id == sa.bindparam("b_id"),
        demandes.c.version == sa.bindparam("b_version_lue"),
    )
    .values({c: sa.bindparam(f"s_{c.name}", type_=c.type) for c in _COLONNES_SAUVEES})
    .returning(demandes.c.id)
    .cte("mise_a_jour")
)
_SAUVER_ET_HISTORISER = (
    historique.insert()
    .add_cte(_MISE_A_JOUR)
    .from_select(
        ["demande_id", *(c.name for c in _COLONNES_HISTORIQUE)],
        sa.select(
            _MISE_A_JOUR.c.id,
            *(sa.bindparam(f"h_{c.name}", type_=c.type) for c in _COLONNES_HISTORIQUE),
        ),
    )
    .returning(historique.c.id)
)


def _criteres_de(demande: Demande) -> tuple[tuple[str, ...], tuple[str, ...]]:
    lr = demande.saisie.logement_recherche
    return tuple(lr.communes), tuple(t.value for t in lr.typologies)


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


class DemandeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Wished communes and typologies as read, per demande: a save rewrites their search
        # rows only when they changed (most modifications touch neither).
        self._criteres_lus: dict[UUID, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    async def ajouter(self, demande: Demande) -> None:
        values = _colonnes(demande)
        await self.session.execute(
            demandes.insert().values(id=demande.id, cree_le=values["modifie_le"], **values)
        )
        await self._criteres(demande, nouveau=True)
        self._criteres_lus[demande.id] = _criteres_de(demande)
        await self._historiser(demande)

    async def get(self, demande_id: UUID, *, pour_modifier: bool = False) -> Demande | None:
        query = _LIRE_POUR_MODIFIER if pour_modifier else _LIRE
        row = (await self.session.execute(query, {"b_id": demande_id})).first()
        if row is None:
            return None
        demande = _depuis_ligne(row)
        self._criteres_lus[demande.id] = _criteres_de(demande)
        return demande

    async def sauver(self, demande: Demande, version_lue: int) -> None:
        """Writes the demande if nobody changed it since `version_lue`, else VersionPerimee."""
        colonnes = _colonnes(demande)
        lignes = _lignes_historique(demande)
        if len(lignes) == 1 and self.session.get_bind().dialect.name == "postgresql":
            result = await self.session.execute(
                _SAUVER_ET_HISTORISER,
                {
                    "b_id": demande.id,
                    "b_version_lue": version_lue,
                    **{f"s_{nom}": valeur for nom, valeur in colonnes.items()},
                    **{f"h_{nom}": valeur for nom, valeur in lignes[0].items()},
                },
            )
            if len(result.all()) != 1:
                raise VersionPerimee()
            demande.nouveaux_evenements = []
        else:
            result = await self.session.execute(
                _SAUVER, {"b_id": demande.id, "b_version_lue": version_lue, **colonnes}
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise VersionPerimee()
        if self._criteres_lus.get(demande.id) != _criteres_de(demande):
            await self._criteres(demande, nouveau=False)
            self._criteres_lus[demande.id] = _criteres_de(demande)
        await self._historiser(demande)

    async def supprimer(self, demande_id: UUID) -> None:
        for table in (demande_communes, demande_typologies, historique):
            await self.session.execute(table.delete().where(table.c.demande_id == demande_id))
        await self.session.execute(demandes.delete().where(demandes.c.id == demande_id))

    async def _criteres(self, demande: Demande, *, nouveau: bool) -> None:
        if not nouveau:
            for table in (demande_communes, demande_typologies):
                await self.session.execute(table.delete().where(table.c.demande_id == demande.id))
        lr = demande.saisie.logement_recherche
        await self.session.execute(
            demande_communes.insert(),
            [
                {"demande_id": demande.id, "rang": rang, "commune": commune}
                for rang, commune in enumerate(lr.communes, start=1)
            ],
        )
        await self.session.execute(
            demande_typologies.insert(),
            [{"demande_id": demande.id, "typologie": t.value} for t in lr.typologies],
        )

    async def _historiser(self, demande: Demande) -> None:
        if not demande.nouveaux_evenements:
            return
        await self.session.execute(
            _HISTORISER,
            [{"demande_id": demande.id, **ligne} for ligne in _lignes_historique(demande)],
        )
        demande.nouveaux_evenements = []

    async def renouvelee_en_ligne(self, demande_id: UUID) -> bool:
        """The applicant renewed this demande on the portal at least once (R441-2-7 CCH:
        the renewal notice channel depends on it)."""
        h = historique.c
        ligne = await self.session.execute(
            sa.select(h.id)
            .where(
                h.demande_id == demande_id,
                h.type == TypeEvenement.RENOUVELLEMENT.value,
                h.intervenant_type == TypeIntervenant.PORTAIL.value,
            )
            .limit(1)
        )
        return ligne.first() is not None

    async def historique(self, demande_id: UUID) -> list[Evenement]:
        rows = await self.session.execute(
            sa.select(historique)
            .where(historique.c.demande_id == demande_id)
            .order_by(historique.c.id)
        )
        return [
            Evenement(
                date=row.date,
                intervenant=Intervenant(
                    TypeIntervenant(row.intervenant_type), row.utilisateur, row.organisation
                ),
                type=TypeEvenement(row.type),
                description=row.description,
                changements=[
                    Changement(c["champ"], c["avant"], c["apres"]) for c in row.changements
                ],
            )
            for row in rows
        ]

    async def deplacer_historique(self, depuis: UUID, vers: UUID) -> None:
        await self.session.execute(
            historique.update().where(historique.c.demande_id == depuis).values(demande_id=vers)
        )

    # --- numéro unique ------------------------------------------------------------------------

    async def ajouter_en_masse(self, lot: list[Demande]) -> None:
        """Inserts many new demandes with a few multi-row statements (bulk import)."""
        maintenant = _maintenant()
        await self.session.execute(
            demandes.insert(), [{"id": d.id, "cree_le": maintenant, **_colonnes(d)} for d in lot]
        )
        await self.session.execute(
            demande_communes.insert(),
            [
                {"demande_id": d.id, "rang": rang, "commune": commune}
                for d in lot
                for rang, commune in enumerate(d.saisie.logement_recherche.communes, start=1)
            ],
        )
        await self.session.execute(
            demande_typologies.insert(),
            [
                {"demande_id": d.id, "typologie": t.value}
                for d in lot
                for t in d.saisie.logement_recherche.typologies
            ],
        )
        for demande in lot:
            await self._historiser(demande)

    async def numeros_existants(self, numeros: list[str]) -> set[str]:
        if not numeros:
            return set()
        lignes = await self.session.execute(
            sa.select(demandes.c.numero_unique).where(demandes.c.numero_unique.in_(numeros))
        )
        return {str(n) for n in lignes.scalars()}

    async def relever_sequence(self, departement: str, annee: int, au_moins: int) -> None:
        """The next numbers of (département, year) come after `au_moins` (migrated ones)."""
        dialect = self.session.get_bind().dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(sequences_numero)
        valeur = sequences_numero.c.valeur
        await self.session.execute(
            insert.values(
                departement=departement, annee=annee, valeur=au_moins
            ).on_conflict_do_update(
                index_elements=["departement", "annee"],
                set_={"valeur": sa.case((valeur < au_moins, au_moins), else_=valeur)},
            )
        )

    async def prochaine_sequence(self, departement: str, annee: int) -> int:
        return await self.reserver_sequences(departement, annee, 1)

    async def reserver_sequences(self, departement: str, annee: int, nombre: int) -> int:
        """Reserves `nombre` consecutive numbers and returns the first; one atomic upsert
        whose row stays locked until commit, so concurrent registrations queue up."""
        dialect = self.session.get_bind().dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(sequences_numero)
        statement = (
            insert.values(departement=departement, annee=annee, valeur=nombre)
            .on_conflict_do_update(
                index_elements=["departement", "annee"],
                set_={"valeur": sequences_numero.c.valeur + nombre},
            )
            .returning(sequences_numero.c.valeur)
        )
        derniere = int((await self.session.execute(statement)).scalar_one())
        return derniere - nombre + 1

    # --- search -------------------------------------------------------------------------------

    async def rechercher(
        self, criteres: Criteres, *, tri: str, page: int, par_page: int
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
        if self.session.in_transaction():
            connexion = await self.session.connection()
        else:
            # Reads only: no BEGIN and ROLLBACK around them (two round trips of four).
            connexion = await self.session.connection(
                execution_options={"isolation_level": "AUTOCOMMIT"}
            )
        rows = (await connexion.execute(lire_page, parametres)).all()
        # The page carries the count; an empty page (none found, or past the end) asks it.
        total = (
            rows[0].total if rows else (await connexion.execute(compter, parametres)).scalar_one()
        )
        return [_resume(row) for row in rows], min(total, LIMITE_TOTAL), total <= LIMITE_TOTAL

    async def doublons_potentiels(
        self, cle: CleIdentite, sauf: UUID | None = None
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
        rows = await self.session.execute(query.order_by(demandes.c.date_depot_initial))
        return [_depuis_ligne(row) for row in rows]

    # --- daily jobs ---------------------------------------------------------------------------

    async def ids(self, where: Selection, limite: int = 500) -> Sequence[UUID]:
        rows = await self.session.execute(
            sa.select(demandes.c.id).where(where).order_by(demandes.c.id).limit(limite)
        )
        return [row.id for row in rows]


def cle(demande: Demande) -> CleIdentite:
    return cle_identite(demande.saisie)


# --- pièces ------------------------------------------------------------------------------------


class PieceRepository:
    """The pièces' rows (their files live in `adapters.stockage`)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ajouter(self, ligne: dict[str, Any]) -> None:
        await self.session.execute(pieces.insert().values(**ligne))

    async def de_la_demande(self, demande_id: UUID) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            sa.select(pieces).where(pieces.c.demande_id == demande_id).order_by(pieces.c.depose_le)
        )
        return [dict(row._mapping) for row in rows]

    async def get(self, demande_id: UUID, piece_id: UUID) -> dict[str, Any] | None:
        row = (
            await self.session.execute(
                sa.select(pieces).where(pieces.c.id == piece_id, pieces.c.demande_id == demande_id)
            )
        ).first()
        return None if row is None else dict(row._mapping)

    async def statuer(
        self,
        piece_id: UUID,
        statut: str,
        motif_refus: str | None,
        statue_le: datetime,
        statue_par: str | None,
    ) -> None:
        await self.session.execute(
            pieces.update()
            .where(pieces.c.id == piece_id)
            .values(
                statut=statut,
                motif_refus=motif_refus,
                statue_le=statue_le,
                statue_par=statue_par,
            )
        )

    async def une_non_refusee(self, demande_id: UUID, types: Sequence[str], personne: str) -> bool:
        """Is there a pièce of one of these types for this person, not refused?"""
        trouvee = await self.session.execute(
            sa.select(pieces.c.id)
            .where(
                pieces.c.demande_id == demande_id,
                pieces.c.type.in_(types),
                pieces.c.personne == personne,
                pieces.c.statut != StatutPiece.REFUSEE.value,
            )
            .limit(1)
        )
        return trouvee.first() is not None

    async def cles_stockage(self, demande_id: UUID) -> list[str]:
        rows = await self.session.execute(
            sa.select(pieces.c.cle_stockage).where(pieces.c.demande_id == demande_id)
        )
        return [cle_stockage for (cle_stockage,) in rows]

    async def supprimer_de(self, demande_id: UUID) -> None:
        await self.session.execute(pieces.delete().where(pieces.c.demande_id == demande_id))

    async def deplacer(self, depuis: UUID, vers: UUID) -> None:
        """A merge: the duplicate's pièces move to the demande kept."""
        await self.session.execute(
            pieces.update().where(pieces.c.demande_id == depuis).values(demande_id=vers)
        )


# --- daily-job selections (the rows each job re-checks under its row lock) -----------------------

Selection = sa.ColumnElement[bool]
_d = demandes.c
_ACTIVES = _d.statut == StatutDemande.ACTIVE.value


def a_prevenir_du_renouvellement(jour: date, preavis_mois: int) -> Selection:
    return sa.and_(
        _ACTIVES,
        _d.date_expiration > jour,
        _d.date_expiration <= ajouter_mois(jour, preavis_mois),
        sa.or_(
            _d.preavis_renouvellement_pour.is_(None),
            _d.preavis_renouvellement_pour != _d.date_expiration,
        ),
    )


def a_expirer(jour: date) -> Selection:
    return sa.and_(_ACTIVES, _d.date_expiration <= jour)


def a_radier_faute_de_renouvellement(jour: date, grace_mois: int) -> Selection:
    return sa.and_(
        _d.statut == StatutDemande.EXPIREE_GRACE.value,
        _d.date_expiration <= ajouter_mois(jour, -grace_mois),
    )


def preavis_de_radiation_echus(jour: date) -> Selection:
    return sa.and_(
        _d.preavis_radiation_effet <= jour,
        _d.statut.in_([StatutDemande.ACTIVE.value, StatutDemande.EXPIREE_GRACE.value]),
    )


def a_purger(
    jour: date,
    conservation_apres_radiation_mois: int,
    brouillon_mois: int,
    a_valider_mois: int = 3,
) -> Selection:
    return sa.or_(
        sa.and_(
            _d.statut == StatutDemande.A_VALIDER.value,
            _d.date_depot_initial <= ajouter_mois(jour, -a_valider_mois),
        ),
        sa.and_(
            _d.statut == StatutDemande.RADIEE.value,
            _d.date_radiation <= ajouter_mois(jour, -conservation_apres_radiation_mois),
        ),
        sa.and_(
            _d.statut == StatutDemande.BROUILLON.value,
            _d.date_depot_initial <= ajouter_mois(jour, -brouillon_mois),
        ),
    )


def delai_anormalement_long_a_signaler(jour: date, departement: str, delai_mois: int) -> Selection:
    return sa.and_(
        _ACTIVES,
        _d.departement == departement,
        _d.delai_anormalement_long_signale.is_(False),
        _d.date_depot_initial <= ajouter_mois(jour, -delai_mois),
    )
