"""Hostile values for property-based tests of the wire: huge and negative integers, floats
past every range (1e21, NaN, infinities), text with NUL characters and lone surrogates, very
long text, wrong types, unknown keys, and JSON nested thousands of levels deep.

`KNOWN_CODES` are the error codes a client may be answered with; `check_error_body` holds an
HTTP answer to the wire's error shape; `served` runs the app in uvicorn as `assistant serve`
does, for what only a real server enforces (its frame size cap)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from assistant.cli.serve import uvicorn_options
from assistant.config import Settings
from assistant.errors import AisleError
from assistant.processes import free_port

# Bounded, and not derandomized: each run tries new inputs within the same budget. No example
# database: nothing is written to the work tree.
HOSTILE = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _codes(cls: type[AisleError]) -> set[str]:
    return {cls.code}.union(*(_codes(sub) for sub in cls.__subclasses__()))


# Every code of the error hierarchy but the one that means the server failed, and routing's.
KNOWN_CODES = (_codes(AisleError) - {"internal_error"}) | {"not_found", "method_not_allowed"}

EVIL_TEXT = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\ud83d",
    "\ufeff\u202e",
    "' OR 1=1 --",
    "%s%n%x",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    '/inform{"order_id": "\x00"}',
]
EVIL_NUMBERS = [
    -1,
    0,
    2**31 - 1,
    2**31,
    2**53,
    2**63,
    -(2**63),
    2**64,
    10**30,
    1e21,
    -1e21,
    1e308,
    5e-324,
    0.5,
    float("nan"),
    float("inf"),
    float("-inf"),
]

texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(EVIL_TEXT),
    st.text(alphabet=st.sampled_from(["a", "\x00", "\ud800", "\udc00", "é", "😀"]), max_size=8),
    # Long: over a message's 4096 bytes, a frame's 16 KiB, an events body's 256 KiB.
    st.builds(lambda c, n: c * n, st.sampled_from(["a", "€", "😀"]), st.integers(3000, 70_000)),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from(EVIL_NUMBERS),
    st.floats(),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def objects(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
    """An object with some of `fields` (each a sensible or a hostile value), perhaps an
    unknown key too."""
    names = (
        draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=len(fields)))
        if fields
        else []
    )
    obj = {name: draw(st.one_of(fields[name], values)) for name in names}
    if draw(st.integers(0, 4)) == 0:
        obj[draw(st.sampled_from(["unknown", "\x00", "\ud800", "__proto__"]))] = draw(values)
    return obj


def deep(levels: int, inner: str = "1") -> str:
    return "[" * levels + inner + "]" * levels


@st.composite
def raw_json(draw: st.DrawFn, objects: st.SearchStrategy[Any]) -> bytes:
    """`objects` serialized, or mangled: nested deep, cut short, with a deep field, NaN."""
    obj = draw(objects)
    text = json.dumps(obj, allow_nan=True)
    how = draw(st.sampled_from(["plain", "plain", "plain", "deep", "deep field", "cut", "bytes"]))
    levels = draw(st.sampled_from([33, 100, 5000]))
    if how == "deep":
        text = deep(levels, text)
    elif how == "deep field" and isinstance(obj, dict) and text != "{}":
        text = text[:-1] + ', "nested": ' + deep(levels) + "}"
    elif how == "cut":
        text = text[: draw(st.integers(0, max(0, len(text) - 1)))]
    elif how == "bytes":
        return text.encode() + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"]))
    return text.encode("utf-8", "surrogatepass")


def check_error_body(status: int, body: Any) -> None:
    """An HTTP answer of the wire: never a server error; an error in the one shape, with a
    code a client knows."""
    assert status < 500, (status, body)
    if status >= 400:
        assert isinstance(body, dict) and set(body) == {"error"}, body
        error = body["error"]
        assert isinstance(error["message"], str) and isinstance(error["type"], str), error
        assert error["code"] in KNOWN_CODES, error


@contextlib.contextmanager
def served(settings: Settings) -> Iterator[str]:
    """The app in uvicorn, with `assistant serve`'s options, on a free loopback port in a
    thread of this process, until the block ends; yields its base URL."""
    from assistant.server.app import create_app

    options = {**uvicorn_options(settings), "log_level": "warning"}
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=free_port(), **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
