"""Base classes and registry of integration events.

An integration event is a versioned pydantic model. Its class declares the
event type (the routing key) and the schema version; the registry maps a type
to its model so a consumer can validate what it receives. An event that fails
validation is a poison message: it goes straight to the dead-letter queue.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from toit_contracts.envelope import CloudEvent

_REGISTRY: dict[str, type[IntegrationEvent]] = {}


class UnknownEventType(LookupError):
    pass


PERSONAL_DATA = "x-donnee-personnelle"
"""JSON Schema keyword marking a field as personal data (RGPD) in the published schemas."""


def personal(description: str, **kwargs: Any) -> Any:
    """A pydantic Field holding personal data: the description says so and the
    JSON schema carries `x-donnee-personnelle: true`. Consumers must not keep it
    beyond their need, nor log it, and must delete it on `demande.purgee`."""
    return Field(
        description=f"Donnée personnelle. {description}",
        json_schema_extra={PERSONAL_DATA: True},
        **kwargs,
    )


class ContractModel(BaseModel):
    """Base of every model in a contract: immutable, unknown fields rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class IntegrationEvent(ContractModel):
    """Payload of one integration event (the CloudEvent `data`)."""

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    # Name of the field holding the id of the entity the event is about; it
    # becomes the CloudEvent `subject`. None for events about no single entity.
    subject_field: ClassVar[str | None] = None
    # Free text shown in the AsyncAPI document.
    summary: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("event_type")
        if event_type is None:
            return  # abstract intermediate class
        if event_type in _REGISTRY and _REGISTRY[event_type] is not cls:
            raise TypeError(f"event type {event_type!r} declared twice")
        _REGISTRY[event_type] = cls

    @classmethod
    def dataschema(cls) -> str:
        return f"urn:toit:event:{cls.event_type}:v{cls.schema_version}"

    def subject(self) -> str | None:
        if self.subject_field is None:
            return None
        return str(getattr(self, self.subject_field))

    def to_cloudevent(self, source: str, traceparent: str | None = None) -> CloudEvent:
        return CloudEvent(
            source=source,
            type=self.event_type,
            subject=self.subject(),
            dataschema=self.dataschema(),
            traceparent=traceparent,
            data=self.model_dump(mode="json"),
        )


class EntityEvent(IntegrationEvent):
    """An event about one entity: carries its id and a version that grows with
    each change, so a consumer can drop a stale or out-of-order copy."""

    version: int = Field(ge=1, description="Version of the entity after the change")


def event_class(event_type: str) -> type[IntegrationEvent]:
    try:
        return _REGISTRY[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def registered_events() -> dict[str, type[IntegrationEvent]]:
    """The published catalogue: events declared in toit_contracts (tests may
    register private events of their own, which are not part of it)."""
    return {
        name: cls
        for name, cls in sorted(_REGISTRY.items())
        if cls.__module__.startswith("toit_contracts.")
    }


def parse_event(envelope: CloudEvent) -> IntegrationEvent:
    """Validate the envelope's data against its registered model.

    Raises UnknownEventType or pydantic.ValidationError: both mean the
    message is poison for this consumer."""
    return event_class(envelope.type).model_validate(envelope.data)
