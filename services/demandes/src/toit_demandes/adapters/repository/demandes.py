"""The demandes' rows: read for update, save with the historique, numéro unique sequences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.exceptions import VersionObsolete
from toit_demandes.adapters.repository import recherche
from toit_demandes.adapters.repository.lignes import (
    colonnes_de,
    criteres_de,
    depuis_ligne,
    horodatage,
    lignes_historique,
)
from toit_demandes.adapters.repository.recherche import Criteres, Resume
from toit_demandes.adapters.repository.selections import Selection
from toit_demandes.adapters.tables import (
    attributions_sne,
    demande_communes,
    demande_typologies,
    demandes,
    historique,
    sequences_numero,
)
from toit_demandes.domain.demande import (
    Demande,
    Evenement,
    Intervenant,
    TypeEvenement,
    TypeIntervenant,
)
from toit_demandes.domain.doublons import (
    CleIdentite,
)
from toit_demandes.domain.historique import Changement


class VersionPerimee(VersionObsolete):
    """The demande changed since the version the caller read (HTTP 412)."""


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


class DemandeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Wished communes and typologies as read, per demande: a save rewrites their search
        # rows only when they changed (most modifications touch neither).
        self._criteres_lus: dict[UUID, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    async def ajouter(self, demande: Demande) -> None:
        values = colonnes_de(demande)
        await self.session.execute(
            demandes.insert().values(id=demande.id, cree_le=values["modifie_le"], **values)
        )
        await self._criteres(demande, nouveau=True)
        self._criteres_lus[demande.id] = criteres_de(demande)
        await self._historiser(demande)

    async def id_par_numero(self, numero_unique: str) -> UUID | None:
        row = (
            await self.session.execute(
                sa.select(demandes.c.id).where(demandes.c.numero_unique == numero_unique).limit(1)
            )
        ).first()
        return row.id if row else None

    async def ids_du_proprietaire(self, compte: str) -> list[UUID]:
        """The demandes followed from this portal account."""
        rows = await self.session.execute(
            sa.select(demandes.c.id).where(demandes.c.proprietaire == compte)
        )
        return list(rows.scalars())

    async def get(self, demande_id: UUID, *, pour_modifier: bool = False) -> Demande | None:
        query = _LIRE_POUR_MODIFIER if pour_modifier else _LIRE
        row = (await self.session.execute(query, {"b_id": demande_id})).first()
        if row is None:
            return None
        demande = depuis_ligne(row)
        self._criteres_lus[demande.id] = criteres_de(demande)
        return demande

    async def sauver(self, demande: Demande, version_lue: int) -> None:
        """Writes the demande if nobody changed it since `version_lue`, else VersionPerimee."""
        colonnes = colonnes_de(demande)
        lignes = lignes_historique(demande)
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
        if self._criteres_lus.get(demande.id) != criteres_de(demande):
            await self._criteres(demande, nouveau=False)
            self._criteres_lus[demande.id] = criteres_de(demande)
        await self._historiser(demande)

    async def enregistrer_attribution(self, ligne: dict[str, Any]) -> None:
        """The SNE data of the attribution that radiated the demande (one per demande)."""
        await self.session.execute(attributions_sne.insert().values(**ligne))

    async def attribution(self, demande_id: UUID) -> dict[str, Any] | None:
        row = (
            (
                await self.session.execute(
                    sa.select(attributions_sne).where(attributions_sne.c.demande_id == demande_id)
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else dict(row)

    async def supprimer(self, demande_id: UUID) -> None:
        for table in (demande_communes, demande_typologies, historique, attributions_sne):
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
            [{"demande_id": demande.id, **ligne} for ligne in lignes_historique(demande)],
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
        maintenant = horodatage()
        await self.session.execute(
            demandes.insert(), [{"id": d.id, "cree_le": maintenant, **colonnes_de(d)} for d in lot]
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

    # --- search (adapters.repository.recherche) -----------------------------------------------

    async def rechercher(
        self, criteres: Criteres, *, tri: str, page: int, par_page: int
    ) -> tuple[list[Resume], int, bool]:
        return await recherche.rechercher(
            self.session, criteres, tri=tri, page=page, par_page=par_page
        )

    async def doublons_potentiels(
        self, cle: CleIdentite, sauf: UUID | None = None
    ) -> list[Demande]:
        return await recherche.doublons_potentiels(self.session, cle, sauf)

    # --- daily jobs ---------------------------------------------------------------------------

    async def ids(self, where: Selection, limite: int = 500) -> Sequence[UUID]:
        rows = await self.session.execute(
            sa.select(demandes.c.id).where(where).order_by(demandes.c.id).limit(limite)
        )
        return [row.id for row in rows]
