"""Reading and writing organisations, accounts and their companions."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_contracts.enums import TypeOrganisation
from toit_identite.adapters import tables as t
from toit_identite.domain.model import Compte, Organisation, StatutCompte, TypeCompte
from toit_identite.domain.throttling import Throttle


def utc(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Organisations ---------------------------------------------------------------------------


def _organisation(row: Any) -> Organisation:
    return Organisation(
        id=row.id,
        nom=row.nom,
        type=TypeOrganisation(row.type),
        departements=list(row.departements),
        siren=row.siren,
        guichet_enregistreur=row.guichet_enregistreur,
        reservataire=row.reservataire,
        bailleur=row.bailleur,
        code_guichet=row.code_guichet,
        demo=row.demo,
        version=row.version,
    )


async def add_organisation(
    session: AsyncSession, organisation: Organisation, now: datetime
) -> None:
    values = asdict(organisation)
    values["type"] = organisation.type.value
    await session.execute(t.organisation.insert().values(**values, cree_le=now))


async def update_organisation(session: AsyncSession, organisation: Organisation) -> None:
    """Write the organisation's changeable fields and its new version."""
    await session.execute(
        t.organisation.update()
        .where(t.organisation.c.id == organisation.id)
        .values(
            nom=organisation.nom,
            departements=list(organisation.departements),
            guichet_enregistreur=organisation.guichet_enregistreur,
            reservataire=organisation.reservataire,
            bailleur=organisation.bailleur,
            version=organisation.version,
        )
    )


async def get_organisation(session: AsyncSession, organisation_id: str) -> Organisation | None:
    row = (
        await session.execute(
            sa.select(t.organisation).where(t.organisation.c.id == organisation_id)
        )
    ).first()
    return _organisation(row) if row else None


async def list_organisations(session: AsyncSession) -> list[Organisation]:
    rows = (await session.execute(sa.select(t.organisation).order_by(t.organisation.c.nom))).all()
    return [_organisation(row) for row in rows]


async def code_guichet_taken(session: AsyncSession, code: str) -> bool:
    return (
        await session.execute(
            sa.select(t.organisation.c.id).where(t.organisation.c.code_guichet == code)
        )
    ).first() is not None


# --- Accounts --------------------------------------------------------------------------------


def _compte(row: Any) -> Compte:
    return Compte(
        id=row.id,
        kind=TypeCompte(row.kind),
        identifiant=row.identifiant,
        email=row.email,
        nom=row.nom,
        prenom=row.prenom,
        organisation_id=row.organisation_id,
        roles=list(row.roles),
        departements=list(row.departements),
        epcis=list(row.epcis),
        communes=list(row.communes),
        valide_du=row.valide_du,
        valide_jusqu_au=row.valide_jusqu_au,
        statut=StatutCompte(row.statut),
        motif_desactivation=row.motif_desactivation,
        password_hash=row.password_hash,
        charte_version=row.charte_version,
        derniere_connexion=utc(row.derniere_connexion),
        cree_le=utc(row.cree_le),
        actif_depuis=utc(row.actif_depuis),
        version=row.version,
        demo=row.demo,
    )


def _compte_values(compte: Compte) -> dict[str, Any]:
    values = asdict(compte)
    values["kind"] = compte.kind.value
    values["statut"] = compte.statut.value
    return values


async def add_compte(session: AsyncSession, compte: Compte) -> None:
    await session.execute(t.compte.insert().values(**_compte_values(compte)))


async def save_compte(session: AsyncSession, compte: Compte, *, expected_version: int) -> bool:
    """Write the account if nobody changed it meanwhile (optimistic lock)."""
    values = _compte_values(compte)
    values.pop("id")
    result = await session.execute(
        t.compte.update()
        .where(t.compte.c.id == compte.id, t.compte.c.version == expected_version)
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def get_compte(session: AsyncSession, compte_id: str) -> Compte | None:
    row = (await session.execute(sa.select(t.compte).where(t.compte.c.id == compte_id))).first()
    return _compte(row) if row else None


async def find_compte(session: AsyncSession, identifiant_or_email: str) -> Compte | None:
    """By identifiant, else by email when exactly one account has it."""
    key = identifiant_or_email.strip().lower()
    row = (await session.execute(sa.select(t.compte).where(t.compte.c.identifiant == key))).first()
    if row:
        return _compte(row)
    rows = (
        await session.execute(
            sa.select(t.compte).where(sa.func.lower(t.compte.c.email) == key).limit(2)
        )
    ).all()
    return _compte(rows[0]) if len(rows) == 1 else None


async def identifiant_taken(session: AsyncSession, identifiant: str) -> bool:
    return (
        await session.execute(
            sa.select(t.compte.c.id).where(t.compte.c.identifiant == identifiant.lower())
        )
    ).first() is not None


async def list_comptes(
    session: AsyncSession, *, organisation_id: str | None = None, statut: str | None = None
) -> list[Compte]:
    query = sa.select(t.compte).where(t.compte.c.kind == TypeCompte.AGENT.value)
    if organisation_id:
        query = query.where(t.compte.c.organisation_id == organisation_id)
    if statut:
        query = query.where(t.compte.c.statut == statut)
    rows = (await session.execute(query.order_by(t.compte.c.identifiant))).all()
    return [_compte(row) for row in rows]


async def inactive_comptes(session: AsyncSession, before: datetime) -> list[Compte]:
    """Accounts not disabled, neither used nor (re)activated since the date."""
    rows = (
        await session.execute(
            sa.select(t.compte).where(
                t.compte.c.statut != StatutCompte.DESACTIVE.value,
                t.compte.c.actif_depuis < before,
                sa.or_(
                    t.compte.c.derniere_connexion.is_(None), t.compte.c.derniere_connexion < before
                ),
            )
        )
    ).all()
    return [_compte(row) for row in rows]


async def count_demo_comptes(session: AsyncSession) -> int:
    return (
        await session.execute(
            sa.select(sa.func.count()).select_from(t.compte).where(t.compte.c.demo.is_(True))
        )
    ).scalar_one()


async def record_login(
    session: AsyncSession, compte_id: str, now: datetime, password_hash: str | None = None
) -> None:
    values: dict[str, Any] = {"derniere_connexion": now}
    if password_hash:
        values["password_hash"] = password_hash
    await session.execute(t.compte.update().where(t.compte.c.id == compte_id).values(**values))


# --- Habilitation journal --------------------------------------------------------------------


async def journal(
    session: AsyncSession,
    *,
    at: datetime,
    auteur_id: str | None,
    compte_id: str,
    operation: str,
    details: dict[str, Any],
) -> None:
    await session.execute(
        t.journal_habilitation.insert().values(
            at=at, auteur_id=auteur_id, compte_id=compte_id, operation=operation, details=details
        )
    )


async def read_journal(session: AsyncSession, compte_id: str) -> Sequence[Any]:
    return (
        (
            await session.execute(
                sa.select(t.journal_habilitation)
                .where(t.journal_habilitation.c.compte_id == compte_id)
                .order_by(t.journal_habilitation.c.at, t.journal_habilitation.c.id)
            )
        )
        .mappings()
        .all()
    )


# --- Charte ----------------------------------------------------------------------------------


async def current_charte(session: AsyncSession) -> Any | None:
    return (
        (await session.execute(sa.select(t.charte).order_by(t.charte.c.version.desc()).limit(1)))
        .mappings()
        .first()
    )


async def add_charte(
    session: AsyncSession, version: int, texte: str, now: datetime, auteur: str | None
) -> None:
    await session.execute(
        t.charte.insert().values(version=version, texte=texte, publiee_le=now, publiee_par=auteur)
    )


# --- Refresh tokens --------------------------------------------------------------------------


async def add_refresh_token(
    session: AsyncSession,
    *,
    token: str,
    compte_id: str,
    family_id: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    await session.execute(
        t.refresh_token.insert().values(
            token_hash=token_hash(token),
            compte_id=compte_id,
            family_id=family_id,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def get_refresh_token(session: AsyncSession, token: str) -> Any | None:
    return (
        (
            await session.execute(
                sa.select(t.refresh_token)
                .where(t.refresh_token.c.token_hash == token_hash(token))
                .with_for_update()
            )
        )
        .mappings()
        .first()
    )


async def mark_refresh_used(session: AsyncSession, token: str, now: datetime) -> bool:
    """Consume the token; False if someone else consumed it first."""
    result = await session.execute(
        t.refresh_token.update()
        .where(
            t.refresh_token.c.token_hash == token_hash(token), t.refresh_token.c.used_at.is_(None)
        )
        .values(used_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def revoke_family(session: AsyncSession, family_id: str, now: datetime) -> None:
    await session.execute(
        t.refresh_token.update()
        .where(t.refresh_token.c.family_id == family_id, t.refresh_token.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_all_refresh(session: AsyncSession, compte_id: str, now: datetime) -> None:
    await session.execute(
        t.refresh_token.update()
        .where(t.refresh_token.c.compte_id == compte_id, t.refresh_token.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


# --- Single-use links ------------------------------------------------------------------------


async def add_link(
    session: AsyncSession, *, token: str, compte_id: str, purpose: str, expires_at: datetime
) -> None:
    """A new single-use link; the account's earlier unused links of the same purpose
    stop working (only the last email sent is valid)."""
    await session.execute(
        t.lien_usage_unique.delete().where(
            t.lien_usage_unique.c.compte_id == compte_id,
            t.lien_usage_unique.c.purpose == purpose,
            t.lien_usage_unique.c.used_at.is_(None),
        )
    )
    await session.execute(
        t.lien_usage_unique.insert().values(
            token_hash=token_hash(token),
            compte_id=compte_id,
            purpose=purpose,
            expires_at=expires_at,
        )
    )


async def consume_link(
    session: AsyncSession, token: str, purpose: str, now: datetime
) -> str | None:
    """The account of a valid unused link, which is consumed; None otherwise."""
    row = (
        await session.execute(
            sa.select(t.lien_usage_unique).where(
                t.lien_usage_unique.c.token_hash == token_hash(token),
                t.lien_usage_unique.c.purpose == purpose,
            )
        )
    ).first()
    if row is None or row.used_at is not None or utc(row.expires_at) <= now:  # type: ignore[operator]
        return None
    result = await session.execute(
        t.lien_usage_unique.update()
        .where(
            t.lien_usage_unique.c.token_hash == row.token_hash,
            t.lien_usage_unique.c.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return row.compte_id if result.rowcount else None  # type: ignore[attr-defined]


# --- Throttling ------------------------------------------------------------------------------


async def get_throttle(session: AsyncSession, key: str) -> Throttle:
    row = (
        await session.execute(sa.select(t.login_throttle).where(t.login_throttle.c.key == key))
    ).first()
    if row is None:
        return Throttle()
    return Throttle(row.failures, utc(row.window_start), utc(row.locked_until))


async def save_throttle(session: AsyncSession, key: str, state: Throttle) -> None:
    values = {
        "failures": state.failures,
        "window_start": state.window_start,
        "locked_until": state.locked_until,
    }
    result = await session.execute(
        t.login_throttle.update().where(t.login_throttle.c.key == key).values(**values)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        await session.execute(t.login_throttle.insert().values(key=key, **values))


async def clear_throttle(session: AsyncSession, key: str) -> None:
    await session.execute(t.login_throttle.delete().where(t.login_throttle.c.key == key))


async def clear_account_throttles(session: AsyncSession, compte_id: str) -> None:
    """The account's counters, from every address (see jetons.cles_de_limitation)."""
    await session.execute(
        t.login_throttle.delete().where(
            sa.or_(
                t.login_throttle.c.key == f"compte:{compte_id}",
                t.login_throttle.c.key.like(f"ip-compte:%|{compte_id}"),
            )
        )
    )


async def purge_expired(session: AsyncSession, now: datetime, before: datetime) -> None:
    """Forget spent tokens, links and counters (daily housekeeping)."""
    await session.execute(t.refresh_token.delete().where(t.refresh_token.c.expires_at < before))
    await session.execute(
        t.lien_usage_unique.delete().where(t.lien_usage_unique.c.expires_at < before)
    )
    await session.execute(
        t.login_throttle.delete().where(
            sa.or_(
                t.login_throttle.c.locked_until < before,
                sa.and_(
                    t.login_throttle.c.locked_until.is_(None),
                    t.login_throttle.c.window_start < before,
                ),
            )
        )
    )


def today_utc(now: datetime) -> date:
    return now.astimezone(UTC).date()


async def claim_review_reminder(
    session: AsyncSession, organisation_id: str, mois: str, now: datetime
) -> bool:
    """Record this month's reminder; False if it was already sent."""
    exists = (
        await session.execute(
            sa.select(t.rappel_revue.c.mois).where(
                t.rappel_revue.c.organisation_id == organisation_id, t.rappel_revue.c.mois == mois
            )
        )
    ).first()
    if exists:
        return False
    await session.execute(
        t.rappel_revue.insert().values(organisation_id=organisation_id, mois=mois, envoye_le=now)
    )
    return True


class IdentiteRepository:
    """The functions of this module bound to one session: what the use cases reach
    through `uow.repository(IdentiteRepository)` (unit tests give them an in-memory one)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_organisation(self, organisation: Organisation, now: datetime) -> None:
        return await add_organisation(self.session, organisation, now)

    async def get_organisation(self, organisation_id: str) -> Organisation | None:
        return await get_organisation(self.session, organisation_id)

    async def update_organisation(self, organisation: Organisation) -> None:
        return await update_organisation(self.session, organisation)

    async def list_organisations(self) -> list[Organisation]:
        return await list_organisations(self.session)

    async def code_guichet_taken(self, code: str) -> bool:
        return await code_guichet_taken(self.session, code)

    async def add_compte(self, compte: Compte) -> None:
        return await add_compte(self.session, compte)

    async def save_compte(self, compte: Compte, *, expected_version: int) -> bool:
        return await save_compte(self.session, compte, expected_version=expected_version)

    async def get_compte(self, compte_id: str) -> Compte | None:
        return await get_compte(self.session, compte_id)

    async def find_compte(self, identifiant_or_email: str) -> Compte | None:
        return await find_compte(self.session, identifiant_or_email)

    async def identifiant_taken(self, identifiant: str) -> bool:
        return await identifiant_taken(self.session, identifiant)

    async def list_comptes(
        self, *, organisation_id: str | None = None, statut: str | None = None
    ) -> list[Compte]:
        return await list_comptes(self.session, organisation_id=organisation_id, statut=statut)

    async def inactive_comptes(self, before: datetime) -> list[Compte]:
        return await inactive_comptes(self.session, before)

    async def count_demo_comptes(self) -> int:
        return await count_demo_comptes(self.session)

    async def record_login(
        self, compte_id: str, now: datetime, password_hash: str | None = None
    ) -> None:
        return await record_login(self.session, compte_id, now, password_hash)

    async def journal(
        self,
        *,
        at: datetime,
        auteur_id: str | None,
        compte_id: str,
        operation: str,
        details: dict[str, Any],
    ) -> None:
        return await journal(
            self.session,
            at=at,
            auteur_id=auteur_id,
            compte_id=compte_id,
            operation=operation,
            details=details,
        )

    async def read_journal(self, compte_id: str) -> Sequence[Any]:
        return await read_journal(self.session, compte_id)

    async def current_charte(self) -> Any | None:
        return await current_charte(self.session)

    async def add_charte(self, version: int, texte: str, now: datetime, auteur: str | None) -> None:
        return await add_charte(self.session, version, texte, now, auteur)

    async def add_refresh_token(
        self, *, token: str, compte_id: str, family_id: str, now: datetime, expires_at: datetime
    ) -> None:
        return await add_refresh_token(
            self.session,
            token=token,
            compte_id=compte_id,
            family_id=family_id,
            now=now,
            expires_at=expires_at,
        )

    async def get_refresh_token(self, token: str) -> Any | None:
        return await get_refresh_token(self.session, token)

    async def mark_refresh_used(self, token: str, now: datetime) -> bool:
        return await mark_refresh_used(self.session, token, now)

    async def revoke_family(self, family_id: str, now: datetime) -> None:
        return await revoke_family(self.session, family_id, now)

    async def revoke_all_refresh(self, compte_id: str, now: datetime) -> None:
        return await revoke_all_refresh(self.session, compte_id, now)

    async def add_link(
        self, *, token: str, compte_id: str, purpose: str, expires_at: datetime
    ) -> None:
        return await add_link(
            self.session, token=token, compte_id=compte_id, purpose=purpose, expires_at=expires_at
        )

    async def consume_link(self, token: str, purpose: str, now: datetime) -> str | None:
        return await consume_link(self.session, token, purpose, now)

    async def get_throttle(self, key: str) -> Throttle:
        return await get_throttle(self.session, key)

    async def save_throttle(self, key: str, state: Throttle) -> None:
        return await save_throttle(self.session, key, state)

    async def clear_throttle(self, key: str) -> None:
        return await clear_throttle(self.session, key)

    async def clear_account_throttles(self, compte_id: str) -> None:
        return await clear_account_throttles(self.session, compte_id)

    async def purge_expired(self, now: datetime, before: datetime) -> None:
        return await purge_expired(self.session, now, before)

    async def claim_review_reminder(self, organisation_id: str, mois: str, now: datetime) -> bool:
        return await claim_review_reminder(self.session, organisation_id, mois, now)
