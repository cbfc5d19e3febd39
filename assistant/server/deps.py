"""Request dependencies: the components built in the lifespan, and API authentication."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.requests import HTTPConnection

from assistant.conversation.service import ConversationService
from assistant.errors import Unauthorized
from assistant.services import Components


def get_components(connection: HTTPConnection) -> Components:
    components: Components = connection.app.state.components
    return components


def get_conversations(connection: HTTPConnection) -> ConversationService:
    return get_components(connection).conversations


def require_api_token(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> None:
    expected = get_components(request).settings.security.api_token
    if expected is None:
        raise Unauthorized("the agent and admin APIs are disabled: set AISLE_API_TOKEN")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthorized("a valid bearer token is required")


ComponentsDep = Annotated[Components, Depends(get_components)]
ConversationsDep = Annotated[ConversationService, Depends(get_conversations)]
