"""Push delivery (webhooks, AMQP), decoupled from the consumption of internal events.

The consumer only appends to the logs; this loop reads them. A slow or failing partner
delays only its own subscription: each subscription is leased by one worker at a time
(replicas share the work), delivered in order, its head event retried with backoff and
jitter; after the whole retry window the head event becomes a dead letter, the endpoint
is paused and its contact is told (event `abonnement.suspendu`).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from servicekit.uow import UnitOfWork
from toit_abonnements.adapters import repository
from toit_abonnements.domain.abonnements import Mode, Statut
from toit_abonnements.domain.livraisons import PolitiqueRelance, Resultat, decider
from toit_abonnements.domain.ports import CanalPousse, Envoi, nom_file, vhost_de
from toit_contracts.events import AbonnementSuspendu

log = structlog.get_logger(__name__)

UnitOfWorkFactory = Callable[[], UnitOfWork]


@dataclass
class Livreur:
    canaux: Mapping[Mode, CanalPousse]
    politique: PolitiqueRelance
    lot: int = 200
    bail: timedelta = timedelta(minutes=2)
    paralleles: int = 20
    prefixe_vhost: str = "toit-partenaire-"
    alea: Callable[[], float] = random.random
    horloge: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def _secrets(row: Any, maintenant: datetime) -> list[str]:
    actifs = [row.secret] if row.secret else []
    jusqu_a = row.secret_precedent_jusqu_a
    if jusqu_a is not None and jusqu_a.tzinfo is None:
        jusqu_a = jusqu_a.replace(tzinfo=UTC)
    if row.secret_precedent and jusqu_a is not None and jusqu_a > maintenant:
        actifs.append(row.secret_precedent)
    return actifs


def _destination(row: Any, prefixe_vhost: str) -> str:
    if row.mode == Mode.WEBHOOK.value:
        return str(row.url)
    return f"{vhost_de(row.organisation_id, prefixe_vhost)}|{nom_file(row.id)}"


async def livrer_dus(unit_of_work: UnitOfWorkFactory, livreur: Livreur) -> int:
    """One round: lease the subscriptions with something due and push to each; returns
    the number of events delivered."""
    maintenant = livreur.horloge()
    async with unit_of_work() as uow:
        rows = await repository.reclamer(
            uow.session, maintenant, maintenant + livreur.bail, livreur.paralleles
        )
        await uow.commit()
    if not rows:
        return 0
    livres = await asyncio.gather(
        *(livrer_abonnement(unit_of_work, livreur, row) for row in rows),
        return_exceptions=True,
    )
    total = 0
    for row, n in zip(rows, livres, strict=True):
        if isinstance(n, BaseException):
            log.warning("abonnement.livraison_en_erreur", abonnement=row.id, error=repr(n))
            async with unit_of_work() as uow:
                await repository.mettre_a_jour_abonnement(uow.session, row.id, bail_jusqu_a=None)
                await uow.commit()
        else:
            total += n
    return total


async def livrer_abonnement(unit_of_work: UnitOfWorkFactory, livreur: Livreur, row: Any) -> int:
    canal = livreur.canaux[Mode(row.mode)]
    destination = _destination(row, livreur.prefixe_vhost)
    secrets = _secrets(row, livreur.horloge())
    async with unit_of_work() as uow:
        rejeux = await repository.rejeux_en_attente(uow.session, row.id)
        entrees = await repository.lire_journal(uow.session, row.id, row.livre_jusqu_a, livreur.lot)
    registre: list[dict[str, Any]] = []

    def noter(r: Resultat, event_id: str, statut: str | None = None) -> None:
        registre.append(
            {
                "abonnement_id": row.id,
                "organisation_id": row.organisation_id,
                "mode": row.mode,
                "position_debut": r.position,
                "position_fin": r.position,
                "nombre": 1,
                "event_id": event_id,
                "destination": destination,
                "statut": statut or ("LIVREE" if r.livre else "ECHEC"),
                "code": r.code,
                "erreur": r.erreur,
                "duree_ms": r.duree_ms,
                "at": livreur.horloge(),
            }
        )

    rejoues: list[str] = []
    for rejeu in rejeux:
        envoi = Envoi(rejeu.position, rejeu.event_id, rejeu.enveloppe.encode())
        for r in await canal.envoyer(destination, secrets, [envoi]):
            noter(r, rejeu.event_id)
            if r.livre:
                rejoues.append(rejeu.id)
    envois = [Envoi(e.position, e.event_id, e.enveloppe.encode()) for e in entrees]
    ids = {e.position: (e.event_id, e.type) for e in entrees}
    resultats = await canal.envoyer(destination, secrets, envois) if envois else []
    for r in resultats:
        noter(r, ids[r.position][0])
    maintenant = livreur.horloge()
    premier_echec = row.premier_echec_le
    if premier_echec is not None and premier_echec.tzinfo is None:
        premier_echec = premier_echec.replace(tzinfo=UTC)
    decision = decider(
        livreur.politique,
        resultats,
        row.livre_jusqu_a,
        row.echecs,
        premier_echec,
        maintenant,
        livreur.alea(),
    )
    async with unit_of_work() as uow:
        session = uow.session
        values: dict[str, Any] = {
            "livre_jusqu_a": decision.livre_jusqu_a,
            "echecs": decision.echecs,
            "premier_echec_le": decision.premier_echec,
            "prochain_essai_le": decision.prochain_essai,
            "bail_jusqu_a": None,
        }
        raison = ""
        dernier_echec = next((r for r in reversed(resultats) if not r.livre), None)
        if dernier_echec is not None:
            values["derniere_erreur"] = (dernier_echec.erreur or "échec")[:500]
        elif resultats:
            values["derniere_erreur"] = None
        if decision.lettre_morte is not None:
            morte = decision.lettre_morte
            event_id, type_ = ids[morte.position]
            raison = morte.erreur or "échec"
            await repository.inserer_lettre_morte(
                session, row.id, morte.position, event_id, type_, raison, maintenant
            )
            registre[-1]["statut"] = "LETTRE_MORTE"
        await repository.noter_livraisons(session, registre)
        await repository.marquer_rejouees(session, rejoues, maintenant)
        courant = await repository.abonnement_par_id(session, row.id, verrou=True)
        if decision.suspendre and courant is not None and courant.statut == Statut.ACTIF.value:
            values.update(
                statut=Statut.SUSPENDU.value,
                motif_suspension=(
                    "Suspendu automatiquement : échecs pendant toute la période de relance "
                    f"({livreur.politique.abandon_apres}) — {raison}"
                )[:500],
                version=courant.version + 1,
                modifie_le=maintenant,
            )
            partenaire = await repository.partenaire_par_id(session, row.organisation_id)
            mortes = await repository.lettres_mortes(session, row.id)
            uow.publish(
                AbonnementSuspendu(
                    version=courant.version + 1,
                    abonnement_id=row.id,
                    organisation_id=row.organisation_id,
                    nom=row.nom,
                    mode=row.mode,
                    contact_email=partenaire.contact_email if partenaire else "inconnu@invalid",
                    raison=raison[:500],
                    premier_echec_le=premier_echec or maintenant,
                    suspendu_le=maintenant,
                    lettres_mortes=len([m for m in mortes if m.rejouee_le is None]),
                )
            )
            log.warning("abonnement.suspendu", abonnement=row.id, raison=raison[:200])
        await repository.mettre_a_jour_abonnement(session, row.id, **values)
        await uow.commit()
    return sum(1 for r in resultats if r.livre) + len(rejoues)


async def boucle(
    unit_of_work: UnitOfWorkFactory,
    livreur: Livreur,
    intervalle: float,
    arret: asyncio.Event,
) -> None:
    while not arret.is_set():
        try:
            livres = await livrer_dus(unit_of_work, livreur)
        except Exception as exc:
            # The database may be briefly away: the loop must outlive it.
            log.warning("abonnement.boucle_en_erreur", error=type(exc).__name__)
            livres = 0
        if livres == 0:
            try:
                async with asyncio.timeout(intervalle):
                    await arret.wait()
            except TimeoutError:
                pass
