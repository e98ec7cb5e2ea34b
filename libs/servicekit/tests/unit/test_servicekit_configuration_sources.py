"""Configuration is read in settings modules only (issue 12 item 3): no source module of a
service, a frontend or a library reads the environment directly."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
READS = re.compile(r"\bos\.environ\b|\bos\.getenv\b|\bgetenv\(|\bfrom os import .*\benviron\b")
# Setting a variable for a child process is not reading configuration.
WRITES = re.compile(r"^\s*os\.environ\[[^\]]+\]\s*=[^=]")


def allowed(path: Path) -> bool:
    """Settings modules; and the test-support modules (pytest plugins: where the tests'
    PostgreSQL, RabbitMQ and Chromium are), which configure no service."""
    return path.name == "settings.py" or path.name.startswith("testing")


def sources() -> list[Path]:
    return sorted(
        path
        for parts in ("services", "frontends", "libs")
        for path in (ROOT / parts).glob("*/src/**/*.py")
    )


def test_the_scan_sees_every_package() -> None:
    packages = {p.relative_to(ROOT).parts[:2] for p in sources()}
    for expected in [("services", "demandes"), ("libs", "servicekit"), ("frontends", "espace-pro")]:
        assert expected in packages


def test_only_settings_modules_read_the_environment() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources()
        if not allowed(path)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if READS.search(line) and not WRITES.search(line)
    ]
    assert offenders == [], "read the setting through a Settings class:\n" + "\n".join(offenders)
