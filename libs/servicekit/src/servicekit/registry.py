"""Discovery of installed services through the `toit.services` entry points.

Services never import each other; only the process launchers (the
`toit-service` command and the embedded runner) look them up by name.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from servicekit.runtime import ServiceDefinition

GROUP = "toit.services"
# Start order for the embedded runner: identite first (accounts), portail last.
ORDER = (
    "identite",
    "demandes",
    "cotation",
    "matching",
    "observatoire",
    "notifications",
    "abonnements",
    "portail",
)


def available() -> list[str]:
    names = {ep.name for ep in entry_points(group=GROUP)}
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def load(name: str) -> ServiceDefinition:
    for ep in entry_points(group=GROUP):
        if ep.name == name:
            definition = ep.load()
            if not isinstance(definition, ServiceDefinition):
                raise TypeError(f"{ep.value} is not a ServiceDefinition")
            return definition
    raise LookupError(f"unknown service {name!r}; installed: {', '.join(available())}")
