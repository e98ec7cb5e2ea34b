"""CloudEvents 1.0 envelope, structured JSON mode.

Every integration event travels inside this envelope. The routing key on the
exchange is the event type; `subject` is the id of the entity the event is
about; `traceparent` is the W3C trace context extension, so one trace follows
a change from the HTTP request to every consumer.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CONTENT_TYPE = "application/cloudevents+json"


class CloudEvent(BaseModel):
    """Enveloppe CloudEvents 1.0, mode structuré JSON; `data` porte l'événement."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), min_length=1)
    source: str = Field(min_length=1, examples=["/toit/demandes"])
    type: str = Field(min_length=1, examples=["demande.modifiee"])
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = None
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    traceparent: str | None = None
    data: dict[str, Any]

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> CloudEvent:
        return cls.model_validate_json(raw)
