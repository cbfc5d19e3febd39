"""A Redis reached by its socket (`unix://`) serves the rate limits like one on a port."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError, RateLimited
from assistant.ratelimit import RateLimiter, limits_url


def test_each_redis_url_has_its_limits_uri() -> None:
    assert limits_url("redis://127.0.0.1:6379/0") == "async+redis://127.0.0.1:6379/0"
    assert limits_url("rediss://cache:6380/1") == "async+rediss://cache:6380/1"
    assert limits_url("unix:///run/redis.sock?db=2") == "async+redis+unix:///run/redis.sock?db=2"
    with pytest.raises(ConfigError, match=r"pubsub\.redis_url"):
        limits_url("memcached://127.0.0.1:11211")


def test_rate_limits_count_in_a_redis_on_a_socket(tmp_path: Path) -> None:
    socket = tmp_path / "redis.sock"
    server = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", str(socket), "--save", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            assert time.monotonic() < deadline, "redis-server did not open its socket"
            time.sleep(0.05)
        url = f"unix://{socket}?db=0"
        settings = Settings(pubsub={"kind": "redis", "redis_url": url})
        limiter = RateLimiter.from_settings(settings)

        async def three_hits() -> None:
            try:
                await limiter.hit("2/minute", "socket-test")
                await limiter.hit("2/minute", "socket-test")
                with pytest.raises(RateLimited):
                    await limiter.hit("2/minute", "socket-test")
            finally:
                await limiter.aclose()

        asyncio.run(three_hits())
        keys = subprocess.run(
            ["redis-cli", "-s", str(socket), "--scan"], capture_output=True, text=True, check=True
        ).stdout
        assert "socket-test" in keys  # counted in Redis, not in this process
    finally:
        server.terminate()
        server.wait(timeout=10)
