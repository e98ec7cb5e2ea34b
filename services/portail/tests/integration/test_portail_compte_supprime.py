"""With the real PostgreSQL and RabbitMQ: identite's `compte.supprime` makes the portail
forget what it kept for the account — its demandes are no longer shown to it (nor to
anyone: a later notice without an account does not bring it back), its drafts go — and
leaves the other accounts alone (issue 15, account deletion)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import sqlalchemy as sa
from toit_portail.adapters.tables import demandes
from toit_portail.adapters.tables_candidatures import candidatures
from toit_portail.service import service
from toit_portail.service_layer import candidature, espace

from servicekit.testing import RuntimeFactory
from toit_contracts.enums import StatutDemande
from toit_contracts.events import CompteSupprime, DemandeEnregistree, DemandeModifiee

from .test_portail_espace_evenements import NUMERO, attendre, demande, emetteur, publier


async def test_le_compte_supprime_est_oublie_par_le_portail(
    runtime_factory: RuntimeFactory,
) -> None:
    portail = await runtime_factory(service)
    source = await runtime_factory(emetteur)
    compte, autre = uuid4(), uuid4()
    a, b = uuid4(), uuid4()
    async with portail.unit_of_work() as uow:
        await candidature.commencer(uow, str(compte), "44", datetime.now(UTC))
    async with portail.unit_of_work() as uow:
        await candidature.commencer(uow, str(autre), "44", datetime.now(UTC))
    enregistree = {"statut": StatutDemande.ACTIVE, "numero_unique": NUMERO}
    await publier(
        source,
        demande(DemandeEnregistree, a, 2, str(compte), **enregistree),
        demande(DemandeEnregistree, b, 2, str(autre), **enregistree),
    )

    async def vues(qui: object) -> int:
        async with portail.db.session() as session:
            return len(await espace.espace(session, str(qui)))

    async def montrees() -> bool:
        return await vues(compte) == 1 and await vues(autre) == 1

    await attendre(montrees)

    await publier(source, CompteSupprime(compte_id=compte, version=4))

    async def oublie() -> bool:
        return await vues(compte) == 0

    await attendre(oublie)
    # demandes' detaching event (no account) then keeps the demande detached.
    detachee = demande(DemandeModifiee, a, 3, None, statut=StatutDemande.ACTIVE)  # type: ignore[arg-type]
    await publier(source, detachee)  # type: ignore[arg-type]

    async def appliquee() -> bool:
        async with portail.db.session() as session:
            version = await session.execute(
                sa.select(demandes.c.version).where(demandes.c.demande_id == a)
            )
            return version.scalar_one() == 3

    await attendre(appliquee)
    async with portail.db.session() as session:
        brouillons = (
            await session.execute(sa.select(candidatures.c.compte).order_by(candidatures.c.compte))
        ).scalars()
        assert list(brouillons) == [str(autre)]
    assert await vues(compte) == 0
    assert await vues(autre) == 1
