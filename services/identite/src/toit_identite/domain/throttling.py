"""Failed-login throttling: count failures per key in a window; from the limit on,
each further failure locks the key for a delay that doubles (exponential backoff, up
to a ceiling), and during the lock even the right password is refused.

The keys (see `service_layer.jetons.octroi_mot_de_passe`): the pair (address, account),
which takes the backoff first; the account alone, whatever the address, with a higher
limit (a distributed attack); the address alone (password spraying). The account is
the account the identifier resolves to, whichever identifier (login or email) was
typed; an unknown identifier is counted under its own text, so the answers do not
tell which accounts exist."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window: timedelta
    # The first lock; each further failure doubles it, up to `max_lockout`.
    lockout: timedelta
    max_lockout: timedelta | None = None

    def lock_for(self, failures: int) -> timedelta:
        ceiling = self.max_lockout or self.lockout
        delay: timedelta = self.lockout * 2 ** min(failures - self.max_failures, 30)
        return min(delay, ceiling)


@dataclass(frozen=True)
class Throttle:
    failures: int = 0
    window_start: datetime | None = None
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime, policy: ThrottlePolicy) -> Throttle:
        """The state after one more failure; locks once the limit is reached. The count
        lives as long as the window, locks included: the next failure after a lock
        locks again, twice as long."""
        if self.window_start is None or now - self.window_start > policy.window:
            state = Throttle(failures=1, window_start=now)
        else:
            state = replace(self, failures=self.failures + 1)
        if state.failures >= policy.max_failures:
            state = replace(state, locked_until=now + policy.lock_for(state.failures))
        return state

    def just_locked(self, before: Throttle, now: datetime) -> bool:
        return self.is_locked(now) and not before.is_locked(now)
