"""Listes paramétrables: run a query, save lists, keep their results.

Use cases take an open connection and the caller; they raise domain exceptions
(RequeteInvalide, ListeIntrouvable, ModificationRefusee, VersionPerimee)."""

from __future__ import annotations

import statistics
import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from toit_observatoire.adapters import requetes_sql, tables
from toit_observatoire.domain.listes import (
    Destinataire,
    Liste,
    ListeIntrouvable,
    ModificationRefusee,
    Planification,
    Utilisateur,
    VersionPerimee,
)
from toit_observatoire.domain.perimetre import Perimetre
from toit_observatoire.domain.requetes import Fonction, Requete, valider
from toit_observatoire.domain.resultats import Colonne, Resultat
from toit_observatoire.domain.secret import masquer

NOTE_SECRET = (
    "Secret statistique : les effectifs de moins de {seuil} ménages sont masqués, "
    "ainsi que les cellules qui permettraient de les retrouver par différence."
)


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(round(value, 2))
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


async def executer(
    conn: AsyncConnection,
    requete: Requete,
    perimetre: Perimetre,
    *,
    seuil: int,
    limite: int,
) -> Resultat:
    """Run a checked query within the caller's territory. Every grouped result goes
    through the small-cell suppression."""
    if requete.groupee:
        return await _groupes(conn, requete, perimetre, seuil)
    total = int((await conn.execute(requetes_sql.requete_total(requete, perimetre))).scalar() or 0)
    rows = (await conn.execute(requetes_sql.requete_lignes(requete, perimetre, limite))).all()
    return Resultat(
        colonnes=[Colonne(c.nom, c.libelle, c.type.value) for c in requete.colonnes],
        lignes=[[_json(v) for v in row] for row in rows],
        total=total,
        groupe=False,
        nominatif=requete.nominative,
        tronque=total > len(rows),
    )


async def _groupes(
    conn: AsyncConnection, requete: Requete, perimetre: Perimetre, seuil: int
) -> Resultat:
    postgres = conn.dialect.name == "postgresql"
    await requetes_sql.memoire_de_tri(conn)
    stmt = requetes_sql.requete_groupes(requete, perimetre, postgres)
    rows = [dict(r) for r in (await conn.execute(stmt)).mappings().all()]
    n_keys = len(requete.regroupements)
    key_names = [c.nom for c in requete.regroupements]
    if not postgres:
        for agregat in requete.agregats:
            if agregat.fonction is Fonction.MEDIANE:
                values: dict[tuple[Any, ...], list[float]] = {}
                result = await conn.execute(
                    requetes_sql.valeurs_mediane(requete, agregat, perimetre)
                )
                for row in result.all():
                    values.setdefault(tuple(row[:n_keys]), []).append(float(row[n_keys]))
                for r in rows:
                    found = values.get(tuple(r[k] for k in key_names))
                    r[agregat.nom] = statistics.median(found) if found else None
    total = sum(r["nombre"] for r in rows)
    masked = masquer({tuple(r[k] for k in key_names): r["nombre"] for r in rows}, seuil)
    colonnes = [Colonne(c.nom, c.libelle, c.type.value) for c in requete.regroupements]
    colonnes += [
        Colonne(a.nom, a.libelle, "pourcentage" if a.fonction is Fonction.POURCENTAGE else "nombre")
        for a in requete.agregats
    ]
    lignes: list[list[Any]] = []
    hidden_rows: list[int] = []
    for index, r in enumerate(rows):
        hidden = tuple(r[k] for k in key_names) in masked
        if hidden:
            hidden_rows.append(index)
        line: list[Any] = [_json(r[k]) for k in key_names]
        for a in requete.agregats:
            if hidden:
                line.append(None)
            elif a.fonction is Fonction.NOMBRE:
                line.append(r["nombre"])
            elif a.fonction is Fonction.POURCENTAGE:
                line.append(round(100 * r["nombre"] / total, 2) if total else None)
            else:
                line.append(_json(r.get(a.nom)))
        lignes.append(line)
    return Resultat(
        colonnes=colonnes,
        lignes=lignes,
        total=total,
        groupe=True,
        cellules_masquees=len(masked),
        lignes_masquees=hidden_rows,
        notes=[NOTE_SECRET.format(seuil=seuil)] if masked else [],
    )


# --- Saved lists ------------------------------------------------------------------------------


def liste_de_ligne(row: Any) -> Liste:
    return Liste(
        id=row.id,
        type=row.type,
        domaine=row.domaine,
        titre=row.titre,
        reference=row.reference,
        description=row.description,
        definition=row.definition,
        proprietaire=row.proprietaire,
        organisation=row.organisation,
        destinataires=[Destinataire(**d) for d in row.destinataires],
        modification_destinataires=row.modification_destinataires,
        dossier=row.dossier,
        actif=row.actif,
        conservation_jours=row.conservation_jours,
        planification=Planification(row.planification) if row.planification else None,
        accueil=row.accueil,
        version=row.version,
    )


def _perimetre_json(qui: Utilisateur) -> dict[str, Any]:
    p = qui.perimetre
    return {
        "departements": sorted(p.departements),
        "epcis": sorted(p.epcis),
        "communes": sorted(p.communes),
        "tout": p.tout,
        "nominatif_permis": qui.nominatif_permis,
    }


def _values(liste: Liste) -> dict[str, Any]:
    return {
        "type": liste.type,
        "domaine": liste.domaine,
        "titre": liste.titre,
        "reference": liste.reference,
        "description": liste.description,
        "definition": liste.definition,
        "destinataires": [asdict(d) for d in liste.destinataires],
        "modification_destinataires": liste.modification_destinataires,
        "dossier": liste.dossier,
        "actif": liste.actif,
        "conservation_jours": liste.conservation_jours,
        "planification": liste.planification.value if liste.planification else None,
        "accueil": liste.accueil,
    }


async def creer(conn: AsyncConnection, qui: Utilisateur, liste: Liste) -> Liste:
    requete = valider(liste.definition, nominatif_permis=qui.nominatif_permis)
    liste.domaine = requete.domaine.nom
    liste.id = uuid.uuid4()
    liste.proprietaire = qui.sub
    liste.organisation = qui.organisation
    liste.version = 1
    now = datetime.now(UTC)
    await conn.execute(
        tables.liste.insert().values(
            id=liste.id,
            proprietaire=liste.proprietaire,
            organisation=liste.organisation,
            version=1,
            cree_le=now,
            modifie_le=now,
            perimetre_proprietaire=_perimetre_json(qui),
            **_values(liste),
        )
    )
    return liste


async def lire(conn: AsyncConnection, qui: Utilisateur, liste_id: uuid.UUID) -> Liste:
    row = (await conn.execute(sa.select(tables.liste).where(tables.liste.c.id == liste_id))).first()
    if row is None:
        raise ListeIntrouvable(str(liste_id))
    liste = liste_de_ligne(row)
    if not liste.visible_par(qui):
        raise ListeIntrouvable(str(liste_id))
    return liste


async def modifier(
    conn: AsyncConnection, qui: Utilisateur, liste_id: uuid.UUID, version: int, nouvelle: Liste
) -> Liste:
    current = await lire(conn, qui, liste_id)
    if not current.modifiable_par(qui):
        raise ModificationRefusee(str(liste_id))
    requete = valider(nouvelle.definition, nominatif_permis=qui.nominatif_permis)
    nouvelle.domaine = requete.domaine.nom
    if current.proprietaire != qui.sub:
        # A recipient allowed to edit changes the query, not who receives it.
        nouvelle.destinataires = current.destinataires
        nouvelle.modification_destinataires = current.modification_destinataires
    result = await conn.execute(
        tables.liste.update()
        .where(tables.liste.c.id == liste_id, tables.liste.c.version == version)
        .values(version=version + 1, modifie_le=datetime.now(UTC), **_values(nouvelle))
    )
    if result.rowcount != 1:
        raise VersionPerimee(str(liste_id))
    return await lire(conn, qui, liste_id)


async def supprimer(
    conn: AsyncConnection, qui: Utilisateur, liste_id: uuid.UUID, version: int
) -> None:
    current = await lire(conn, qui, liste_id)
    if current.proprietaire != qui.sub:
        raise ModificationRefusee(str(liste_id))
    result = await conn.execute(
        tables.liste.delete().where(
            tables.liste.c.id == liste_id, tables.liste.c.version == version
        )
    )
    if result.rowcount != 1:
        raise VersionPerimee(str(liste_id))
    await conn.execute(
        tables.resultat_liste.delete().where(tables.resultat_liste.c.liste_id == liste_id)
    )


async def lister(
    conn: AsyncConnection, qui: Utilisateur, *, accueil: bool | None = None
) -> list[Liste]:
    stmt = sa.select(tables.liste).order_by(tables.liste.c.dossier, tables.liste.c.titre)
    if accueil is not None:
        stmt = stmt.where(tables.liste.c.accueil == accueil, tables.liste.c.actif.is_(True))
    # Owned lists, plus the lists whose recipients name the user or the organisation
    # (filtered in Python: recipients are a JSON list, portable across databases).
    return [
        liste
        for row in (await conn.execute(stmt)).all()
        if (liste := liste_de_ligne(row)).visible_par(qui)
    ]


async def executer_liste(
    conn: AsyncConnection,
    qui: Utilisateur,
    liste: Liste,
    *,
    seuil: int,
    limite: int,
    par: str | None = None,
) -> Resultat:
    """Run a saved list with the caller's rights and territory; store the result
    for the list's retention days."""
    requete = valider(liste.definition, nominatif_permis=qui.nominatif_permis)
    resultat = await executer(conn, requete, qui.perimetre, seuil=seuil, limite=limite)
    now = datetime.now(UTC)
    await conn.execute(
        tables.resultat_liste.insert().values(
            id=uuid.uuid4(),
            liste_id=liste.id,
            execute_le=now,
            execute_par=par or qui.sub,
            contenu=resultat.to_dict(),
            expire_le=now + timedelta(days=liste.conservation_jours),
        )
    )
    return resultat


async def dernier_resultat(
    conn: AsyncConnection, qui: Utilisateur, liste: Liste
) -> tuple[datetime, Resultat] | None:
    row = (
        await conn.execute(
            sa.select(tables.resultat_liste.c.execute_le, tables.resultat_liste.c.contenu)
            .where(
                tables.resultat_liste.c.liste_id == liste.id,
                tables.resultat_liste.c.execute_par == qui.sub,
            )
            .order_by(tables.resultat_liste.c.execute_le.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    return row.execute_le, Resultat.from_dict(row.contenu)


async def purger_resultats(conn: AsyncConnection, maintenant: datetime) -> int:
    result = await conn.execute(
        tables.resultat_liste.delete().where(tables.resultat_liste.c.expire_le < maintenant)
    )
    return int(result.rowcount or 0)


def proprietaire_enregistre(row: Any) -> Utilisateur:
    """The owner as saved with the list (territory and rights): what a scheduled run
    may show."""
    p = row.perimetre_proprietaire or {}
    return Utilisateur(
        sub=row.proprietaire,
        organisation=row.organisation,
        perimetre=Perimetre(
            frozenset(p.get("departements", ())),
            frozenset(p.get("epcis", ())),
            frozenset(p.get("communes", ())),
            bool(p.get("tout", False)),
        ),
        nominatif_permis=bool(p.get("nominatif_permis", False)),
    )
