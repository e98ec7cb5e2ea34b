"""servicekit: the runtime shared by every Toit service.

A service declares itself with a `ServiceDefinition` (its name, ORM metadata,
migrations, HTTP routers, event consumers, seed and daily jobs); servicekit
builds the rest: database, unit of work with transactional outbox, relay,
inbox-backed consumers on AMQP or in-process transport, logging, tracing,
metrics, health endpoints and JWT verification.
"""

from servicekit.runtime import ServiceDefinition, ServiceRuntime
from servicekit.settings import Settings
from servicekit.uow import UnitOfWork

__all__ = ["ServiceDefinition", "ServiceRuntime", "Settings", "UnitOfWork"]
