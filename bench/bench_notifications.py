"""bench-notifications: renewal notices rendered and sent to a local SMTP server.

    make bench-notifications   (or: uv run python bench/bench_notifications.py --count 10000)

1. Rendering alone: subject, plain text and HTML of each notice, plus its MIME
   message: p50/p99 per notice.
2. Full path: N `demande.renouvellement_a_echeance` events published on the
   broker → consumer (inbox, rendering, one row per notice) → sender loop →
   aiosmtpd server (in a child process, as a real server would be): messages/s
   until the server holds N distinct messages.
By default on the local PostgreSQL and RabbitMQ (`deploy/local/infra.sh start`);
`--embedded` runs on SQLite and the in-process bus, as `make run` does.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import statistics
import time
import uuid
from datetime import date
from typing import Any

from toit_notifications.adapters.boite_dev import BoiteDev
from toit_notifications.adapters.gabarits import Gabarits
from toit_notifications.adapters.smtp import build_message
from toit_notifications.domain.declencheurs import PAR_EVENEMENT
from toit_notifications.domain.model import message_id
from toit_notifications.service import service

from servicekit.logging import configure_logging
from servicekit.messaging.memory import InMemoryTransport
from servicekit.messaging.transport import OutgoingMessage
from servicekit.runtime import ServiceRuntime
from servicekit.testing import (
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
    settings_for_tests,
)
from toit_contracts.events import DemandeRenouvellementAEcheance
from toit_contracts.examples import example_contact, example_events


def notices(count: int) -> list[DemandeRenouvellementAEcheance]:
    template = example_events()["demande.renouvellement_a_echeance"]
    assert isinstance(template, DemandeRenouvellementAEcheance)
    return [
        template.model_copy(
            update={
                "demande_id": uuid.uuid4(),
                "contact": example_contact().model_copy(
                    update={"email": f"demandeur{i}@example.org", "nom": f"NOM{i}"}
                ),
                "date_expiration": date(2027, 1, 1 + i % 28),
            }
        )
        for i in range(count)
    ]


def rendering(events: list[DemandeRenouvellementAEcheance]) -> list[float]:
    gabarits = Gabarits()
    declencheur = PAR_EVENEMENT[DemandeRenouvellementAEcheance.event_type]
    timings: list[float] = []
    for event in events:
        started = time.perf_counter()
        [avis] = declencheur.avis(event)
        rendu = gabarits.rendre(avis.type, {**avis.contexte, "canal": avis.canal.value})
        build_message(
            expediteur="Toit <ne-pas-repondre@toit.example.org>",
            destinataire=avis.destinataire.email or "",
            sujet=rendu.sujet,
            texte=rendu.texte,
            html=rendu.html,
            message_id=message_id(str(event.demande_id), "toit.example.org"),
        ).as_bytes()
        timings.append(time.perf_counter() - started)
    return timings


MESSAGE_ID = re.compile(rb"^Message-ID: *(\S+)", re.MULTILINE | re.IGNORECASE)


def smtp_server(port: Any, received: Any, distinct: Any, stop: Any) -> None:
    """Child process: the SMTP server, publishing how many messages (and distinct
    Message-IDs) it holds."""

    async def serve() -> None:
        boite = BoiteDev(capacite=10_000_000)
        await boite.demarrer()
        port.value = boite.port
        ids: set[bytes] = set()
        seen = 0
        while not stop.is_set():
            messages = list(boite.messages)
            for message in messages[seen:]:
                found = MESSAGE_ID.search(message.contenu)
                ids.add(found.group(1) if found else b"")
            seen = len(messages)
            received.value, distinct.value = seen, len(ids)
            await asyncio.sleep(0.05)
        await boite.arreter()

    asyncio.run(serve())


async def full_path(events: list[DemandeRenouvellementAEcheance], embedded: bool) -> float:
    port, received, distinct = (multiprocessing.Value("i", 0) for _ in range(3))
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=smtp_server, args=(port, received, distinct, stop))
    server.start()
    while not port.value:
        await asyncio.sleep(0.05)
    os.environ.update(
        {
            "TOIT_SMTP_HOST": "127.0.0.1",
            "TOIT_SMTP_PORT": str(port.value),
            "TOIT_SMTP_SECURITY": "none",
            "TOIT_SMTP_POLL_INTERVAL": "0.05",
            "TOIT_SMTP_BATCH_SIZE": "200",
            "TOIT_SMTP_CONNECTIONS": "8",
        }
    )
    cleanup = []
    if embedded:
        import tempfile

        folder = tempfile.mkdtemp(prefix="bench-notifications-")
        runtime = ServiceRuntime(
            service,
            settings_for_tests(bus="memory"),
            transport=InMemoryTransport(),
            database_url=f"sqlite+aiosqlite:///{folder}/notifications.db",
        )
    else:
        database, vhost = await create_database(), await create_vhost()
        cleanup = [(drop_database, database), (delete_vhost, vhost)]
        runtime = ServiceRuntime(
            service, settings_for_tests(bus="amqp", amqp_url=vhost), database_url=database
        )
    await runtime.start()
    try:
        messages = []
        for event in events:
            envelope = event.to_cloudevent(source="/toit/demandes")
            messages.append(OutgoingMessage(envelope.id, envelope.type, envelope.to_json_bytes()))
        started = time.perf_counter()
        for i in range(0, len(messages), 500):
            await runtime.transport.publish(messages[i : i + 500])
        while distinct.value < len(events):
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        await asyncio.sleep(1.0)
        assert received.value == len(events), "a notice was sent twice"
        return elapsed
    finally:
        await runtime.stop()
        stop.set()
        server.join()
        for drop, target in cleanup:
            await drop(target)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="SQLite and the in-process bus instead of PostgreSQL and RabbitMQ",
    )
    args = parser.parse_args()
    configure_logging("WARNING", json=True)
    events = notices(args.count)

    timings = sorted(rendering(events))
    p50 = statistics.median(timings) * 1000
    p99 = timings[int(len(timings) * 0.99) - 1] * 1000
    print(
        f"rendering: {args.count} notices, p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
        f"{args.count / sum(timings):.0f} notices/s on one core"
    )

    elapsed = await full_path(events, args.embedded)
    backend = "SQLite + in-process bus" if args.embedded else "PostgreSQL + RabbitMQ"
    print(
        f"full path ({backend}): {args.count} notices consumed, rendered, recorded and "
        f"accepted by the SMTP server in {elapsed:.1f} s: {args.count / elapsed:.0f} messages/s"
    )


if __name__ == "__main__":
    asyncio.run(main())
