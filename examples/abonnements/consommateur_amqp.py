"""Sample partner consumer — AMQP (a queue in the partner's own RabbitMQ vhost).

    TOIT_AMQP_PARTENAIRE=amqp://partenaire-…:…@broker/toit-partenaire-… \
        uv run python examples/abonnements/consommateur_amqp.py --file toit.abonnement.<id>

The partner's user may only consume its queues (it cannot declare, bind or publish, and has
no access to Toit's internal vhost). Acknowledge after processing: an unacknowledged
message is delivered again (deduplicate on `message_id`, the CloudEvent id).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from typing import Any

import aio_pika


async def consommer(url: str, file: str, appliquer: Any, arret: asyncio.Event) -> None:
    connexion = await aio_pika.connect_robust(url)
    async with connexion:
        canal = await connexion.channel()
        await canal.set_qos(prefetch_count=100)
        queue = await canal.get_queue(file, ensure=False)  # declared by Toit
        deja_vus: set[str] = set()
        async with queue.iterator() as messages:
            async for message in messages:
                async with message.process(requeue=True):  # ack after processing
                    if message.message_id not in deja_vus:
                        appliquer(json.loads(message.body))
                        deja_vus.add(str(message.message_id))
                if arret.is_set():
                    break


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", required=True)
    args = parser.parse_args()

    def afficher(evenement: dict[str, Any]) -> None:
        print(evenement["type"], evenement["subject"], evenement["data"].get("version"))

    asyncio.run(consommer(os.environ["TOIT_AMQP_PARTENAIRE"], args.file, afficher, asyncio.Event()))


if __name__ == "__main__":
    main()
