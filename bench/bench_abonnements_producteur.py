"""The internal producer of bench-abonnements, in its own process (its event loop shared
with nothing): commits `demande.modifiee` events through its outbox and relay, as the
demandes service does.

    python bench/bench_abonnements_producteur.py --database-url … --amqp-url … --evenements N
    python bench/bench_abonnements_producteur.py … --debit 200 --secondes 15

`--evenements N`: N events as fast as 8 concurrent producers can; `--debit R --secondes S`:
R events/s for S seconds. Waits until the outbox is empty, then prints one JSON line
(events, seconds, rate reached).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "libs/servicekit/tests"))

from bus_service import definition  # noqa: E402

from servicekit.logging import configure_logging  # noqa: E402
from servicekit.runtime import ServiceRuntime  # noqa: E402
from servicekit.testing import settings_for_tests  # noqa: E402
from toit_contracts.events import DemandeModifiee  # noqa: E402
from toit_contracts.examples import example_events  # noqa: E402

EXEMPLE = example_events()["demande.modifiee"]
assert isinstance(EXEMPLE, DemandeModifiee)


async def un(runtime: ServiceRuntime) -> None:
    async with runtime.unit_of_work() as uow:
        uow.publish(EXEMPLE.model_copy(update={"demande_id": uuid.uuid4(), "version": 1}))
        await uow.commit()


async def rafale(runtime: ServiceRuntime, n: int, producteurs: int) -> None:
    async def producteur(p: int) -> None:
        for _ in range(n // producteurs + (1 if p < n % producteurs else 0)):
            await un(runtime)

    await asyncio.gather(*(producteur(p) for p in range(producteurs)))


async def cadence(runtime: ServiceRuntime, debit: int, secondes: float) -> int:
    n = round(debit * secondes)
    debut = time.perf_counter()
    for i in range(n):
        await un(runtime)
        pause = debut + (i + 1) / debit - time.perf_counter()
        if pause > 0:
            await asyncio.sleep(pause)
    return n


async def main(args: argparse.Namespace) -> None:
    configure_logging("WARNING")
    runtime = ServiceRuntime(
        definition,
        settings_for_tests(bus="amqp", amqp_url=args.amqp_url),
        database_url=args.database_url,
    )
    await runtime.start(consume=False, seed=False)
    try:
        debut = time.perf_counter()
        if args.debit:
            n = await cadence(runtime, args.debit, args.secondes)
        else:
            n = args.evenements
            await rafale(runtime, n, args.producteurs)
        duree = time.perf_counter() - debut
        await runtime.relay.publish_pending()
    finally:
        await runtime.stop()
    print(json.dumps({"evenements": n, "secondes": round(duree, 2), "debit": round(n / duree)}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--amqp-url", required=True)
    parser.add_argument("--evenements", type=int, default=0)
    parser.add_argument("--producteurs", type=int, default=8)
    parser.add_argument("--debit", type=int, default=0)
    parser.add_argument("--secondes", type=float, default=15)
    asyncio.run(main(parser.parse_args()))
