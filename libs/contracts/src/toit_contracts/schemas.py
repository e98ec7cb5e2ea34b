"""JSON Schemas of the event payloads (the CloudEvent `data`).

The schemas describe the serialised form, as producers emit it (amounts are
strings, fields with a default are always present). Extensions:
`x-event-type`, `x-schema-version`, `x-subject-field` on each event,
`x-donnee-personnelle` on personal data, `x-secret` on secrets,
`x-enum-labels` on enumerations.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from toit_contracts.events import IntegrationEvent, registered_events

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def event_extensions(event_cls: type[IntegrationEvent]) -> dict[str, Any]:
    """The `x-` keywords describing an event class."""
    return {
        "x-event-type": event_cls.event_type,
        "x-schema-version": event_cls.schema_version,
        "x-subject-field": event_cls.subject_field,
        "x-summary": event_cls.summary,
    }


def description(event_cls: type[IntegrationEvent]) -> str:
    return inspect.cleandoc(event_cls.__doc__ or event_cls.summary)


def json_schema(event_cls: type[IntegrationEvent]) -> dict[str, Any]:
    """Standalone JSON Schema (draft 2020-12) of one event's payload."""
    schema = event_cls.model_json_schema(mode="serialization")
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": event_cls.dataschema(),
        **schema,
        **event_extensions(event_cls),
    }


def schema_filename(event_cls: type[IntegrationEvent]) -> str:
    return f"{event_cls.event_type}.v{event_cls.schema_version}.json"


def render_json(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export_json_schemas(directory: Path | str) -> list[Path]:
    """Write one `<event_type>.v<N>.json` file per registered event; return their paths."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for event_cls in registered_events().values():
        path = target / schema_filename(event_cls)
        path.write_text(render_json(json_schema(event_cls)), encoding="utf-8")
        written.append(path)
    return written
