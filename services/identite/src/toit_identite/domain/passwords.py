"""Password policy: length or passphrase, no composition rules, no common passwords
(ANSSI and NIST SP 800-63B recommendations)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_DISTINCT_CHARACTERS = 5


@cache
def common_passwords() -> frozenset[str]:
    lines = (Path(__file__).parent / "common_passwords.txt").read_text("utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def password_problems(
    password: str, *, identifiant: str | None = None, email: str | None = None
) -> list[str]:
    """French explanations of why the password is refused; empty if it is accepted."""
    if len(password) < MIN_LENGTH:
        return [
            f"le mot de passe doit contenir au moins {MIN_LENGTH} caractères "
            "(une phrase de passe de plusieurs mots convient)"
        ]
    if len(password) > MAX_LENGTH:
        return [f"le mot de passe doit contenir au plus {MAX_LENGTH} caractères"]
    lowered = password.lower()
    problems = []
    if lowered in common_passwords() or len(set(lowered)) < MIN_DISTINCT_CHARACTERS:
        problems.append("ce mot de passe est trop courant ou trop simple : choisissez-en un autre")
    personal = {identifiant, email, email.split("@")[0] if email else None}
    if any(p and len(p) >= 4 and p.lower() in lowered for p in personal):
        problems.append("le mot de passe ne doit pas contenir votre identifiant ou votre courriel")
    return problems
