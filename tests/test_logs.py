"""Logs: text or JSON lines, libraries kept quiet, the conversation on records, the turn line."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import CLIState
from assistant.config import Settings, load_settings
from assistant.logs import (
    QUIET_ENVIRONMENT,
    QUIET_LOGGERS,
    configure_logging,
    conversation_context,
    log_turn,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """configure_logging changes the process's loggers: put them back after each test."""
    for variable in QUIET_ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    named = {name: logging.getLogger(name).level for name in (*QUIET_LOGGERS, "uvicorn.error")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, named_level in named.items():
        logging.getLogger(name).setLevel(named_level)


def _settings(**environ: str) -> Settings:
    return load_settings(ROOT / "config.yml", environ=environ)


def _configured(**environ: str) -> io.StringIO:
    stream = io.StringIO()
    configure_logging(_settings(**environ), stream=stream)
    return stream


def _json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_text_by_default() -> None:
    stream = _configured()
    logging.getLogger("assistant.somewhere").info("hello %s", "there")
    line = stream.getvalue().strip()
    assert line.endswith(" INFO assistant.somewhere: hello there")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_json_lines_by_the_config_switch() -> None:
    stream = _configured(AISLE_LOG_FORMAT="json")
    logging.getLogger("assistant.somewhere").warning("careful", extra={"order": "W1"})
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("assistant.somewhere").exception("it broke")
    first, second = _json_lines(stream)
    assert first["level"] == "WARNING" and first["logger"] == "assistant.somewhere"
    assert first["message"] == "careful" and first["order"] == "W1" and "time" in first
    assert "ValueError: boom" in second["exc_info"]


def test_the_level_follows_the_settings() -> None:
    stream = _configured(AISLE_LOG_LEVEL="warning")
    logging.getLogger("assistant.somewhere").info("not shown")
    logging.getLogger("assistant.somewhere").warning("shown")
    assert "not shown" not in stream.getvalue() and "shown" in stream.getvalue()


def test_libraries_chatter_stays_below_info() -> None:
    stream = _configured(AISLE_LOG_FORMAT="json")
    for name in ("httpx", "httpcore.connection", "chromadb.telemetry", "sentence_transformers"):
        logging.getLogger(name).info("chatter from %s", name)
    # uvicorn sets its access logger's level when it starts: its lines stay out all the same.
    logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /readyz" 200')
    logging.getLogger("uvicorn.error").info("Uvicorn running on http://127.0.0.1:8000")
    logging.getLogger("httpx").warning("a library's warning")
    assert [(line["logger"], line["message"]) for line in _json_lines(stream)] == [
        ("uvicorn.error", "Uvicorn running on http://127.0.0.1:8000"),
        ("httpx", "a library's warning"),
    ]


def test_hugging_face_libraries_are_told_to_keep_quiet_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    monkeypatch.setenv("TRANSFORMERS_VERBOSITY", "info")
    _configured()
    assert os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"
    assert os.environ["TRANSFORMERS_VERBOSITY"] == "info"


def test_configuring_again_replaces_only_its_own_handler() -> None:
    other = logging.StreamHandler(io.StringIO())
    logging.getLogger().addHandler(other)
    first = _configured()
    second = _configured(AISLE_LOG_FORMAT="json")
    logging.getLogger("assistant.somewhere").info("once")
    assert first.getvalue() == ""
    assert [line["message"] for line in _json_lines(second)] == ["once"]
    assert other in logging.getLogger().handlers


def test_records_logged_during_a_turn_carry_its_conversation() -> None:
    stream = _configured(AISLE_LOG_FORMAT="json")
    logger = logging.getLogger("assistant.conversation.somewhere")

    async def turn(conversation_id: str) -> None:
        with conversation_context(conversation_id):
            await asyncio.sleep(0)  # the other turn runs meanwhile
            logger.info("inside")
            await asyncio.to_thread(logger.info, "in a thread")

    async def both() -> None:
        await asyncio.gather(turn("c-1"), turn("c-2"))

    asyncio.run(both())
    logger.info("outside")
    lines = _json_lines(stream)
    assert sorted((line["message"], line.get("conversation_id")) for line in lines) == [
        ("in a thread", "c-1"),
        ("in a thread", "c-2"),
        ("inside", "c-1"),
        ("inside", "c-2"),
        ("outside", None),
    ]


def test_the_conversation_in_text() -> None:
    stream = _configured()
    with conversation_context("c-42"):
        logging.getLogger("assistant.x").info("inside")
    logging.getLogger("assistant.x").info("outside")
    inside, outside = stream.getvalue().splitlines()
    assert inside.endswith(" INFO assistant.x [c-42]: inside")
    assert outside.endswith(" INFO assistant.x: outside")


def test_one_line_per_turn_with_names_and_latency() -> None:
    stream = _configured(AISLE_LOG_FORMAT="json")
    log_turn(
        conversation_id="c-7",
        intent="order_status",
        flow="check_order",
        actions=["action_check_order", "utter_anything_else"],
        latency_ms=41.26,
    )
    (line,) = _json_lines(stream)
    assert line["level"] == "INFO" and line["logger"] == "assistant.turns"
    assert line["conversation_id"] == "c-7"
    assert (line["intent"], line["flow"]) == ("order_status", "check_order")
    assert line["actions"] == ["action_check_order", "utter_anything_else"]
    assert line["latency_ms"] == 41.3
    text = _configured()
    log_turn(conversation_id="c-7", intent=None, flow="x", actions=[], latency_ms=5)
    assert (
        text.getvalue()
        .strip()
        .endswith("INFO assistant.turns [c-7]: turn intent=- flow=x actions=- latency_ms=5")
    )


def test_the_turn_line_holds_names_only() -> None:
    stream = _configured(AISLE_LOG_FORMAT="json")
    log_turn(
        conversation_id="c-1\nINFO forged line",
        intent="my email is ann@example.com, zip 98187",
        flow="ann@example.com",
        actions=["utter_greet", "say 98187"],
        latency_ms=1,
    )
    (line,) = _json_lines(stream)
    assert (line["conversation_id"], line["intent"], line["flow"]) == ("?", "?", "?")
    assert line["actions"] == ["utter_greet", "?"]
    assert "ann@" not in stream.getvalue() and "98187" not in stream.getvalue()


def test_the_cli_logs_as_its_configuration_says(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("server:\n  log_format: json\n  log_level: warning\n")
    configure_logging()
    CLIState(config_path=config).settings  # noqa: B018 - reading the settings sets logging up
    (handler,) = [h for h in logging.getLogger().handlers if getattr(h, "aisle", False)]
    assert handler.formatter is not None
    assert json.loads(handler.formatter.format(logging.makeLogRecord({"msg": "x"})))["message"]
    assert logging.getLogger().level == logging.WARNING
