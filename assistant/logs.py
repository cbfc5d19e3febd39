"""Logging for the CLI and the server: plain text or JSON lines, the conversation on each record.

`configure_logging(settings)` installs one handler on the root logger (stderr), in the format
`server.log_format` names (`text`, or `json`: one JSON object a line, by python-json-logger),
at `server.log_level`. Libraries' chatter (HTTP clients, Chroma, model loading, uvicorn's access
lines) stays below INFO: only their warnings and errors come through. Records logged while a
turn runs inside `conversation_context(id)` carry `conversation_id`; `log_turn` writes the one
INFO line a turn leaves: ids and names only, never what the shopper said.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, TYPE_CHECKING, Any

from pythonjsonlogger.json import JsonFormatter

if TYPE_CHECKING:
    from assistant.config import Settings

TURN_LOGGER = "assistant.turns"
# Libraries whose INFO and DEBUG records are noise to an operator.
QUIET_LOGGERS = (
    "asyncio",
    "chromadb",
    "httpcore",
    "httpx",
    "huggingface_hub",
    "multipart",
    "python_multipart",
    "sentence_transformers",
    "transformers",
    "urllib3",
    "uvicorn.access",
    "alembic",
    # One line per registered action at every start.
    "rasa_sdk",
    "sanic",
)
# Read by the Hugging Face libraries when first imported (they log through handlers of their
# own, and draw progress bars while loading weights); an operator's own values win.
QUIET_ENVIRONMENT = {"HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error"}
# uvicorn's start-up and shutdown lines are worth keeping.
KEPT_LOGGERS = ("uvicorn", "uvicorn.error")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(conversation)s: %(message)s"

_conversation_id: ContextVar[str | None] = ContextVar("aisle_conversation_id", default=None)
# What the turn line shows: an intent's, a flow's or an action's name, an id. Anything else
# (a sentence, an address) is shown as "?".
_NAME = re.compile(r"[A-Za-z0-9_.:/-]{1,80}")


@contextmanager
def conversation_context(conversation_id: str | None) -> Iterator[None]:
    """Records logged inside (in this task, and threads and tasks started from it) carry
    `conversation_id`."""
    token = _conversation_id.set(conversation_id)
    try:
        yield
    finally:
        _conversation_id.reset(token)


def current_conversation() -> str | None:
    return _conversation_id.get()


class ConversationFilter(logging.Filter):
    """Puts the current conversation's id on each record (unless the record names one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "conversation_id", None) is None:
            found = _conversation_id.get()
            if found is not None:
                record.conversation_id = found
        return True


class QuietFilter(logging.Filter):
    """Drops libraries' records below WARNING, whatever level a library set on its logger
    (uvicorn sets its access logger's level when it starts)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        return not any(
            record.name == name or record.name.startswith(f"{name}.") for name in QUIET_LOGGERS
        )


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [conversation]: message`."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        found = getattr(record, "conversation_id", None)
        record.conversation = f" [{found}]" if found else ""
        return super().format(record)


def json_formatter() -> logging.Formatter:
    """One JSON object a line: time, level, logger, message, and every `extra` field."""
    return JsonFormatter(
        "{asctime}{levelname}{name}{message}",
        style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )


def configure_logging(settings: Settings | None = None, *, stream: IO[str] | None = None) -> None:
    """Install (or replace) the service's handler on the root logger; idempotent. Without
    settings: text at INFO, until the configuration is read."""
    level = (settings.server.log_level if settings else "info").upper()
    formatter = (
        json_formatter()
        if settings is not None and settings.server.log_format == "json"
        else TextFormatter()
    )
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "aisle", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.aisle = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter)
    handler.addFilter(QuietFilter())
    handler.addFilter(ConversationFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for variable, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(variable, value)
    for name in (*KEPT_LOGGERS, "uvicorn.access"):
        # A uvicorn configured elsewhere in the process (its own dictConfig) leaves handlers
        # of its own and stops propagation: its records come through ours again.
        kept = logging.getLogger(name)
        kept.handlers.clear()
        kept.propagate = True
    for name in KEPT_LOGGERS:
        logging.getLogger(name).setLevel(level)


def _name(value: str | None) -> str | None:
    if value is None:
        return None
    return value if _NAME.fullmatch(value) else "?"


def log_turn(
    *,
    conversation_id: str,
    intent: str | None,
    flow: str | None,
    actions: Sequence[str],
    latency_ms: float,
) -> None:
    """The one INFO line a turn leaves (logger `assistant.turns`): the conversation, the intent
    or flow it was read as, the actions it ran, and how long it took. A value that is not a
    name or an id is shown as "?", so no text of the shopper's can slip in."""
    names = [name for name in (_name(action) for action in actions) if name]
    fields: dict[str, Any] = {
        "conversation_id": _name(conversation_id),
        "intent": _name(intent),
        "flow": _name(flow),
        "actions": names,
        "latency_ms": round(latency_ms, 1),
    }
    logging.getLogger(TURN_LOGGER).info(
        "turn intent=%s flow=%s actions=%s latency_ms=%.0f",
        fields["intent"] or "-",
        fields["flow"] or "-",
        ",".join(names) or "-",
        latency_ms,
        extra=fields,
    )
