from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from toit_contracts import asyncapi
from toit_contracts.events import registered_events
from toit_contracts.schemas import export_json_schemas, schema_filename

REPO_ROOT = Path(__file__).resolve().parents[4]
COMMITTED = REPO_ROOT / "docs" / "asyncapi.yaml"


@pytest.fixture(scope="module")
def rendered() -> str:
    """The document rendered once for the module (a render costs about half a second)."""
    return asyncapi.render()


def test_asyncapi_is_current(rendered: str) -> None:
    current = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    assert current == rendered, (
        f"{COMMITTED.relative_to(REPO_ROOT)} is stale: run `{asyncapi.REGENERATE}` "
        "at the repository root and commit the result"
    )


def test_render_is_deterministic(rendered: str) -> None:
    assert asyncapi.render() == rendered


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return _resolve(document, node["$ref"]) if "$ref" in node else node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_document_structure(rendered: str) -> None:
    # libyaml's parser when PyYAML has it: the pure-Python one takes seconds on 300 kB.
    document = yaml.load(rendered, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert document["asyncapi"] == "3.0.0"
    channel = document["channels"][asyncapi.CHANNEL]
    exchange = channel["bindings"]["amqp"]["exchange"]
    assert (exchange["name"], exchange["type"], exchange["durable"]) == (
        "toit.events",
        "topic",
        True,
    )
    for event_type, cls in registered_events().items():
        assert event_type in channel["messages"]
        operation = document["operations"][f"receive.{event_type}"]
        assert operation["action"] == "receive"
        message = _resolve(document, operation["messages"][0]["$ref"])
        assert message["name"] == event_type
        data_ref = message["payload"]["allOf"][1]["properties"]["data"]["$ref"]
        assert _resolve(document, data_ref)["x-event-type"] == event_type
        example = message["examples"][0]["payload"]
        assert example["type"] == event_type
        assert cls.model_validate(example["data"]) is not None
    for ref in _refs(document):
        assert _resolve(document, ref) is not None, ref


@pytest.mark.parametrize(
    ("content", "expected"), [(None, 1), ("périmé\n", 1), ("__generated__", 0)]
)
def test_main_check(
    tmp_path: Path,
    content: str | None,
    expected: int,
    rendered: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The command's writing and checking, on the document rendered once for the module.
    monkeypatch.setattr(asyncapi, "render", lambda: rendered)
    output = tmp_path / "asyncapi.yaml"
    if content == "__generated__":
        assert asyncapi.main(["--output", str(output)]) == 0
    elif content is not None:
        output.write_text(content, encoding="utf-8")
    assert asyncapi.main(["--check", "--output", str(output)]) == expected


def test_export_json_schemas(tmp_path: Path) -> None:
    written = export_json_schemas(tmp_path / "events")
    assert len(written) == len(registered_events())
    for cls in registered_events().values():
        schema = json.loads((tmp_path / "events" / schema_filename(cls)).read_text("utf-8"))
        assert schema["$id"] == cls.dataschema()
        assert schema["x-event-type"] == cls.event_type
        assert schema["additionalProperties"] is False
