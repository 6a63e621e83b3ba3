"""The OpenAPI document at /api/v1/openapi.json tells the truth about the API's inputs and errors.

- Every schema (and enum) the API reads or answers has a name of its own: ninja names a component
  after its class, so two classes of one name would overwrite each other in the document.
- The input policy (roundtable.core.schemas) shows in the document: every whole number a client
  sends has a `minimum` and a `maximum` the database holds, every date and time is text in
  ISO 8601 (`format: date-time`), never a number; in the code every date and time read is a
  `Moment`, bounded to the years it allows.
- Every operation documents the errors it can answer.

The property-based test in test_api_conformance.py checks the live answers against it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, get_args, get_origin

import pytest
from django.test import Client
from ninja.operation import Operation
from pydantic import AwareDatetime, BaseModel, FutureDatetime, NaiveDatetime, PastDatetime

from roundtable.config.api import TEXT_IN_ADDRESS, TEXT_IN_BODY, api
from roundtable.core.inputs import body_problems, query_problems
from roundtable.core.schemas import LARGEST_WHOLE_NUMBER, Moment

WRITES = {"post", "put", "patch", "delete"}


def operations() -> Iterator[tuple[str, Operation]]:
    for bound in api._get_bound_routers():
        for path, view in bound.path_operations.items():
            for operation in view.operations:
                yield bound.prefix.rstrip("/") + path, operation


def named_types(annotation: Any, seen: set[Any]) -> Iterator[type]:
    """Every pydantic model and enum an annotation names, however deep."""
    origin = get_origin(annotation)
    if origin is not None:
        arguments = get_args(annotation)
        if origin is Annotated:
            arguments = arguments[:1]
        for argument in arguments:
            yield from named_types(argument, seen)
        return
    if not isinstance(annotation, type) or annotation in seen:
        return
    seen.add(annotation)
    if issubclass(annotation, Enum):
        yield annotation
    elif issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from named_types(field.annotation, seen)


def identity(cls: type) -> Any:
    """The class itself; for a model ninja makes on the fly (the page of a paginated list, made
    for each list), its shape, since two of the same name and shape describe the same thing."""
    if not cls.__module__.startswith("roundtable.") and issubclass(cls, BaseModel):
        return json.dumps(cls.model_json_schema(), sort_keys=True)
    return cls


def test_no_two_schemas_or_enums_share_a_name() -> None:
    by_name: dict[str, dict[Any, str]] = defaultdict(dict)
    for _path, operation in operations():
        wrappers = [*operation.models, *operation.response_models.values()]
        for wrapper in wrappers:
            if not (isinstance(wrapper, type) and issubclass(wrapper, BaseModel)):
                continue  # a response with no body
            # The wrapper ninja makes for each operation's parameters or answer is not named in
            # the document: what it holds is.
            seen: set[Any] = set()
            for field in wrapper.model_fields.values():
                for cls in named_types(field.annotation, seen):
                    by_name[cls.__name__].setdefault(
                        identity(cls), f"{cls.__module__}.{cls.__qualname__}"
                    )
    clashes = {name: sorted(found.values()) for name, found in by_name.items() if len(found) > 1}
    assert clashes == {}


def test_the_clash_finder_finds_a_clash() -> None:
    """The walk above sees two classes of one name, however deep the second is nested."""

    class TeamRef(BaseModel):  # the name of the directory's
        id: int

    class Outer(BaseModel):
        teams: list[dict[str, TeamRef | None]]

    found = {cls.__qualname__ for cls in named_types(Outer, set())}
    assert found == {
        "test_the_clash_finder_finds_a_clash.<locals>.Outer",
        "test_the_clash_finder_finds_a_clash.<locals>.TeamRef",
    }


# ---------------------------------------------------------------------------------------------
# The input policy, as the document states it
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The document as it is served: JSON."""
    return dict(json.loads(json.dumps(api.get_openapi_schema())))


def resolve(node: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].removeprefix("#/components/schemas/")
        node = document["components"]["schemas"][name]
    return node


def input_problems(
    node: Any, where: str, document: dict[str, Any], seen: set[str]
) -> Iterator[str]:
    """What breaks the input policy in a parameter's or a body's schema, recursively."""
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        if node["$ref"] in seen:
            return
        seen = seen | {node["$ref"]}
        node = resolve(node, document)
    types = node.get("type")
    if types == "integer" or (isinstance(types, list) and "integer" in types):
        if "minimum" not in node and "exclusiveMinimum" not in node:
            yield f"{where}: a whole number with no minimum"
        highest = node.get("maximum", node.get("exclusiveMaximum"))
        if highest is None or highest > LARGEST_WHOLE_NUMBER:
            yield f"{where}: a whole number with no maximum the database holds ({highest})"
    if node.get("format") == "date-time" and types != "string":
        yield f"{where}: a date and time that is not text"
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in node.get(key, []):
            yield from input_problems(branch, where, document, seen)
    if "items" in node:
        yield from input_problems(node["items"], f"{where}[]", document, seen)
    for name, prop in node.get("properties", {}).items():
        yield from input_problems(prop, f"{where}.{name}", document, seen)
    if isinstance(node.get("additionalProperties"), dict):
        yield from input_problems(node["additionalProperties"], f"{where}.*", document, seen)


def every_operation(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_whole_number_and_time_a_client_sends_is_bounded(document) -> None:
    problems: list[str] = []
    for path, method, operation in every_operation(document):
        label = f"{method.upper()} {path}"
        for parameter in operation.get("parameters", []):
            where = f"{label} {parameter['in']} {parameter['name']}"
            problems.extend(input_problems(parameter["schema"], where, document, set()))
        for content in operation.get("requestBody", {}).get("content", {}).values():
            problems.extend(input_problems(content["schema"], f"{label} body", document, set()))
    assert problems == []


def test_the_policy_check_sees_an_unbounded_number_and_a_number_for_a_time() -> None:
    document = {
        "components": {
            "schemas": {
                "In": {
                    "type": "object",
                    "properties": {
                        "team": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
                        "at": {"type": "integer", "format": "date-time"},
                        "ok": {"type": "integer", "minimum": 0, "maximum": 6},
                    },
                }
            }
        }
    }
    found = list(input_problems({"$ref": "#/components/schemas/In"}, "body", document, set()))
    assert found == [
        "body.team: a whole number with no maximum the database holds (None)",
        "body.at: a whole number with no minimum",
        "body.at: a whole number with no maximum the database holds (None)",
        "body.at: a date and time that is not text",
    ]


# What makes a date and time a `Moment`: its check that the value came as text.
MOMENT = get_args(Moment)[1]
DATETIMES = (datetime, AwareDatetime, NaiveDatetime, PastDatetime, FutureDatetime)


def datetimes_not_moments(annotation: Any, where: str, seen: set[Any]) -> Iterator[str]:
    """Where an input model reads a date and time other than as a `Moment`."""
    origin = get_origin(annotation)
    if origin is Annotated:
        if MOMENT in get_args(annotation)[1:]:
            return
        yield from datetimes_not_moments(get_args(annotation)[0], where, seen)
    elif origin is not None:
        for argument in get_args(annotation):
            yield from datetimes_not_moments(argument, where, seen)
    elif annotation in DATETIMES:
        yield where
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for name, field in annotation.model_fields.items():
            # pydantic keeps a field's own Annotated metadata apart from its annotation.
            if MOMENT not in field.metadata:
                yield from datetimes_not_moments(field.annotation, f"{where}.{name}", seen)


def test_every_date_and_time_read_is_a_moment() -> None:
    """The document cannot say "between 1900 and 2200": the code reads each as a `Moment`."""
    found: list[str] = []
    for path, operation in operations():
        for model in operation.models:
            found.extend(datetimes_not_moments(model, f"{path} {model.__name__}", set()))
    assert found == []


def test_the_moment_check_sees_a_plain_datetime() -> None:
    class In(BaseModel):
        fine: Moment
        also_fine: Moment | None = None
        wrong: datetime | None = None
        also_wrong: list[AwareDatetime] = []

    assert list(datetimes_not_moments(In, "In", set())) == ["In.wrong", "In.also_wrong"]


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def test_every_operation_documents_the_errors_it_can_answer(document) -> None:
    missing: list[str] = []
    for path, method, operation in every_operation(document):
        expected = {"401", "422"}  # every operation needs credentials; any address can be wrong
        if "requestBody" in operation:
            expected.add("400")  # a body that cannot be read
        if method in WRITES:
            expected.add("403")  # at least a browser session's write without its CSRF token
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            expected.add("404")
        documented = {str(status) for status in operation["responses"]}
        missing.extend(f"{method.upper()} {path} {s}" for s in sorted(expected - documented))
    assert missing == []


def test_every_error_is_documented_as_json_with_detail(document) -> None:
    wrong: list[str] = []
    for path, method, operation in every_operation(document):
        for status, answer in operation["responses"].items():
            if int(status) < 400:
                continue
            schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
            for branch in schema.get("anyOf", [schema]):  # a 409: a version, or a key in use
                if "detail" not in resolve(branch, document).get("required", []):
                    wrong.append(f"{method.upper()} {path} {status}")
    assert wrong == []


def test_a_refusal_documents_its_errors(document) -> None:
    refused = resolve(
        document["paths"]["/api/v1/voice/concerns"]["post"]["responses"]["422"]["content"][
            "application/json"
        ]["schema"],
        document,
    )
    assert refused["required"] == ["detail"]
    assert set(refused["properties"]) == {"detail", "errors"}


def test_the_document_served_is_the_one_checked(client: Client, document) -> None:
    served = client.get("/api/v1/openapi.json").json()
    assert served == document


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "refused"),
    [
        (TEXT_IN_ADDRESS, lambda text: query_problems([("q", text)])),
        (TEXT_IN_BODY, body_problems),
    ],
    ids=["address", "body"],
)
def test_the_documented_text_patterns_are_the_input_policy(pattern, refused) -> None:
    """Every character up to U+3000 (the controls and far beyond), and the last ones."""
    characters = [*map(chr, range(0x3000)), "\ue000", "\U0010ffff"]
    disagree = [
        hex(ord(c))
        for c in characters
        if (re.fullmatch(pattern, f"a{c}b") is None) != bool(refused(f"a{c}b"))
    ]
    assert disagree == []


def test_text_a_body_or_an_address_holds_is_documented(document) -> None:
    concern = document["components"]["schemas"]["ConcernIn"]
    assert concern["properties"]["title"]["pattern"] == TEXT_IN_BODY
    assert concern["propertyNames"] == {"pattern": TEXT_IN_ADDRESS}
    assert concern["additionalProperties"] == {"$ref": "#/components/schemas/ExtraValue"}
    [q] = [
        p for p in document["paths"]["/api/v1/care/people"]["get"]["parameters"] if p["name"] == "q"
    ]
    assert q["schema"]["pattern"] == TEXT_IN_ADDRESS
    # What the API answers is not held to it: a person's name is shown as it is stored.
    assert (
        "pattern" not in document["components"]["schemas"]["PersonName"]["properties"]["full_name"]
    )


def test_a_field_a_patch_keeps_when_left_out_is_never_null(document) -> None:
    offer = document["components"]["schemas"]["OfferChanges"]["properties"]
    assert offer["is_active"]["type"] == "boolean"
    assert "anyOf" not in offer["is_active"]
    forum = document["components"]["schemas"]["ForumChanges"]["properties"]
    assert {"type": "null"} in forum["home_team"]["anyOf"]  # `null` clears it
