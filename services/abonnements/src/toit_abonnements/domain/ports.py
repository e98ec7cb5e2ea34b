"""What the use cases need from the outside world (implemented in adapters/)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from toit_abonnements.domain.livraisons import Resultat


@dataclass(frozen=True)
class Envoi:
    """One log entry to push: its position, stable id and exact body."""

    position: int
    event_id: str
    corps: bytes


@dataclass(frozen=True)
class AccesAmqp:
    """What a partner receives once (AMQP mode): where and how to connect."""

    url: str
    vhost: str
    utilisateur: str
    mot_de_passe: str | None  # shown once, at creation
    file: str


class CanalPousse(Protocol):
    """Pushes events of one subscription in order; stops at the first failure."""

    async def envoyer(
        self, destination: str, secrets: Sequence[str], envois: Sequence[Envoi]
    ) -> list[Resultat]: ...


class AdminAmqp(Protocol):
    """Partner vhosts, users and queues on the broker (RabbitMQ management API)."""

    async def preparer_partenaire(self, organisation_id: str) -> AccesAmqp: ...

    async def declarer_file(self, vhost: str, file: str) -> None: ...

    async def supprimer_file(self, vhost: str, file: str) -> None: ...

    async def supprimer_partenaire(self, vhost: str, utilisateur: str) -> None: ...


def nom_file(abonnement_id: str) -> str:
    return f"toit.abonnement.{abonnement_id}"


def vhost_de(organisation_id: str, prefixe: str = "toit-partenaire-") -> str:
    """The partner's own RabbitMQ vhost (AMQP mode)."""
    return f"{prefixe}{organisation_id}"
