"""The typed dependencies of the abonnements service, built once at start-up.

    deps = dependances(runtime)        # in an HTTP handler: dependances_de(request)

Everything a use case needs from outside (HTTP client, broker administration, settings)
is here, built from `AbonnementsSettings`; tests replace parts of it.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi import Request

from servicekit.bootstrap import Slot
from servicekit.http import runtime_of
from servicekit.runtime import ServiceRuntime
from toit_abonnements.adapters.rabbitmq import AdminRabbitMQ, PublieurAmqp
from toit_abonnements.adapters.webhooks import ClientWebhook
from toit_abonnements.domain.abonnements import Mode
from toit_abonnements.domain.livraisons import PolitiqueRelance
from toit_abonnements.domain.ports import CanalPousse
from toit_abonnements.service_layer.abonnements import Reglages
from toit_abonnements.service_layer.livraison import Livreur, boucle
from toit_abonnements.settings import AbonnementsSettings

CLE_CURSEURS_DEVELOPPEMENT = AbonnementsSettings.model_fields["abonnements_cle_curseurs"].default


class ConfigurationRefusee(RuntimeError):
    pass


@dataclass
class Dependances:
    settings: AbonnementsSettings
    webhooks: ClientWebhook
    admin_amqp: AdminRabbitMQ | None
    publieur_amqp: PublieurAmqp | None
    livreur: Livreur
    reglages: Reglages
    cle_curseurs: bytes
    arret: asyncio.Event = field(default_factory=asyncio.Event)
    tache: asyncio.Task[None] | None = None


def construire(runtime: ServiceRuntime, settings: AbonnementsSettings | None = None) -> Dependances:
    settings = settings or AbonnementsSettings()
    if settings.production and settings.abonnements_cle_curseurs == CLE_CURSEURS_DEVELOPPEMENT:
        raise ConfigurationRefusee("TOIT_ABONNEMENTS_CLE_CURSEURS doit être définie en production")
    webhooks = ClientWebhook(
        timeout=settings.abonnements_timeout_webhook, production=settings.production
    )
    admin: AdminRabbitMQ | None = None
    publieur: PublieurAmqp | None = None
    canaux: dict[Mode, CanalPousse] = {Mode.WEBHOOK: webhooks}
    if runtime.settings.bus == "amqp":
        admin = AdminRabbitMQ(
            settings.abonnements_rabbitmq_api,
            runtime.settings.amqp_url,
            settings.abonnements_amqp_public,
            settings.abonnements_prefixe_vhost,
        )
        publieur = PublieurAmqp(runtime.settings.amqp_url)
        canaux[Mode.AMQP] = publieur
    livreur = Livreur(
        canaux=canaux,
        politique=PolitiqueRelance(
            delai_initial=timedelta(seconds=settings.abonnements_relance_initiale),
            delai_max=timedelta(seconds=settings.abonnements_relance_max),
            abandon_apres=timedelta(hours=settings.abonnements_abandon_heures),
        ),
        lot=settings.abonnements_lot,
        bail=timedelta(seconds=settings.abonnements_bail_secondes),
        paralleles=settings.abonnements_livreurs,
        prefixe_vhost=settings.abonnements_prefixe_vhost,
    )
    return Dependances(
        settings=settings,
        webhooks=webhooks,
        admin_amqp=admin,
        publieur_amqp=publieur,
        livreur=livreur,
        reglages=Reglages(production=settings.production, admin_amqp=admin),
        cle_curseurs=settings.abonnements_cle_curseurs.encode(),
    )


DEPENDANCES = Slot("abonnements.dependances", Dependances, construire)


def dependances(runtime: ServiceRuntime) -> Dependances:
    return DEPENDANCES.of(runtime)


def dependances_de(request: Request) -> Dependances:
    return dependances(runtime_of(request))


async def demarrer(runtime: ServiceRuntime) -> None:
    deps = dependances(runtime)
    deps.arret.clear()
    if not deps.settings.abonnements_livraison:
        return
    deps.tache = asyncio.create_task(
        boucle(
            runtime.unit_of_work, deps.livreur, deps.settings.abonnements_intervalle, deps.arret
        ),
        name="abonnements-livreur",
    )


async def arreter(runtime: ServiceRuntime) -> None:
    deps = DEPENDANCES.get(runtime)
    if deps is None:
        return
    DEPENDANCES.clear(runtime)
    deps.arret.set()
    if deps.tache is not None:
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(deps.tache, 10)
    await deps.webhooks.fermer()
    if deps.publieur_amqp is not None:
        await deps.publieur_amqp.fermer()
