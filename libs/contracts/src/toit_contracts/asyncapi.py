"""AsyncAPI 3.0.0 document of the event catalogue.

    python -m toit_contracts.asyncapi [--output docs/asyncapi.yaml]   # (re)write
    python -m toit_contracts.asyncapi --check                         # exit 1 if stale

Run from the repository root. The output is deterministic (sorted keys, fixed
examples) so that the committed file can be compared with the generated one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from toit_contracts.enums import ENUMS_VERSION
from toit_contracts.envelope import CONTENT_TYPE, CloudEvent
from toit_contracts.events import IntegrationEvent, registered_events
from toit_contracts.examples import example_envelope, example_events
from toit_contracts.schemas import description, event_extensions

CATALOGUE_VERSION = "1.0.0"
"""Version of the catalogue as a whole; each event also has its own schema_version."""

EXCHANGE = "toit.events"
CHANNEL = "toitEvents"
DEFAULT_OUTPUT = Path("docs/asyncapi.yaml")
REGENERATE = "uv run --package toit-contracts python -m toit_contracts.asyncapi"
_AMQP_BINDING_VERSION = "0.3.0"
_HEADER = (
    "# Généré par `python -m toit_contracts.asyncapi` depuis libs/contracts : "
    "ne pas modifier à la main.\n"
)
_DESCRIPTION = f"""\
Événements d'intégration publiés par les services de Toit sur l'échange topic `{EXCHANGE}`.

- Enveloppe CloudEvents 1.0 en mode structuré (`{CONTENT_TYPE}`) : les attributs (`id`,
  `source`, `type`, `time`, `subject`, `dataschema`, `traceparent`) et la charge utile
  `data` sont dans le corps du message AMQP.
- Clé de routage = `type` de l'événement; `subject` = identifiant de l'entité concernée;
  `dataschema` = `urn:toit:event:<type>:v<version>`.
- Livraison au moins une fois : les consommateurs sont idempotents (`id`) et ignorent une
  copie périmée (`data.version` inférieure ou égale à celle déjà traitée).
- Un message invalide pour son schéma part en file de lettres mortes.
- `x-donnee-personnelle` marque les données personnelles (RGPD), `x-secret` les secrets :
  ne pas les journaliser; à `demande.purgee`, supprimer tout ce qui concerne la demande.
- `x-enum-labels` donne le libellé français de chaque code (version des énumérations
  `{ENUMS_VERSION}`).
"""


def _ref(*path: str) -> dict[str, str]:
    return {"$ref": "#/" + "/".join(path)}


def _domain(event_cls: type[IntegrationEvent]) -> str:
    return event_cls.__module__.rsplit(".", 1)[-1]


def _schemas(events: dict[str, type[IntegrationEvent]]) -> dict[str, Any]:
    models: list[type[BaseModel]] = [CloudEvent, *events.values()]
    mode: JsonSchemaMode = "serialization"
    _, top = models_json_schema(
        [(model, mode) for model in models], ref_template="#/components/schemas/{model}"
    )
    schemas: dict[str, Any] = top["$defs"]
    for event_cls in events.values():
        schemas[event_cls.__name__].update(event_extensions(event_cls))
    return schemas


def _message(event_cls: type[IntegrationEvent], example: IntegrationEvent) -> dict[str, Any]:
    envelope_fields: dict[str, Any] = {
        "type": {"const": event_cls.event_type},
        "dataschema": {"const": event_cls.dataschema()},
        "data": _ref("components", "schemas", event_cls.__name__),
    }
    required = ["type", "dataschema", "data"]
    if event_cls.subject_field is not None:
        envelope_fields["subject"] = {
            "type": "string",
            "description": f"Valeur de `data.{event_cls.subject_field}`",
        }
        required.append("subject")
    source = f"/toit/{_domain(event_cls)}"
    return {
        "name": event_cls.event_type,
        "title": event_cls.__name__,
        "summary": event_cls.summary,
        "description": description(event_cls),
        "contentType": CONTENT_TYPE,
        "tags": [{"name": _domain(event_cls)}],
        "payload": {
            "allOf": [
                _ref("components", "schemas", CloudEvent.__name__),
                {"type": "object", "required": required, "properties": envelope_fields},
            ]
        },
        "bindings": {
            "amqp": {
                "messageType": event_cls.event_type,
                "bindingVersion": _AMQP_BINDING_VERSION,
            }
        },
        "examples": [
            {
                "name": "exemple",
                "payload": example_envelope(example, source).model_dump(
                    mode="json", exclude_none=True
                ),
            }
        ],
    }


PARTNER_CHANNEL = "partenaires"


def _partner_parts() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Channel, messages and schemas of what partners receive (services/abonnements):
    one message per data profile and event type, its `data` minimised by the profile."""
    from toit_contracts.profils import PROFILS, SOURCE, composants_asyncapi

    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for profil in PROFILS.values():
        racines, composants = composants_asyncapi(profil)
        schemas.update(composants)
        for event_type, schema_name in racines.items():
            name = f"{PARTNER_CHANNEL}.{profil.code}.v{profil.version}.{event_type}"
            messages[name] = {
                "name": name,
                "title": f"{event_type} — profil {profil.code} v{profil.version}",
                "summary": profil.libelle,
                "description": profil.description,
                "contentType": CONTENT_TYPE,
                "tags": [{"name": "partenaires"}, {"name": f"profil {profil.code}"}],
                "payload": {
                    "type": "object",
                    "required": ["specversion", "id", "source", "type", "time", "data"],
                    "properties": {
                        "specversion": {"const": "1.0"},
                        "id": {
                            "type": "string",
                            "description": "Identifiant stable (dédoublonner dessus)",
                        },
                        "source": {"const": SOURCE},
                        "type": {"const": event_type},
                        "time": {"type": "string", "format": "date-time"},
                        "subject": {"type": "string", "description": "Identifiant de la demande"},
                        "dataschema": {
                            "type": "string",
                            "description": f"`{profil.dataschema}`, suivi de `+<complément>` "
                            "pour chaque complément accordé",
                        },
                        "sequence": {"type": "string", "description": "Position dans le journal"},
                        "data": _ref("components", "schemas", schema_name),
                    },
                },
            }
    channel = {
        "address": "/api/abonnements/flux",
        "title": "Événements livrés aux partenaires",
        "description": (
            "Ce que reçoivent les organisations partenaires abonnées (service abonnements), "
            "par flux (`GET /api/abonnements/flux?apres=<curseur>`), par webhook (Standard "
            "Webhooks, CloudEvents en mode structuré) ou par AMQP (file dédiée dans le vhost "
            "du partenaire). Chaque profil de données minimise `data` ; les compléments "
            "sensibles (`x-complements`) ne sont présents que si le rôle du partenaire "
            "permet de les lire."
        ),
        "messages": {name: _ref("components", "messages", name) for name in messages},
    }
    return channel, messages, schemas


def build_document() -> dict[str, Any]:
    """The AsyncAPI document as plain data."""
    events = registered_events()
    examples = example_events()
    missing = sorted(set(events) - set(examples))
    if missing:
        raise LookupError(f"no example for events {missing} in toit_contracts.examples")
    partner_channel, partner_messages, partner_schemas = _partner_parts()
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Toit — événements d'intégration",
            "version": CATALOGUE_VERSION,
            "description": _DESCRIPTION,
            "x-enums-version": ENUMS_VERSION,
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "rabbitmq": {
                "host": "rabbitmq:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "Courtier RabbitMQ du déploiement (adresse indicative).",
            }
        },
        "channels": {
            CHANNEL: {
                "address": EXCHANGE,
                "title": "Échange des événements",
                "description": "Échange topic durable; clé de routage = type de l'événement.",
                "messages": {t: _ref("components", "messages", t) for t in events},
                "bindings": {
                    "amqp": {
                        "is": "routingKey",
                        "exchange": {
                            "name": EXCHANGE,
                            "type": "topic",
                            "durable": True,
                            "autoDelete": False,
                            "vhost": "/",
                        },
                        "bindingVersion": _AMQP_BINDING_VERSION,
                    }
                },
            },
            PARTNER_CHANNEL: partner_channel,
        },
        "operations": {
            f"receive.{t}": {
                "action": "receive",
                "channel": _ref("channels", CHANNEL),
                "summary": cls.summary,
                "messages": [_ref("channels", CHANNEL, "messages", t)],
                "bindings": {"amqp": {"ack": True, "bindingVersion": _AMQP_BINDING_VERSION}},
            }
            for t, cls in events.items()
        }
        | {
            f"send.{PARTNER_CHANNEL}": {
                "action": "send",
                "channel": _ref("channels", PARTNER_CHANNEL),
                "summary": "Livraison aux partenaires abonnés, minimisée par profil",
                "messages": [
                    _ref("channels", PARTNER_CHANNEL, "messages", name) for name in partner_messages
                ],
            }
        },
        "components": {
            "messages": {t: _message(cls, examples[t]) for t, cls in events.items()}
            | partner_messages,
            "schemas": _schemas(events) | partner_schemas,
        },
    }


if yaml.__with_libyaml__:
    # libyaml's emitter: the same text, about 7 times faster.
    class _Dumper(yaml.CSafeDumper):
        """Writes multi-line strings as literal blocks."""

else:  # pragma: no cover (PyYAML built without libyaml)

    class _Dumper(yaml.SafeDumper):  # type: ignore[no-redef]
        """Writes multi-line strings as literal blocks."""


def _str(dumper: yaml.representer.SafeRepresenter, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render() -> str:
    """The AsyncAPI document as deterministic YAML."""
    body = yaml.dump(
        build_document(),
        Dumper=_Dumper,
        sort_keys=True,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return _HEADER + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m toit_contracts.asyncapi", description="Generate docs/asyncapi.yaml."
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="file to write")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the file differs from the catalogue"
    )
    args = parser.parse_args(argv)
    output: Path = args.output
    expected = render()
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if current != expected:
            print(f"{output} est périmé : régénérez-le avec `{REGENERATE}`", file=sys.stderr)
            return 1
        print(f"{output} est à jour")
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(expected, encoding="utf-8")
    print(f"{output} écrit ({len(registered_events())} événements)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
