"""The sender loop: started with the service, it delivers due emails until stopped.

Without TOIT_SMTP_HOST, demo mode starts the local SMTP server (BoiteDev) and
sends there; any other mode leaves emails waiting and says so in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog

from servicekit.runtime import ServiceRuntime
from toit_notifications import service_layer
from toit_notifications.adapters.boite_dev import BoiteDev
from toit_notifications.adapters.smtp import Courrielleur, SmtpSettings
from toit_notifications.domain.model import PolitiqueEnvoi

log = structlog.get_logger(__name__)

BOITE_DEV = "notifications.boite_dev"
_TACHE = "notifications.expediteur"
_COURRIELLEUR = "notifications.courrielleur"
_ARRET = "notifications.arret"
# On shutdown, the batch being sent may finish (and be marked sent) within this delay.
_FIN_DU_LOT_SECONDES = 10.0


def expedition_depuis(
    settings: SmtpSettings, courrielleur: Courrielleur
) -> service_layer.Expedition:
    return service_layer.Expedition(
        courrielleur=courrielleur,
        politique=PolitiqueEnvoi(
            delai_initial=timedelta(seconds=settings.retry_initial),
            delai_max=timedelta(seconds=settings.retry_max),
            abandon_apres=timedelta(hours=settings.abandon_after_hours),
        ),
        expediteur=settings.from_address,
        taille_lot=settings.batch_size,
        bail=timedelta(seconds=max(settings.timeout * 3, 60)),
    )


async def boucle(
    runtime: ServiceRuntime,
    expedition: service_layer.Expedition,
    poll_interval: float,
    arret: asyncio.Event,
) -> None:
    while not arret.is_set():
        try:
            tried = await service_layer.envoyer_lot(runtime.unit_of_work, expedition)
        except Exception as exc:
            # The database may be briefly away: the loop must outlive it.
            log.warning("notification.boucle_en_erreur", error=type(exc).__name__)
            tried = 0
        if tried < expedition.taille_lot:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll_interval):
                    await arret.wait()


async def demarrer(runtime: ServiceRuntime) -> None:
    settings = SmtpSettings()
    if settings.host is None:
        if runtime.settings.mode != "demo":
            log.warning(
                "notification.smtp_non_configure",
                detail="TOIT_SMTP_HOST absent : les courriels restent en attente",
            )
            return
        boite = BoiteDev(port=settings.dev_port)
        await boite.demarrer()
        runtime.state[BOITE_DEV] = boite
        settings = settings.model_copy(
            update={
                "host": boite.host,
                "port": boite.port,
                "security": "none",
                "username": None,
                "password": None,
            }
        )
        log.info("notification.boite_dev_demarree", port=boite.port)
    assert settings.host is not None
    courrielleur = Courrielleur(settings, settings.host, settings.port)
    runtime.state[_COURRIELLEUR] = courrielleur
    arret = asyncio.Event()
    runtime.state[_ARRET] = arret
    runtime.state[_TACHE] = asyncio.create_task(
        boucle(runtime, expedition_depuis(settings, courrielleur), settings.poll_interval, arret),
        name="notifications-expediteur",
    )


async def arreter(runtime: ServiceRuntime) -> None:
    arret = runtime.state.pop(_ARRET, None)
    if isinstance(arret, asyncio.Event):
        arret.set()
    task = runtime.state.pop(_TACHE, None)
    if isinstance(task, asyncio.Task):
        # Let the current batch be marked sent: cancelling it would widen the
        # sent-but-not-marked window; a stuck batch is cancelled after the delay.
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(task, _FIN_DU_LOT_SECONDES)
    courrielleur = runtime.state.pop(_COURRIELLEUR, None)
    if isinstance(courrielleur, Courrielleur):
        await courrielleur.fermer()
    boite = runtime.state.pop(BOITE_DEV, None)
    if isinstance(boite, BoiteDev):
        await boite.arreter()
