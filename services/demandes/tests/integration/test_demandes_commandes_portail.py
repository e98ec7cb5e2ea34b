"""With the real PostgreSQL and RabbitMQ: the portail's commands, applied by demandes'
consumer. An online application becomes a registered demande (numéro unique, pièce
d'identité deposited) or waits for a guichet (A_VALIDER) where the département says so;
a refusal names its fields and leaves nothing written; modify, renew (when the date
comes, test clock) and renounce go the same way; another account's command changes
nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from toit_demandes.adapters.repository import DemandeRepository
from toit_demandes.entrypoints import events as entree

from servicekit.runtime import ServiceRuntime
from servicekit.transit import chiffrer
from toit_contracts.events import IntegrationEvent
from toit_contracts.events.commandes import (
    PieceTransmise,
    PortailDemandeSoumise,
    PortailModificationDemandee,
    PortailRenonciationDemandee,
    PortailRenouvellementDemande,
)
from toit_contracts.examples import example_saisie

from .conftest import PDF, Evenements

COMPTE = "compte-portail-1"


async def envoyer(runtime: ServiceRuntime, commande: IntegrationEvent) -> None:
    async with runtime.unit_of_work() as uow:
        uow.publish(commande)
        await uow.commit()


def soumission(runtime: ServiceRuntime, demande_id: UUID, **saisie: Any) -> PortailDemandeSoumise:
    document = example_saisie().model_copy(update=saisie)
    return PortailDemandeSoumise(
        commande_id=uuid4(),
        demande_id=demande_id,
        departement=document.departement,
        compte_demandeur=COMPTE,
        saisie=document,
        piece_identite=PieceTransmise(
            piece_id=uuid4(),
            type_piece="PIECE_IDENTITE",
            nom="cni.pdf",
            media_type="application/pdf",
            taille=len(PDF),
            empreinte=hashlib.sha256(PDF).hexdigest(),
            contenu_chiffre=chiffrer(PDF, runtime.settings),
        ),
    )


async def reponse(evenements: Evenements, commande_id: UUID) -> dict[str, Any]:
    for _ in range(300):
        for e in evenements.recus:
            if e["type"] == "demande.commande_traitee" and e["data"]["commande_id"] == str(
                commande_id
            ):
                return dict(e["data"])
        await evenements.attendre(len(evenements.recus) + 1, delai=20)
    raise AssertionError("pas de réponse")


def commun(demande_id: UUID, compte: str = COMPTE) -> dict[str, Any]:
    return {
        "commande_id": uuid4(),
        "demande_id": demande_id,
        "departement": "35",
        "compte_demandeur": compte,
    }


async def test_demandes_une_demande_en_ligne_est_enregistree_puis_modifiee_renouvelee_et_radiee(
    runtime: ServiceRuntime, evenements: Evenements, monkeypatch: pytest.MonkeyPatch
) -> None:
    demande_id = uuid4()
    commande = soumission(runtime, demande_id)
    await envoyer(runtime, commande)
    traitee = await reponse(evenements, commande.commande_id)
    assert traitee["acceptee"] is True, traitee
    assert traitee["statut"] == "ACTIVE"
    numero = traitee["numero_unique"]
    assert numero.startswith("035") and numero.endswith("WEB00")
    types = [e["type"] for e in evenements.recus if e.get("subject") == str(demande_id)]
    assert types[:3] == ["demande.creee", "demande.piece_deposee", "demande.enregistree"]
    cree = next(e for e in evenements.recus if e["type"] == "demande.creee")
    assert cree["data"]["compte_demandeur"] == COMPTE
    assert cree["data"]["snapshot"]["canal_depot"] == "EN_LIGNE"

    # The same application sent again: the first answer stands, nothing is created twice.
    encore = soumission(runtime, demande_id)
    await envoyer(runtime, encore)
    assert (await reponse(evenements, encore.commande_id))["numero_unique"] == numero

    async with runtime.db.session() as session:
        demande = await DemandeRepository(session).get(demande_id)
    assert demande is not None and demande.numero_unique == numero
    version = demande.version

    # Another account's command: as if the demande did not exist.
    intrus = PortailRenonciationDemandee(**commun(demande_id, "compte-intrus"))
    await envoyer(runtime, intrus)
    refus = await reponse(evenements, intrus.commande_id)
    assert refus["acceptee"] is False
    assert refus["erreurs"] == [{"champ": "", "message": "Demande introuvable pour ce compte"}]

    # A field the household does not own (a validated priority): refused, named.
    interdit = PortailModificationDemandee(
        **commun(demande_id),
        version_lue=version,
        modifications={"priorites": [{"categorie": "A", "statut": "VALIDEE"}]},
    )
    await envoyer(runtime, interdit)
    refus = await reponse(evenements, interdit.commande_id)
    assert refus["acceptee"] is False and refus["erreurs"][0]["champ"].startswith("priorites")

    modification = PortailModificationDemandee(
        **commun(demande_id), version_lue=version, modifications={"enfants_a_naitre": 1}
    )
    await envoyer(runtime, modification)
    assert (await reponse(evenements, modification.commande_id))["acceptee"] is True

    # The version read is now stale: the answer says so in French.
    perimee = PortailModificationDemandee(
        **commun(demande_id), version_lue=version, modifications={"enfants_a_naitre": 2}
    )
    await envoyer(runtime, perimee)
    refus = await reponse(evenements, perimee.commande_id)
    assert refus["acceptee"] is False and "modifiée entre-temps" in refus["erreurs"][0]["message"]

    # Renewal opens one month before expiry: refused today, accepted on the test clock's day.
    trop_tot = PortailRenouvellementDemande(**commun(demande_id))
    await envoyer(runtime, trop_tot)
    refus = await reponse(evenements, trop_tot.commande_id)
    assert refus["acceptee"] is False and "ouvre le" in refus["erreurs"][0]["message"]
    assert demande.date_expiration is not None
    jour = datetime.combine(demande.date_expiration - timedelta(days=10), datetime.min.time(), UTC)
    monkeypatch.setattr(entree, "_maintenant", lambda: jour)
    renouvellement = PortailRenouvellementDemande(**commun(demande_id))
    await envoyer(runtime, renouvellement)
    assert (await reponse(evenements, renouvellement.commande_id))["acceptee"] is True
    renouvelee = next(e for e in evenements.recus if e["type"] == "demande.renouvelee")
    assert renouvelee["data"]["numero_unique"] == numero

    renonciation = PortailRenonciationDemandee(**commun(demande_id))
    await envoyer(runtime, renonciation)
    traitee = await reponse(evenements, renonciation.commande_id)
    assert (traitee["acceptee"], traitee["statut"]) == (True, "RADIEE")
    radiee = next(e for e in evenements.recus if e["type"] == "demande.radiee")
    assert radiee["data"]["motif"] == "RENONCIATION"
    assert radiee["data"]["date_radiation"] == jour.date().isoformat()


async def test_demandes_une_soumission_invalide_ne_laisse_rien(
    runtime: ServiceRuntime, evenements: Evenements
) -> None:
    demande_id = uuid4()
    saisie = example_saisie()
    recherche = saisie.logement_recherche.model_copy(update={"communes": ["44109"]})
    commande = soumission(runtime, demande_id, logement_recherche=recherche)
    await envoyer(runtime, commande)
    traitee = await reponse(evenements, commande.commande_id)
    assert traitee["acceptee"] is False
    assert traitee["erreurs"] == [
        {
            "champ": "logement_recherche.communes[0]",
            "message": "la commune 44109 n'est pas dans le département 35",
        }
    ]
    async with runtime.db.session() as session:
        assert await DemandeRepository(session).get(demande_id) is None
    assert [e["type"] for e in evenements.recus if e.get("subject") == str(demande_id)] == [
        "demande.commande_traitee"
    ]


async def test_demandes_validation_prealable_du_departement(
    runtime: ServiceRuntime, evenements: Evenements, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toit_referentiel import configuration

    monkeypatch.setattr(configuration, "_depot_en_ligne", lambda: ("WEB00", frozenset({"35"})))
    commande = soumission(runtime, uuid4())
    await envoyer(runtime, commande)
    traitee = await reponse(evenements, commande.commande_id)
    assert (traitee["acceptee"], traitee["statut"], traitee["numero_unique"]) == (
        True,
        "A_VALIDER",
        None,
    )
