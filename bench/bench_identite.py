"""bench-identite: cost of authentication.

    uv run python bench/bench_identite.py

(a) Local verification of an access token by servicekit (what every request of
    every service pays), on one core, JWKS cached: a token seen for the first time
    (signature checked) and a token already verified (remembered until it expires).
(b) argon2id with the production parameters (time_cost=3, 64 MiB): one password
    hash or verification, i.e. the floor of a login (POST /api/identite/token).
No servers needed.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

from toit_identite.adapters.hashing import Hasher
from toit_identite.config import IdentiteSettings

from servicekit.auth import TokenVerifier
from servicekit.testing_auth import TEST_KID, make_token, test_jwks


async def verification(count: int) -> tuple[float, float]:
    """(first verification of distinct tokens, repeated verification of one token) per s."""
    verifier = TokenVerifier(issuer="toit-identite", audience="toit", static_jwks=test_jwks())
    tokens = [
        make_token(roles={"AGENT_ENREGISTREUR"}, departements={"44"}, kid=TEST_KID)
        for _ in range(count)
    ]
    started = time.perf_counter()
    for token in tokens:
        await verifier.verify(token)
    first = count / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(count):
        await verifier.verify(tokens[0])
    return first, count / (time.perf_counter() - started)


def argon2(count: int) -> tuple[float, float]:
    settings = IdentiteSettings()
    hasher = Hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
    hashes, verifies = [], []
    stored = hasher.hash("une phrase de passe de test")
    for _ in range(count):
        started = time.perf_counter()
        hasher.hash("une phrase de passe de test")
        hashes.append(time.perf_counter() - started)
        started = time.perf_counter()
        hasher.verify(stored, "une phrase de passe de test")
        verifies.append(time.perf_counter() - started)
    return statistics.median(hashes) * 1000, statistics.median(verifies) * 1000


def main() -> None:
    first, repeated = asyncio.run(verification(5_000))
    hash_ms, verify_ms = argon2(20)
    print(
        json.dumps(
            {
                "new_token_verifications_per_second_one_core": round(first),
                "known_token_verifications_per_second_one_core": round(repeated),
                "argon2id_hash_ms_median": round(hash_ms, 1),
                "argon2id_verify_ms_median": round(verify_ms, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
