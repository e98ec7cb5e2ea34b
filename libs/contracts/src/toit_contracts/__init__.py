"""Toit integration contracts: event envelope, event catalogue, value types."""

from toit_contracts.envelope import CONTENT_TYPE, CloudEvent
from toit_contracts.events import (
    EntityEvent,
    IntegrationEvent,
    UnknownEventType,
    event_class,
    parse_event,
    registered_events,
)

__all__ = [
    "CONTENT_TYPE",
    "CloudEvent",
    "EntityEvent",
    "IntegrationEvent",
    "UnknownEventType",
    "event_class",
    "parse_event",
    "registered_events",
]
