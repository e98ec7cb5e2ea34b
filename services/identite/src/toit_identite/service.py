"""Declaration of the identite service for servicekit."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import structlog

from servicekit import ServiceDefinition
from servicekit.auth import (
    TokenVerifier,
    register_local_jwks,
    set_verifier,
    unregister_local_jwks,
)
from servicekit.runtime import ServiceRuntime
from servicekit.settings import Settings
from toit_identite import service_layer as uc
from toit_identite.adapters import keys
from toit_identite.adapters import repository as repo
from toit_identite.adapters.hashing import Hasher
from toit_identite.adapters.tables import metadata
from toit_identite.bootstrap import DEPENDANCES, Dependances
from toit_identite.config import DEVELOPMENT_KEY_PASSPHRASE, IdentiteSettings
from toit_identite.entrypoints import annonces, favoris
from toit_identite.entrypoints.http import router
from toit_identite.seed import seed

log = structlog.get_logger(__name__)

CHARTE_V1 = Path(__file__).parent / "charte_v1.md"


class ProductionConfigurationError(RuntimeError):
    """A production configuration with demo accounts, default secrets or development keys."""


def build_service(settings: IdentiteSettings | None = None) -> ServiceDefinition:
    """The service; tests pass their own settings (short lockouts, cheap hashing)."""

    async def prepare(runtime: ServiceRuntime) -> uc.contexte.Identite:
        """Idempotent: context, charte v1, signing key, local token verification."""
        existing = DEPENDANCES.get(runtime)
        if existing is not None:
            return existing.contexte
        own = settings or IdentiteSettings()
        if runtime.settings.mode == "production":
            await _refuse_unsafe_production(runtime, own)
        ctx = uc.contexte.Identite(
            settings=own,
            mode=runtime.settings.mode,
            issuer=runtime.settings.jwt_issuer,
            audience=runtime.settings.jwt_audience,
            hasher=Hasher(own.argon2_time_cost, own.argon2_memory_kib),
        )
        deps = Dependances(contexte=ctx)
        DEPENDANCES.put(runtime, deps)
        async with runtime.unit_of_work() as uow:
            await uc.charte.installer_charte(uow, CHARTE_V1.read_text("utf-8"))
        async with runtime.unit_of_work() as uow:
            await uc.jetons.renouveler_cles(uow, ctx)

        async def provider() -> dict[str, Any]:
            async with runtime.unit_of_work() as uow:
                return await uc.jetons.jwks(uow, ctx)

        # identite verifies its own tokens from its key store (plus a static
        # JWKS if configured); services in the same process use it too.
        base = TokenVerifier.from_settings(runtime.settings)
        set_verifier(
            runtime,
            TokenVerifier(
                issuer=base.issuer,
                audience=base.audience,
                provider=provider,
                static_jwks=_static_jwks(runtime),
                cache_seconds=30,
            ),
        )
        register_local_jwks(provider)
        deps.jwks = provider
        return ctx

    async def on_startup(runtime: ServiceRuntime) -> None:
        await prepare(runtime)

    async def on_shutdown(runtime: ServiceRuntime) -> None:
        deps = DEPENDANCES.get(runtime)
        if deps is not None and deps.jwks is not None:
            unregister_local_jwks(deps.jwks)
            deps.jwks = None

    async def demo_seed(runtime: ServiceRuntime) -> None:
        await prepare(runtime)
        await seed(runtime)

    async def daily(runtime: ServiceRuntime, day: date) -> None:
        ctx = await prepare(runtime)
        async with runtime.unit_of_work() as uow:
            disabled = await uc.comptes.desactiver_inactifs(uow, ctx, day)
        async with runtime.unit_of_work() as uow:
            reminders = await uc.comptes.rappeler_revues(uow, ctx, day)
        async with runtime.unit_of_work() as uow:
            rotation = await uc.jetons.renouveler_cles(uow, ctx)
        log.info(
            "identite.daily",
            comptes_desactives=disabled,
            rappels_revue=reminders,
            rotation=rotation,
        )

    daily.__name__ = "comptes_inactifs_et_cles"

    return ServiceDefinition(
        name="identite",
        description="Comptes, organisations, rôles, périmètres et jetons",
        migrations=Path(__file__).parent / "migrations",
        metadata=metadata,
        routers=[router, annonces.router, favoris.router],
        seed=demo_seed,
        daily_jobs=[daily],
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
    )


def _static_jwks(runtime: ServiceRuntime) -> Any:
    import json

    return json.loads(runtime.settings.jwks_json) if runtime.settings.jwks_json else None


async def _refuse_unsafe_production(runtime: ServiceRuntime, settings: IdentiteSettings) -> None:
    problems = []
    if settings.key_passphrase == DEVELOPMENT_KEY_PASSPHRASE:
        problems.append("TOIT_IDENTITE_KEY_PASSPHRASE has its development value")
    if runtime.settings.jwks_json or Settings().jwks_json:
        problems.append("TOIT_JWKS_JSON trusts extra (test) keys")
    if settings.public_url.startswith("http://"):
        problems.append("TOIT_IDENTITE_PUBLIC_URL must be https")
    async with runtime.unit_of_work() as uow:
        if await repo.count_demo_comptes(uow.session):
            problems.append("demo accounts exist in the database")
        if await keys.development_keys(uow.session):
            problems.append("signing keys created outside production mode exist")
    if problems:
        raise ProductionConfigurationError(
            "identite refuses to start in production: " + "; ".join(problems)
        )


service = build_service()
