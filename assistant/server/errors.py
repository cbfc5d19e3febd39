"""The one place errors become wire responses: `{"error": {"message", "type", "code"}}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from assistant.errors import AisleError, InvalidInput
from assistant.server.wire import validation_details

logger = logging.getLogger(__name__)

# The codes of the errors that routing itself answers (no such path, no such method).
HTTP_ERROR_CODES = {400: "invalid_input", 404: "not_found", 405: "method_not_allowed"}


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """The methods some route answers at the request's path."""
    routes = request.app.router.routes
    return [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]


def error_response(error: AisleError) -> JSONResponse:
    response = JSONResponse({"error": error.to_wire()}, status_code=error.status_code)
    retry = (error.details or {}).get("retry_after_s")
    if isinstance(retry, int):
        # RFC 9110 10.2.3: how long to wait before trying again (429, 503).
        response.headers["Retry-After"] = str(retry)
    return response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AisleError)
    async def _aisle(_: Request, exc: AisleError) -> JSONResponse:
        if exc.status_code >= 500:
            logger.error("%s: %s", exc.type, exc.message)
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        error = InvalidInput("invalid request", details=validation_details(exc.errors()))
        return JSONResponse({"error": error.to_wire()}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_ERROR_CODES.get(exc.status_code, "http_error")
        body = {"message": str(exc.detail), "type": "HTTPError", "code": code}
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Every method of the path, not only those of the first route that matched it.
            headers["Allow"] = ", ".join(allowed_methods(request))
        return JSONResponse({"error": body}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error")
        body = {"message": "internal error", "type": "InternalError", "code": "internal_error"}
        return JSONResponse({"error": body}, status_code=500)
