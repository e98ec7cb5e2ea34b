"""A separate process playing producer, relay or consumer, so tests can kill it.

    python bus_worker.py produce --count 100 [--crash-after-commit]
    python bus_worker.py relay [--crash-after-publish]
    python bus_worker.py consume
Configuration comes from TOIT_DATABASE_URL and TOIT_AMQP_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from bus_service import ThingChanged, definition

from servicekit.logging import configure_logging
from servicekit.messaging.transport import OutgoingMessage
from servicekit.runtime import ServiceRuntime
from servicekit.testing import settings_for_tests


def crash() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def main(args: argparse.Namespace) -> None:
    configure_logging("WARNING")
    runtime = ServiceRuntime(
        definition,
        settings_for_tests(
            bus="amqp",
            amqp_url=os.environ["TOIT_AMQP_URL"],
            database_url=os.environ["TOIT_DATABASE_URL"],
        ),
    )
    if args.role == "produce":
        await runtime.start(relay=False, consume=False, migrate=False, seed=False)
        async with runtime.unit_of_work() as uow:
            for i in range(args.count):
                uow.publish(
                    ThingChanged(thing_id=f"{args.prefix}{i}", version=1, payload=args.payload)
                )
            await uow.commit()
        if args.crash_after_commit:
            crash()  # the relay never ran: the events exist only in the outbox
    elif args.role == "relay":
        await runtime.start(relay=False, consume=False, migrate=False, seed=False)
        if args.crash_after_publish:
            publish = runtime.transport.publish

            async def publish_then_crash(messages: list[OutgoingMessage]) -> None:
                await publish(messages)
                crash()  # published and confirmed, but never marked sent

            runtime.transport.publish = publish_then_crash  # type: ignore[method-assign]
        await runtime.relay.publish_pending()
    elif args.role == "consume":
        await runtime.start(relay=False, consume=True, migrate=False, seed=False)
        print("consuming", flush=True)
        await asyncio.Event().wait()
    await runtime.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["produce", "relay", "consume"])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--prefix", default="t")
    parser.add_argument("--payload", default="")
    parser.add_argument("--crash-after-commit", action="store_true")
    parser.add_argument("--crash-after-publish", action="store_true")
    asyncio.run(main(parser.parse_args()))
