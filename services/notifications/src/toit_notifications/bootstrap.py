"""The notifications service's dependencies, built once per runtime and typed.

    deps = dependances(runtime)   # settings; the sender loop's parts while it runs

`entrypoints/expediteur.py` fills the sender's parts at start-up and empties them at
shutdown; the dev mailbox route reads `boite_dev`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from servicekit.bootstrap import Slot
from servicekit.runtime import ServiceRuntime
from toit_notifications.adapters.boite_dev import BoiteDev
from toit_notifications.adapters.smtp import Courrielleur
from toit_notifications.settings import NotificationsSettings


@dataclass
class Dependances:
    settings: NotificationsSettings
    # Demo mode without TOIT_SMTP_HOST: the local SMTP server that keeps the messages.
    boite_dev: BoiteDev | None = None
    courrielleur: Courrielleur | None = None
    arret: asyncio.Event | None = None
    tache: asyncio.Task[None] | None = None


def construire(_runtime: ServiceRuntime) -> Dependances:
    return Dependances(settings=NotificationsSettings())


DEPENDANCES = Slot("notifications.dependances", Dependances, construire)


def dependances(runtime: ServiceRuntime) -> Dependances:
    return DEPENDANCES.of(runtime)
