"""Realistic demande generator for the benchmarks and `make seed`.

    from generator import generate
    for payload in generate(count=1000, seed=42):
        ...  # body of POST /api/demandes

Run from bench/: `uv run python -m generator --count 200000 --seed 42 --output data/x.jsonl`.
"""

from generator.households import REFERENCE_DATE, generate, typologies_possibles

__all__ = ["REFERENCE_DATE", "generate", "typologies_possibles"]
