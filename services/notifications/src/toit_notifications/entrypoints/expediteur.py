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
from toit_notifications.bootstrap import dependances
from toit_notifications.domain.model import PolitiqueEnvoi

log = structlog.get_logger(__name__)

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
    deps = dependances(runtime)
    settings = deps.settings.smtp()
    if settings.host is None:
        if runtime.settings.mode != "demo":
            log.warning(
                "notification.smtp_non_configure",
                detail="TOIT_SMTP_HOST absent : les courriels restent en attente",
            )
            return
        boite = BoiteDev(port=settings.dev_port)
        await boite.demarrer()
        deps.boite_dev = boite
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
    deps.courrielleur = courrielleur
    arret = asyncio.Event()
    deps.arret = arret
    deps.tache = asyncio.create_task(
        boucle(runtime, expedition_depuis(settings, courrielleur), settings.poll_interval, arret),
        name="notifications-expediteur",
    )


async def arreter(runtime: ServiceRuntime) -> None:
    deps = dependances(runtime)
    arret, deps.arret = deps.arret, None
    if arret is not None:
        arret.set()
    task, deps.tache = deps.tache, None
    if task is not None:
        # Let the current batch be marked sent: cancelling it would widen the
        # sent-but-not-marked window; a stuck batch is cancelled after the delay.
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(task, _FIN_DU_LOT_SECONDES)
    courrielleur, deps.courrielleur = deps.courrielleur, None
    if courrielleur is not None:
        await courrielleur.fermer()
    boite, deps.boite_dev = deps.boite_dev, None
    if boite is not None:
        await boite.arreter()
