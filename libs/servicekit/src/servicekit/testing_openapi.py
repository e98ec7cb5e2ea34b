"""Fuzzing a service's OpenAPI document: no request the schema allows gives a 500.

schemathesis draws `examples` requests per operation; `path_values` replaces drawn path
parameters by real identifiers on every other request, so that handlers get past their
"not found" branch. Test-only (schemathesis is a development dependency)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from typing import Any

import httpx
import schemathesis
from fastapi import FastAPI
from hypothesis.errors import NonInteractiveExampleWarning
from schemathesis.core import NotSet
from schemathesis.core.result import Ok


def _request(case: Any, path_values: Mapping[str, str] | None) -> dict[str, Any]:
    path = case.formatted_path
    for name, real in (path_values or {}).items():
        if name in (case.path_parameters or {}):
            path = path.replace(str(case.path_parameters[name]), real, 1)
    request: dict[str, Any] = {"method": case.method, "url": path, "params": case.query or None}
    body = case.body
    if case.media_type == "multipart/form-data" and isinstance(body, dict):
        request["files"] = {
            k: ("f", v if isinstance(v, bytes) else str(v).encode())
            for k, v in body.items()
            if isinstance(v, bytes) or k == "fichier"
        }
        request["data"] = {k: str(v) for k, v in body.items() if k not in request["files"]}
    elif case.media_type == "application/x-www-form-urlencoded" and isinstance(body, dict):
        request["data"] = {k: str(v) for k, v in body.items()}
    elif case.media_type is not None and not isinstance(body, NotSet):
        request["content"] = json.dumps(body).encode()
        request["headers"] = {"Content-Type": case.media_type}
    return request


async def server_errors(
    app: FastAPI,
    client: httpx.AsyncClient,
    headers: Mapping[str, str],
    *,
    examples: int = 20,
    path_values: Mapping[str, str] | None = None,
) -> tuple[int, list[str]]:
    """Send drawn requests for every operation; returns (calls, the ones answered 5xx)."""
    schema = schemathesis.openapi.from_dict(app.openapi())
    errors: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            errors.append(f"operation not understood by schemathesis: {result.err()}")
            continue
        operation = result.ok()
        strategy = operation.as_strategy()
        for index in range(examples):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NonInteractiveExampleWarning)
                case = strategy.example()
            request = _request(case, path_values if index % 2 else None)
            sent_headers = {**headers, **request.pop("headers", {}), "If-Match": '"2"'}
            response = await client.request(headers=sent_headers, **request)
            calls += 1
            if response.status_code >= 500:
                errors.append(f"{case.method} {request['url']} -> {response.status_code}")
    return calls, errors
