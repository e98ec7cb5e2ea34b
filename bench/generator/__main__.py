"""Command line: write generated demandes as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import nullcontext
from datetime import date
from pathlib import Path

from generator.households import REFERENCE_DATE, generate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m generator", description="Write realistic demandes as JSON lines."
    )
    parser.add_argument("--count", type=int, required=True, help="number of demandes")
    parser.add_argument("--seed", type=int, default=42, help="same seed, same demandes")
    parser.add_argument("--output", type=Path, help="JSON lines file (default: stdout)")
    parser.add_argument(
        "--reference-date",
        type=date.fromisoformat,
        default=REFERENCE_DATE,
        help=f"the generated demandes' today (default {REFERENCE_DATE})",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") if args.output else nullcontext(sys.stdout) as out:
        write = out.write
        for payload in generate(args.count, args.seed, args.reference_date):
            write(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
            write("\n")
    elapsed = time.perf_counter() - started
    print(
        f"{args.count} demandes in {elapsed:.1f} s ({args.count / elapsed:,.0f}/s)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
