"""The one error hierarchy of the service.

Domain code raises these; exactly one handler in `assistant.server.errors` renders them into
the wire shape `{"error": {"message", "type", "code"}}` (HTTP) or an error frame (WebSocket).
Each class knows its HTTP status and its stable machine-readable `code`.
"""

from __future__ import annotations

from typing import Any, ClassVar


class AisleError(Exception):
    """Base of every error the service raises on purpose."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    @property
    def type(self) -> str:
        return type(self).__name__

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.details:
            body["details"] = self.details
        return body


class ConfigError(AisleError):
    """The configuration is invalid; start-up stops with a message naming the key."""

    code = "invalid_config"


class InvalidInput(AisleError):
    """The request or frame is malformed or breaks a limit."""

    status_code = 400
    code = "invalid_input"


class EmptyMessage(InvalidInput):
    code = "empty_message"


class MessageTooLarge(InvalidInput):
    status_code = 413
    code = "message_too_large"


class UndecodableMessage(InvalidInput):
    code = "undecodable_message"


class MalformedJSON(InvalidInput):
    code = "malformed_json"


class UnknownFrameType(InvalidInput):
    code = "unknown_frame_type"


class InvalidSender(InvalidInput):
    status_code = 422
    code = "invalid_sender"


class UnknownItem(InvalidInput):
    status_code = 422
    code = "unknown_item"


class NotFound(AisleError):
    status_code = 404
    code = "not_found"


class UnknownSession(NotFound):
    code = "unknown_session"


class ConversationNotFound(NotFound):
    code = "conversation_not_found"


class Conflict(AisleError):
    status_code = 409
    code = "conflict"


class HandoffStateError(Conflict):
    code = "handoff_state"


class IdentityConflict(Conflict):
    """The conversation already belongs to another customer of the store."""

    code = "identity_conflict"


class Unauthorized(AisleError):
    status_code = 401
    code = "unauthorized"


class InvalidToken(Unauthorized):
    """A customer token without a valid signature, expired, or naming no known customer."""

    code = "invalid_token"


class Forbidden(AisleError):
    status_code = 403
    code = "forbidden"


class IdentifyDisabled(Forbidden):
    """Customer tokens are not accepted: `channels.identity_secret` is not set."""

    code = "identify_disabled"


class OriginNotAllowed(Forbidden):
    code = "origin_not_allowed"


class RateLimited(AisleError):
    status_code = 429
    code = "rate_limited"


class ServiceUnavailable(AisleError):
    status_code = 503
    code = "unavailable"


class ConversationBusy(ServiceUnavailable):
    """Another worker's turn in the same conversation did not finish in time."""

    code = "conversation_busy"


class ModelNotTrained(ServiceUnavailable):
    code = "model_not_trained"


class LanguageModelError(ServiceUnavailable):
    """The language model could not give a usable answer; callers fall back to extractive."""

    code = "language_model_error"


class LanguageModelUnavailable(LanguageModelError):
    """The server refused, failed or is switched off by the circuit breaker."""

    code = "language_model_unavailable"


class LanguageModelTimeout(LanguageModelError):
    """No first token, or no whole answer, within the configured time."""

    code = "language_model_timeout"


class LanguageModelOutputError(LanguageModelError):
    """The model answered, but not in the shape that was asked for (JSON, a schema)."""

    code = "language_model_bad_output"


class ActionFailed(AisleError):
    """An action raised or returned events the executor rejects."""

    code = "action_failed"

    def __init__(self, action_name: str, message: str) -> None:
        super().__init__(
            f"action {action_name!r} failed: {message}", details={"action": action_name}
        )
        self.action_name = action_name


class FlowError(AisleError):
    """A flow definition is invalid (caught at start-up, not in a conversation)."""

    code = "invalid_flow"


class SessionSecretRequired(AisleError):
    """A REST sender's conversation is continued only with the secret issued to it."""

    status_code = 403
    code = "session_secret_required"


class UnsupportedMediaType(AisleError):
    status_code = 415
    code = "unsupported_media_type"
