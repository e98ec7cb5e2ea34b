"""`toit-deadletters`: list, inspect and replay dead letters on RabbitMQ.

    toit-deadletters list toit.cotation.demandes
    toit-deadletters show toit.cotation.demandes <message-id>
    toit-deadletters replay toit.cotation.demandes [--id ID ...]

Replaying sends a message back to its own queue only (not to every
subscriber of its event type), with its retry counter reset.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from servicekit.messaging.amqp import AmqpTransport
from servicekit.messaging.transport import H_ERROR, H_FAILED_AT
from servicekit.settings import Settings


async def _run(args: argparse.Namespace) -> int:
    transport = AmqpTransport(Settings().amqp_url)
    await transport.connect()
    try:
        if args.command == "list":
            letters = await transport.dead_letters(args.queue, limit=args.limit)
            for letter in letters:
                print(
                    f"{letter.message_id}\t{letter.routing_key}\t"
                    f"{letter.headers.get(H_FAILED_AT, '')}\t{letter.headers.get(H_ERROR, '')}"
                )
            print(f"{len(letters)} dead letter(s) in {args.queue}.dlq", file=sys.stderr)
        elif args.command == "show":
            for letter in await transport.dead_letters(args.queue, limit=100_000):
                if letter.message_id == args.message_id:
                    print(
                        json.dumps(
                            {"headers": letter.headers, "body": json.loads(letter.body)},
                            indent=2,
                            ensure_ascii=False,
                        )
                    )
                    return 0
            print("not found", file=sys.stderr)
            return 1
        elif args.command == "replay":
            count = await transport.replay(args.queue, args.id or None)
            print(f"replayed {count} message(s) to {args.queue}")
        return 0
    finally:
        await transport.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="toit-deadletters",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list")
    listing.add_argument("queue")
    listing.add_argument("--limit", type=int, default=100)
    show = sub.add_parser("show")
    show.add_argument("queue")
    show.add_argument("message_id")
    replay = sub.add_parser("replay")
    replay.add_argument("queue")
    replay.add_argument("--id", action="append", help="only this message id (repeatable)")
    raise SystemExit(asyncio.run(_run(parser.parse_args(argv))))
