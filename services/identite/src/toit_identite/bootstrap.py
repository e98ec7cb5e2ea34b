"""identite's dependencies, built once per runtime at start-up and typed.

    deps = dependances(runtime)   # deps.contexte (settings, hasher, keys), deps.jwks

`service.py` builds them when the service starts (checks, charte, signing key, token
verifier): use cases receive `deps.contexte` as an argument.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from servicekit.bootstrap import Slot
from servicekit.runtime import ServiceRuntime
from toit_identite.service_layer.contexte import Identite

JwksProvider = Callable[[], Awaitable[dict[str, Any]]]


@dataclass
class Dependances:
    contexte: Identite
    # identite's own JWKS, registered for the token verifiers of this process.
    jwks: JwksProvider | None = None


def _pas_encore(_runtime: ServiceRuntime) -> Dependances:
    raise RuntimeError("identite's dependencies are built when the service starts")


DEPENDANCES = Slot("identite.dependances", Dependances, _pas_encore)


def dependances(runtime: ServiceRuntime) -> Dependances:
    return DEPENDANCES.of(runtime)
