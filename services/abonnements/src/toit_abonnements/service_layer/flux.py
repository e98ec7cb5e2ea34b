"""The pull feed: a partner's API client reads its subscription's log from a cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from servicekit.uow import UnitOfWork
from toit_abonnements.adapters import repository
from toit_abonnements.domain import curseurs
from toit_abonnements.domain.abonnements import Statut
from toit_abonnements.domain.exceptions import CurseurInvalide, Introuvable, Invalide


@dataclass(frozen=True)
class Page:
    abonnement_id: str
    enveloppes: list[str]  # the CloudEvents, JSON text exactly as logged
    curseur_suivant: str
    encore: bool


async def lire(
    uow: UnitOfWork,
    *,
    organisation_id: str | None,
    abonnement_id: str | None,
    apres: str | None,
    limite: int,
    cle: bytes,
    retention_jours: int,
) -> Page:
    session = uow.session
    curseur = curseurs.decoder(apres, cle) if apres else None
    if abonnement_id is None and curseur is not None:
        abonnement_id = curseur.abonnement_id
    if abonnement_id is None:
        rows = [
            r
            for r in await repository.abonnements(session, organisation_id)
            if r.statut != Statut.REVOQUE.value
        ]
        if len(rows) != 1:
            raise Invalide(
                "abonnement",
                f"précisez l'abonnement (paramètre abonnement) : l'organisation en a {len(rows)}",
            )
        row = rows[0]
    else:
        row = await repository.abonnement_par_id(session, abonnement_id)
    if row is None or row.organisation_id != organisation_id:
        if curseur is not None and abonnement_id == curseur.abonnement_id:
            raise CurseurInvalide("Ce curseur appartient à un autre abonnement")
        raise Introuvable("Abonnement introuvable")
    if row.statut == Statut.REVOQUE.value:
        raise Introuvable("Abonnement révoqué")
    position = row.purge_jusqu_a
    if curseur is not None:
        curseurs.verifier(curseur, row.id, row.purge_jusqu_a, retention_jours)
        position = curseur.position
    entrees = await repository.lire_journal(session, row.id, position, limite + 1)
    encore = len(entrees) > limite
    entrees = entrees[:limite]
    if entrees:
        dernier = entrees[-1].position
        await repository.noter_livraisons(
            session,
            [
                {
                    "abonnement_id": row.id,
                    "organisation_id": row.organisation_id,
                    "mode": "FLUX",
                    "position_debut": entrees[0].position,
                    "position_fin": dernier,
                    "nombre": len(entrees),
                    "statut": "LUE",
                    "at": datetime.now(UTC),
                }
            ],
        )
        position = dernier
    await uow.commit()
    return Page(
        abonnement_id=row.id,
        enveloppes=[e.enveloppe for e in entrees],
        curseur_suivant=curseurs.encoder(curseurs.Curseur(row.id, position), cle),
        encore=encore,
    )
