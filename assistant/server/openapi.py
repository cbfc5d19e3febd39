"""The OpenAPI document (`/openapi.json`, shown at `/docs` and `/redoc`): what each route
takes and every answer it can give, errors included, in the wire's shapes.

Routes declare their own error answers with `responses=error_responses(...)`, and a body
they read themselves with `openapi_extra=request_body(...)`. The few that live where they
cannot (the channels, events and health routes) are described in `ROUTES` here.
`install_openapi` renders every error answer with the one error shape, replacing FastAPI's
default 422 (the error handlers answer validation errors with that shape too).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from assistant.server.behaviour_events import EventIn, EventsRequest
from assistant.server.protocol import RestRequest

REF = "#/components/schemas/{model}"


class ErrorBody(BaseModel):
    message: str = Field(description="what went wrong, for a person")
    type: str = Field(description="the error's class")
    code: str = Field(description="the stable machine-readable code (docs/protocol.md)")
    details: dict[str, Any] | None = Field(None, description="e.g. the fields that are wrong")


class ErrorResponse(BaseModel):
    """Every error answer: `{"error": {"message", "type", "code"}}`."""

    error: ErrorBody


_WHY = {
    400: "Malformed or invalid input (`invalid_input`, `malformed_json`, `empty_message`, …)",
    401: "No valid bearer token, or no valid session secret",
    403: "Refused: an origin that is not allowed, a switched-off feature",
    404: "No such conversation or resource",
    409: "The conversation is not in a state that allows this",
    413: "The body or the message is over its size limit (`message_too_large`)",
    415: "The body is not sent as JSON (`unsupported_media_type`)",
    422: "A field is missing or out of range (`invalid_input`), an unknown item or sender",
    429: "Too many requests (`rate_limited`, with `details.retry_after_s`)",
    503: "A part the request needs is unavailable",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status with its meaning and the error shape."""
    return {status: {"model": ErrorResponse, "description": _WHY[status]} for status in statuses}


def _schema(*models: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON Schema of one model (or of one of several), and the definitions it refers to
    (for components.schemas)."""
    schemas, defs = [], {}
    for model in models:
        schema = model.model_json_schema(ref_template=REF)
        defs.update(schema.pop("$defs", {}))
        schemas.append(schema)
    return (schemas[0] if len(schemas) == 1 else {"anyOf": schemas}), defs


def request_body(*models: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra=` for a route that reads and checks its JSON body itself."""
    schema, defs = _schema(*models)
    body = {"required": True, "content": {"application/json": {"schema": schema}}}
    return {"requestBody": body, "x-schemas": defs} if defs else {"requestBody": body}


# Routes defined where they cannot say it themselves: (method, path) → (body, error statuses).
ROUTES: dict[tuple[str, str], tuple[dict[str, Any] | None, tuple[int, ...]]] = {
    ("post", "/webhooks/rest/webhook"): (
        request_body(RestRequest),
        (400, 401, 403, 404, 409, 413, 415, 422, 429, 503),
    ),
    ("post", "/api/events"): (
        request_body(EventIn, EventsRequest),
        (400, 403, 413, 422, 429),
    ),
}

# Answers that are not errors of the wire's shape.
PLAIN_RESPONSES = {
    ("get", "/readyz"): {"503": {"description": "Not ready: a part the service needs is down"}},
}


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": _WHY[status],
        "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorResponse")}}},
    }


def build_openapi(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorBody, ErrorResponse):
        components[model.__name__] = model.model_json_schema(ref_template=REF)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            body, statuses = ROUTES.get((method, path), (None, ()))
            if body is not None:
                operation.update(body)
            components.update(operation.pop("x-schemas", {}))
            for status in statuses:
                responses[str(status)] = _error_response(status)
            responses.update(PLAIN_RESPONSES.get((method, path), {}))
            # The error handlers answer a request FastAPI could not validate in the wire's
            # error shape, not in FastAPI's own.
            if "422" in responses:
                responses["422"] = _error_response(422)
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve `build_openapi`'s document (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
