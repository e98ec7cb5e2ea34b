"""The catalogue of integration events. Importing this package registers them all."""

from toit_contracts.events.base import (
    EntityEvent,
    IntegrationEvent,
    UnknownEventType,
    event_class,
    parse_event,
    registered_events,
)

__all__ = [
    "EntityEvent",
    "IntegrationEvent",
    "UnknownEventType",
    "event_class",
    "parse_event",
    "registered_events",
]
