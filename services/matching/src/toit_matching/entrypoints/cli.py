"""`toit-matching`: operate the matching service's read models.

toit-matching reconstruire   re-project every stored demande (wished communes, search
                             pre-filters, projected row) from its stored source
toit-matching rejouer        rebuild the read models from scratch from the event archive
                             (the RabbitMQ stream the observatoire keeps, bound to every
                             event): emptied, then every demande.* and cotation.calculee
                             event replayed in order through the consumers' handlers.
                             Run it with the service stopped; what is published meanwhile
                             waits in matching's queues and is applied at restart
toit-matching vider          empty the read models and forget what the consumers applied
                             (inbox and entity versions of matching's queues): the next
                             replay of the demande and cotation events rebuilds them

Settings as the service's (TOIT_*)."""

from __future__ import annotations

import argparse
import asyncio
import time

from servicekit.messaging.flux import LecteurFlux, MessageFlux
from servicekit.runtime import ServiceRuntime
from toit_matching.bootstrap import Referentiel
from toit_matching.entrypoints.events import QUEUES, rejouer_archive
from toit_matching.service import service
from toit_matching.service_layer.copies_demandes import reconstruire, vider
from toit_matching.settings import MatchingSettings


async def _run(commande: str) -> None:
    runtime = ServiceRuntime(service, MatchingSettings())
    await runtime.migrate()
    try:
        debut = time.perf_counter()
        if commande == "reconstruire":
            n = await reconstruire(runtime.unit_of_work, Referentiel().epci_de)
            duree = time.perf_counter() - debut
            print(f"{n} demandes reprojetées en {duree:.1f} s")
        elif commande == "rejouer":
            settings = runtime.settings
            if settings.bus != "amqp":
                print("rejouer lit l'archive du bus RabbitMQ : indisponible en mode embarqué")
                return
            archive = LecteurFlux(settings.amqp_url, MessageFlux, nom_connexion="toit-matching")
            try:
                r = await rejouer_archive(runtime.unit_of_work, archive)
            finally:
                await archive.fermer()
            print(
                f"{r.lus} événements lus, {r.appliques} appliqués, {r.perimes} périmés ignorés, "
                f"en {r.secondes:.1f} s ({r.par_seconde:.0f}/s)"
            )
        else:
            await vider(runtime.unit_of_work, QUEUES)
            print("modèles vidés : rejouez les événements demande.* et cotation.calculee")
    finally:
        await runtime.db.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="toit-matching",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("commande", choices=["reconstruire", "rejouer", "vider"])
    asyncio.run(_run(parser.parse_args(argv).commande))
