"""demandes' consumer of the portail's requests (queue toit.demandes.portail):

- the household's online actions (`portail.demande_soumise`, `portail.modification_demandee`,
  `portail.renouvellement_demande`, `portail.renonciation_demandee`), applied by
  `service_layer.commandes_portail` in the consumer's transaction (inbox row, changes,
  `demande.*` events and the `demande.commande_traitee` answer commit together; a
  redelivered command finds its inbox row and has no second effect). The pièces' store and
  the settings come from the runtime at start-up (`configurer`, called by the service's
  start-up hook);
- attaching a guichet demande to a portal account (`service_layer/rattachement.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from servicekit.messaging.consumer import EventConsumer, HandlerContext
from servicekit.settings import Settings
from toit_contracts.events import CompteSupprime, DemandeRattachee, RattachementDemande
from toit_contracts.events.commandes import (
    TAILLE_MAX_PIECE_EN_LIGNE,
    PortailDemandeSoumise,
    PortailModificationDemandee,
    PortailRenonciationDemandee,
    PortailRenouvellementDemande,
)
from toit_demandes.adapters.stockage import Stockage
from toit_demandes.domain.demande import Intervenant, TypeIntervenant
from toit_demandes.service_layer import commandes_portail as uc
from toit_demandes.service_layer import rattachement
from toit_demandes.service_layer.commun import Contexte

consumer = EventConsumer("portail", batch_size=20)


@dataclass
class _Dependances:
    stockage: Stockage | None = None
    settings: Settings | None = None


_deps = _Dependances()


def configurer(stockage: Stockage, settings: Settings) -> None:
    _deps.stockage, _deps.settings = stockage, settings


def _maintenant() -> datetime:
    return datetime.now(UTC)


def _contexte(compte: str | None = None) -> Contexte:
    return Contexte(Intervenant(TypeIntervenant.PORTAIL, compte), datetime.now(UTC))


@consumer.on(PortailDemandeSoumise)
async def demande_soumise(ctx: HandlerContext, commande: PortailDemandeSoumise) -> None:
    if _deps.stockage is None or _deps.settings is None:
        raise RuntimeError("demandes: consumer started before the pièces' store")
    await uc.soumettre_en_ligne(
        ctx.uow, commande, _deps.stockage, _deps.settings, _maintenant(), TAILLE_MAX_PIECE_EN_LIGNE
    )


@consumer.on(PortailModificationDemandee)
async def modification(ctx: HandlerContext, commande: PortailModificationDemandee) -> None:
    await uc.modifier_en_ligne(ctx.uow, commande, _maintenant())


@consumer.on(PortailRenouvellementDemande)
async def renouvellement(ctx: HandlerContext, commande: PortailRenouvellementDemande) -> None:
    await uc.renouveler_en_ligne(ctx.uow, commande, _maintenant())


@consumer.on(PortailRenonciationDemandee)
async def renonciation(ctx: HandlerContext, commande: PortailRenonciationDemandee) -> None:
    await uc.renoncer_en_ligne(ctx.uow, commande, _maintenant())


@consumer.on(RattachementDemande)
async def verifier_rattachement(ctx: HandlerContext, event: RattachementDemande) -> None:
    await rattachement.verifier_rattachement(ctx.uow, event, _contexte())


@consumer.on(DemandeRattachee)
async def rattacher(ctx: HandlerContext, event: DemandeRattachee) -> None:
    await rattachement.rattacher(ctx.uow, event, _contexte(event.compte_id))


@consumer.on(CompteSupprime)
async def compte_supprime(ctx: HandlerContext, event: CompteSupprime) -> None:
    await rattachement.detacher(ctx.uow, event, _contexte(str(event.compte_id)))
