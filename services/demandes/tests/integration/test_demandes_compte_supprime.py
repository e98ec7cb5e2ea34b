"""With the real PostgreSQL and RabbitMQ: identite's `compte.supprime` (the applicant
deleted their portal account) detaches the account's demandes — each keeps its numéro
and its history, publishes `demande.modifiee` without `compte_demandeur` — and leaves
the other accounts' demandes alone (issue 15)."""

from __future__ import annotations

from uuid import uuid4

from toit_demandes.adapters.repository import DemandeRepository

from servicekit.runtime import ServiceRuntime
from toit_contracts.events import CompteSupprime

from .conftest import Evenements
from .test_demandes_commandes_portail import envoyer, reponse, soumission


async def test_demandes_le_compte_supprime_detache_ses_demandes(
    runtime: ServiceRuntime, evenements: Evenements
) -> None:
    compte, autre = uuid4(), uuid4()
    siennes, la_sienne_aussi = uuid4(), uuid4()
    for demande_id, proprietaire in ((siennes, compte), (la_sienne_aussi, autre)):
        commande = soumission(runtime, demande_id).model_copy(
            update={"compte_demandeur": str(proprietaire)}
        )
        await envoyer(runtime, commande)
        assert (await reponse(evenements, commande.commande_id))["acceptee"] is True

    await envoyer(runtime, CompteSupprime(compte_id=compte, version=3))

    for _ in range(100):
        detachee = [
            e
            for e in evenements.recus
            if e["type"] == "demande.modifiee"
            and e["subject"] == str(siennes)
            and "compte_demandeur" in e["data"]["rubriques_modifiees"]
        ]
        if detachee:
            break
        await evenements.attendre(len(evenements.recus) + 1, delai=20)
    assert detachee[0]["data"].get("compte_demandeur") is None
    async with runtime.db.session() as session:
        repo = DemandeRepository(session)
        demande = await repo.get(siennes)
        intacte = await repo.get(la_sienne_aussi)
    assert demande is not None and demande.proprietaire is None
    assert demande.numero_unique is not None  # the demande itself stays, registered
    assert intacte is not None and intacte.proprietaire == str(autre)

    # Told again (redelivery): nothing more to detach, no new event.
    avant = len(evenements.recus)
    await envoyer(runtime, CompteSupprime(compte_id=compte, version=3))
    await envoyer(runtime, CompteSupprime(compte_id=autre, version=1))

    def sujets() -> list[str]:
        recus = evenements.recus[avant:]
        return [e["subject"] for e in recus if e["type"] == "demande.modifiee"]

    for _ in range(100):
        if sujets():
            break
        await evenements.attendre(len(evenements.recus) + 1, delai=20)
    # The other account's demande is detached; the first one is not detached twice (both
    # messages were published in order, the redelivery first).
    assert sujets() == [str(la_sienne_aussi)]
