"""A cotation replica in its own process, for the replicas test:

    python replique.py DATABASE_URL AMQP_URL

starts on a first line of its standard input (the database migrated meanwhile: the
imports take seconds), prints `pret` once it consumes, and stops at the end of its
standard input.
"""

from __future__ import annotations

import asyncio
import sys

from toit_cotation.service import service

from servicekit.logging import configure_logging
from servicekit.runtime import ServiceRuntime
from servicekit.testing import settings_for_tests


async def main(database_url: str, amqp_url: str) -> None:
    configure_logging("WARNING")
    await asyncio.to_thread(sys.stdin.readline)
    runtime = ServiceRuntime(
        service, settings_for_tests(bus="amqp", amqp_url=amqp_url), database_url=database_url
    )
    await runtime.start(migrate=False, seed=False)
    try:
        print("pret", flush=True)
        await asyncio.to_thread(sys.stdin.read)
    finally:
        await runtime.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
