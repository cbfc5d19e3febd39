"""JSON request bodies read by the route itself: bounded (size, depth, numbers, storable text)
before they are parsed, then validated by a pydantic model. A body that is not the model's is a
validation error (422), as FastAPI's own bodies are; the route documents it with
`openapi.request_body`."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from assistant.server.deps import get_components
from assistant.server.wire import decode_json

# The JSON around a message's text may add this much to the message's own limit.
ENVELOPE_BYTES = 8192


def json_body(model: type[BaseModel], *, max_bytes: int | None = None) -> Any:
    """A dependency that reads `model` from the body: at most `max_bytes`, or by default a
    shopper's message limit (`channels.max_message_bytes`) and its envelope."""

    async def parse(request: Request) -> BaseModel:
        limit = max_bytes
        if limit is None:
            limit = get_components(request).settings.channels.max_message_bytes + ENVELOPE_BYTES
        data = decode_json(await request.body(), max_bytes=limit)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
            raise RequestValidationError(errors) from exc

    return Depends(parse)
