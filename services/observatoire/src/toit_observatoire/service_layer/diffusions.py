"""Scheduled lists: the daily job runs the lists due that day with their owner's
rights as saved, keeps the result, and asks notifications (an event through the
outbox, never a call) to send it to the list's addresses once per period."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from servicekit.uow import UnitOfWork
from toit_contracts.events import ApercuResultat, ListeDiffusee
from toit_observatoire.adapters import tables
from toit_observatoire.domain.listes import Liste, echeance, periode
from toit_observatoire.domain.resultats import Resultat
from toit_observatoire.service_layer import listes

APERCU_COLONNES = 12
APERCU_LIGNES = 50


@dataclass(frozen=True)
class Execution:
    liste_id: uuid.UUID
    # The diffusion's event, when the list has addresses and this period was not sent yet.
    diffusion: ListeDiffusee | None


def _texte(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float | Decimal):
        return f"{float(value):.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)[:200]


def apercu(resultat: Resultat) -> ApercuResultat | None:
    """The first rows of an aggregate result (masked cells stay absent); none for a
    nominative list: its rows are read signed in, within the reader's territory."""
    if resultat.nominatif:
        return None
    colonnes = [c.libelle[:200] for c in resultat.colonnes[:APERCU_COLONNES]]
    lignes = [
        [_texte(v) for v in ligne[:APERCU_COLONNES]] for ligne in resultat.lignes[:APERCU_LIGNES]
    ]
    return ApercuResultat(
        colonnes=colonnes,
        lignes=lignes,
        tronque=len(resultat.lignes) > APERCU_LIGNES or resultat.tronque,
    )


async def executer_planifiees(
    uow: UnitOfWork, jour: date, *, seuil: int, limite: int, url_publique: str
) -> Sequence[Execution]:
    """Run the active lists due on `jour`, drop expired results, and publish one
    `observatoire.liste_diffusee` per list with addresses and per period: running the
    job again for the same period (restart, second instance) sends nothing twice."""
    conn = await uow.session.connection()
    done: list[Execution] = []
    rows = (
        await conn.execute(
            sa.select(tables.liste).where(
                tables.liste.c.actif.is_(True), tables.liste.c.planification.is_not(None)
            )
        )
    ).all()
    for row in rows:
        liste = listes.liste_de_ligne(row)
        assert liste.planification is not None
        if not echeance(liste.planification, jour):
            continue
        resultat = await listes.executer_liste(
            conn,
            listes.proprietaire_enregistre(row),
            liste,
            seuil=seuil,
            limite=limite,
            par=row.proprietaire,
        )
        lien = f"{url_publique.rstrip('/')}/pro/observatoire/listes/{liste.id}"
        done.append(Execution(liste.id, await _diffuser(uow, liste, jour, resultat, lien)))
    await listes.purger_resultats(conn, datetime.now(UTC))
    return done


async def _diffuser(
    uow: UnitOfWork, liste: Liste, jour: date, resultat: Resultat, lien: str
) -> ListeDiffusee | None:
    courriels = liste.courriels()
    if not courriels or liste.planification is None:
        return None
    conn = await uow.session.connection()
    key = periode(liste.planification, jour)
    now = datetime.now(UTC)
    diffusion_id = uuid.uuid5(liste.id, key)
    deja = await conn.execute(
        sa.select(tables.diffusion.c.liste_id).where(
            tables.diffusion.c.liste_id == liste.id, tables.diffusion.c.periode == key
        )
    )
    if deja.first() is not None:
        return None  # already sent for this period
    await conn.execute(
        tables.diffusion.insert().values(
            liste_id=liste.id,
            periode=key,
            diffusion_id=diffusion_id,
            diffusee_le=now,
            destinataires=len(courriels),
        )
    )
    event = ListeDiffusee(
        diffusion_id=diffusion_id,
        liste_id=liste.id,
        titre=liste.titre,
        reference=liste.reference,
        planification=liste.planification.value,
        periode=key,
        execute_le=now,
        total=resultat.total,
        nominatif=resultat.nominatif,
        apercu=apercu(resultat),
        lien=lien,
        destinataires=courriels,
    )
    uow.publish(event)
    return event
