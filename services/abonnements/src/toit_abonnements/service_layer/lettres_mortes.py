"""Dead letters: events a push endpoint refused for the whole retry window. The partner
and the gestionnaire see them and ask a replay; the deliverer sends them again first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from servicekit.uow import UnitOfWork
from toit_abonnements.adapters import repository


async def lister(uow: UnitOfWork, abonnement_id: str) -> Sequence[Any]:
    return await repository.lettres_mortes(uow.session, abonnement_id)


async def rejouer(uow: UnitOfWork, abonnement_id: str, ids: Sequence[str] | None) -> int:
    """Ask a replay of these dead letters (all pending ones when `ids` is None)."""
    n = await repository.demander_rejeu(uow.session, abonnement_id, ids, datetime.now(UTC))
    await uow.commit()
    return n
