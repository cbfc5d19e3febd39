"""The one place errors become wire responses: `{"error": {"message", "type", "code"}}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import AisleError, InvalidInput
from assistant.server.protocol import validation_details

logger = logging.getLogger(__name__)


def error_response(error: AisleError) -> JSONResponse:
    return JSONResponse({"error": error.to_wire()}, status_code=error.status_code)


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
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        body = {"message": str(exc.detail), "type": "HTTPError", "code": code}
        return JSONResponse({"error": body}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error")
        body = {"message": "internal error", "type": "InternalError", "code": "internal_error"}
        return JSONResponse({"error": body}, status_code=500)
