"""Fan-out: each internal demande event goes, minimised, into the log of every subscription
it concerns, in the transaction of the consumer's inbox row (nothing lost, nothing twice).

Positions are reserved under the subscription's row lock, so each log is written in
commit order; the consumer drops stale copies, so each demande's events enter in order.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from servicekit.uow import UnitOfWork
from toit_abonnements.adapters import repository
from toit_abonnements.domain.abonnements import (
    Abonnement,
    Partenaire,
    borner,
    concerne,
    dans_le_perimetre,
    verifier_droits,
)
from toit_abonnements.domain.exceptions import HorsHabilitation, Invalide
from toit_contracts import CloudEvent
from toit_contracts.profils import SOURCE, minimiser, profil

_NAMESPACE = uuid.UUID("0b8f7c1e-6d4a-4c1e-9a57-5d3f1e2a7b90")


def event_id_partenaire(abonnement_id: str, source_event_id: str) -> str:
    """Stable: the same internal event always has the same id for a given subscription."""
    return str(uuid.uuid5(_NAMESPACE, f"{abonnement_id}/{source_event_id}"))


def preparer(a: Abonnement, envelope: CloudEvent, event_id: str) -> tuple[str, str]:
    """The partner's CloudEvent as JSON text, but its position (`sequence`): the part before
    it and the minimised data. Minimising and serialising cost most of the fan-out, so they
    run before the subscriptions' rows are locked to reserve positions."""
    p = profil(a.profil)
    tete: dict[str, Any] = {
        "specversion": "1.0",
        "id": event_id,
        "source": SOURCE,
        "type": envelope.type,
        "time": envelope.time.isoformat().replace("+00:00", "Z"),
        "subject": envelope.subject,
        "datacontenttype": "application/json",
        "dataschema": p.dataschema_avec(set(a.complements) & set(p.complements)),
    }
    donnees = minimiser(envelope.data, p, a.complements)
    return _dumps(tete)[:-1], _dumps(donnees)


def assembler(tete: str, position: int, donnees: str) -> str:
    """The text `json.dumps` gives for the whole envelope, `sequence` and `data` last."""
    return f'{tete},"sequence":{_dumps(str(position))},"data":{donnees}}}'


def enveloppe_partenaire(a: Abonnement, envelope: CloudEvent, event_id: str, position: int) -> str:
    tete, donnees = preparer(a, envelope, event_id)
    return assembler(tete, position, donnees)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def recevoir(uow: UnitOfWork, envelope: CloudEvent) -> None:
    """Queue one internal event; the whole consumer batch is applied at commit."""
    uow.collect(_appliquer, envelope)


def droits_actuels(a: Abonnement, partenaire: Partenaire | None) -> bool:
    """A subscription is fed only while its partner's current roles grant its profile and
    complements; the event must also be inside the partner's current territory (below).
    So a narrower habilitation (from the gestionnaire or identite) takes effect for the
    next event, whatever the subscription was created with."""
    if partenaire is None:
        return False
    try:
        verifier_droits(a, partenaire)
    except (HorsHabilitation, Invalide):
        return False
    return True


async def _appliquer(uow: UnitOfWork, envelopes: list[CloudEvent]) -> None:
    identite = await repository.departements_identite(uow.session)
    partenaires = {
        r.organisation_id: borner(repository.partenaire_de(r), identite.get(r.organisation_id))
        for r in await repository.partenaires(uow.session)
    }
    abonnements = [
        a
        for a in await repository.abonnements_vivants(uow.session)
        if droits_actuels(a, partenaires.get(a.organisation_id))
    ]
    cibles: dict[str, list[tuple[Abonnement, CloudEvent]]] = {}
    for envelope in envelopes:
        for a in abonnements:
            if concerne(a, envelope.type, envelope.data) and dans_le_perimetre(
                partenaires[a.organisation_id].habilitation, envelope.data
            ):
                cibles.setdefault(a.id, []).append((a, envelope))
    if not cibles:
        return
    prets = {
        a_id: [
            (envelope, event_id, *preparer(a, envelope, event_id))
            for a, envelope in items
            for event_id in [event_id_partenaire(a_id, envelope.id)]
        ]
        for a_id, items in cibles.items()
    }
    # From here to the commit the subscriptions' rows are locked: only cheap work.
    premieres = await repository.reserver_positions(
        uow.session, {a_id: len(items) for a_id, items in prets.items()}
    )
    maintenant = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for a_id, items in prets.items():
        for offset, (envelope, event_id, tete, donnees) in enumerate(items):
            position = premieres[a_id] + offset
            rows.append(
                {
                    "abonnement_id": a_id,
                    "position": position,
                    "event_id": event_id,
                    "source_event_id": envelope.id,
                    "type": envelope.type,
                    "sujet": envelope.subject,
                    "enveloppe": assembler(tete, position, donnees),
                    "emis_le": envelope.time,
                    "cree_le": maintenant,
                }
            )
    await repository.ajouter_au_journal(uow.session, rows)
