"""Which pages may use the widget's channels: the server's own, and `channels.allowed_origins`.

A page the server serves itself (the demo store, the widget's page) is always allowed, on
whatever host and port it was reached: `AISLE_PORT=8123 make run` needs no configuration.
Other pages need their origin listed. A request without an `Origin` header is allowed:
browsers always send one where it matters (WebSocket handshakes, cross-origin POSTs), and
other clients can set it to anything. A refused origin is logged once, with the setting that
would allow it.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

logger = logging.getLogger(__name__)

SETTING_HINT = "channels.allowed_origins (env AISLE_ALLOWED_ORIGINS, comma-separated)"
# Refused origins remembered, so that each is logged once; the oldest are forgotten first.
REMEMBERED_REFUSALS = 1024

_DEFAULT_PORTS = {"http": 80, "https": 443}
_WEB_SCHEMES = {"ws": "http", "wss": "https"}
_refused: OrderedDict[str, None] = OrderedDict()
_refused_lock = threading.Lock()


def normalise(origin: str) -> str | None:
    """`scheme://host[:port]`, lower-case, without a default port or a trailing slash; None
    for what is not an http(s) origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = _WEB_SCHEMES.get(parts.scheme.lower(), parts.scheme.lower())
    host = parts.hostname
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # IPv6
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def origin_allowed(origin: str | None, allowed: list[str], *, own: str | None) -> bool:
    """Whether a request from `origin` may use the channels: no origin, the server's own
    (`own`, see `own_origin`), `*`, or one listed in `allowed`."""
    if origin is None or "*" in allowed:
        return True
    found = normalise(origin)
    if found is None:
        return False
    if own is not None and found == normalise(own):
        return True
    return found in {normalise(item) for item in allowed}


def own_origin(connection: HTTPConnection) -> str:
    """The origin the request was addressed to: its scheme (http for ws, https for wss, as
    uvicorn's proxy headers leave it) and its Host header."""
    url = connection.url
    scheme = _WEB_SCHEMES.get(url.scheme, url.scheme)
    addressed = f"{scheme}://{url.netloc}"
    return normalise(addressed) or addressed


def refused(origin: str | None, setting_hint: str = SETTING_HINT) -> bool:
    """Log a refused origin at WARNING, once per origin; True when this call logged it."""
    key = str(origin)
    with _refused_lock:
        if key in _refused:
            _refused.move_to_end(key)
            return False
        _refused[key] = None
        while len(_refused) > REMEMBERED_REFUSALS:
            _refused.popitem(last=False)
    logger.warning(
        "refused a request from origin %r (logged once); to allow it, add it to %s",
        origin,
        setting_hint,
    )
    return True


def connection_allowed(
    connection: HTTPConnection, allowed: list[str], *, setting_hint: str = SETTING_HINT
) -> bool:
    """`origin_allowed` for a request or WebSocket, logging a refusal once."""
    origin = connection.headers.get("origin")
    if origin_allowed(origin, allowed, own=own_origin(connection)):
        return True
    refused(origin, setting_hint)
    return False
