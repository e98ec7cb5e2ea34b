"""Pure rules: passwords, throttling, habilitation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from toit_identite.domain.model import Grantor, Habilitation, Organisation, habilitation_errors
from toit_identite.domain.passwords import password_problems
from toit_identite.domain.throttling import Throttle, ThrottlePolicy

from toit_contracts.enums import TypeOrganisation

T0 = datetime(2026, 11, 28, 12, tzinfo=UTC)


def test_identite_password_policy():
    assert password_problems("une phrase de passe simple") == []
    assert password_problems("Tr0ub4dor&3")  # 11 characters
    assert password_problems("motdepasse123")  # common
    assert password_problems("AZERTYUIOP123")  # common, case ignored
    assert password_problems("aaaaaaaaaaaaaaaa")  # too simple
    assert password_problems("jdupont-est-mon-secret", identifiant="jdupont")
    assert password_problems("x" * 300)
    # No composition rules: lower-case words are fine.
    assert password_problems("cheval agrafe pile correcte") == []


def test_identite_throttle_locks_then_expires():
    policy = ThrottlePolicy(
        max_failures=3, window=timedelta(minutes=15), lockout=timedelta(minutes=10)
    )
    state = Throttle()
    for i in range(2):
        state = state.after_failure(T0 + timedelta(seconds=i), policy)
        assert not state.is_locked(T0 + timedelta(seconds=i))
    before = state
    state = state.after_failure(T0 + timedelta(seconds=3), policy)
    assert state.is_locked(T0 + timedelta(minutes=5))
    assert state.just_locked(before, T0 + timedelta(seconds=3))
    assert not state.is_locked(T0 + timedelta(minutes=11))
    # Within the window, the next failure after the lock locks again at once.
    again = state.after_failure(T0 + timedelta(minutes=11), policy)
    assert again.failures == 4 and again.is_locked(T0 + timedelta(minutes=12))


def test_identite_throttle_backoff_doubles_up_to_the_ceiling():
    policy = ThrottlePolicy(
        max_failures=5,
        window=timedelta(days=1),
        lockout=timedelta(minutes=1),
        max_lockout=timedelta(minutes=30),
    )
    state, locks, now = Throttle(), [], T0
    for _ in range(12):
        state = state.after_failure(now, policy)
        if state.locked_until is not None:
            locks.append(int((state.locked_until - now).total_seconds() // 60))
            now = state.locked_until  # the attacker waits out each lock
    assert locks == [1, 2, 4, 8, 16, 30, 30, 30]


def test_identite_throttle_window_resets():
    policy = ThrottlePolicy(3, timedelta(minutes=1), timedelta(minutes=10))
    state = Throttle().after_failure(T0, policy).after_failure(T0, policy)
    state = state.after_failure(T0 + timedelta(minutes=2), policy)
    assert state.failures == 1 and not state.is_locked(T0 + timedelta(minutes=2))


BAILLEUR = Organisation("b", "Bailleur", TypeOrganisation.BAILLEUR, ["44"], bailleur=True)
GESTIONNAIRE_44 = Grantor(gestionnaire=True, organisation="g", departements=frozenset({"44"}))
ADMIN_BAILLEUR = Grantor(gestionnaire=False, organisation="b", departements=frozenset({"44"}))


def _fields(habilitation: Habilitation, organisation: Organisation, grantor: Grantor) -> set[str]:
    return {f for f, _ in habilitation_errors(habilitation, organisation, grantor)}


def test_identite_habilitation_rules():
    ok = Habilitation(frozenset({"INSTRUCTEUR"}), frozenset({"44"}))
    assert _fields(ok, BAILLEUR, GESTIONNAIRE_44) == set()
    assert _fields(ok, BAILLEUR, ADMIN_BAILLEUR) == set()
    # Capacity: a bailleur without guichet cannot have agents enregistreurs.
    agent = Habilitation(frozenset({"AGENT_ENREGISTREUR"}), frozenset({"44"}))
    assert _fields(agent, BAILLEUR, GESTIONNAIRE_44) == {"roles"}
    # Only a gestionnaire grants GESTIONNAIRE_FICHIER, in the gestionnaire organisation.
    gestion = Habilitation(frozenset({"GESTIONNAIRE_FICHIER"}), frozenset({"44"}))
    assert _fields(gestion, BAILLEUR, ADMIN_BAILLEUR) == {"roles"}
    # The perimeter stays inside the organisation's and the grantor's.
    wide = Habilitation(frozenset({"INSTRUCTEUR"}), frozenset({"44", "35"}))
    assert _fields(wide, BAILLEUR, GESTIONNAIRE_44) == {"departements"}
    other_org = Grantor(gestionnaire=False, organisation="autre", departements=frozenset({"44"}))
    assert _fields(ok, BAILLEUR, other_org) == {"organisation_id"}
    demandeur = Habilitation(frozenset({"DEMANDEUR"}), frozenset({"44"}))
    assert _fields(demandeur, BAILLEUR, GESTIONNAIRE_44) == {"roles"}
    commune_35 = Habilitation(
        frozenset({"INSTRUCTEUR"}), frozenset({"44"}), communes=frozenset({"35238"})
    )
    assert _fields(commune_35, BAILLEUR, GESTIONNAIRE_44) == {"communes"}
