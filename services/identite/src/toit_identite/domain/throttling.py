"""Failed-login throttling: count failures per key (identifiant or source address)
in a sliding window; past the limit the key is locked for a while, and during
the lock even the right password is refused."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window: timedelta
    lockout: timedelta


@dataclass(frozen=True)
class Throttle:
    failures: int = 0
    window_start: datetime | None = None
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime, policy: ThrottlePolicy) -> Throttle:
        """The state after one more failure; locks once the limit is reached."""
        if (
            self.window_start is None
            or now - self.window_start > policy.window
            or (self.locked_until is not None and now >= self.locked_until)
        ):
            state = Throttle(failures=1, window_start=now)
        else:
            state = replace(self, failures=self.failures + 1)
        if state.failures >= policy.max_failures:
            state = replace(state, locked_until=now + policy.lockout)
        return state

    def just_locked(self, before: Throttle, now: datetime) -> bool:
        return self.is_locked(now) and not before.is_locked(now)
