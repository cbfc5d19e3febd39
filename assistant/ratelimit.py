"""Rate limits for public endpoints, with the `limits` library (moving windows).

In memory for one process; in Redis (the pub/sub's) when several workers serve the store, so
every worker counts the same hits. While Redis cannot be reached each worker counts on its own
(in memory) rather than refusing or failing requests.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from assistant.config import Settings
from assistant.errors import ConfigError, RateLimited

logger = logging.getLogger(__name__)


async def _refuse(
    limiter: MovingWindowRateLimiter, item: RateLimitItem, keys: tuple[str, ...]
) -> None:
    """`RateLimited`, with how long until the window lets one more through."""
    stats = await limiter.get_window_stats(item, *keys)
    retry = max(1, round(stats.reset_time - time.time()))
    raise RateLimited(
        f"too many requests: at most {item}",
        details={"limit": str(item), "retry_after_s": retry},
    )


def limits_url(url: str) -> str:
    """The `limits` storage URI of a Redis URL: `redis://`, `rediss://` or a socket's
    `unix://` (the connections themselves come from our own pool, built from `url`)."""
    scheme, sep, rest = url.partition("://")
    schemes = {"redis": "async+redis", "rediss": "async+rediss", "unix": "async+redis+unix"}
    if not sep or scheme not in schemes:
        raise ConfigError(f"pubsub.redis_url: {url!r} is not a redis://, rediss:// or unix:// URL")
    return f"{schemes[scheme]}://{rest}"


class RateLimiter:
    def __init__(self, storage: Storage, *, pool: ConnectionPool | None = None) -> None:
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)
        # Counts here while the shared storage is away.
        self._local = MovingWindowRateLimiter(MemoryStorage())
        self._shared_down = False
        # Our own Redis connections, closed with the server.
        self._pool = pool

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        if settings.pubsub.kind == "redis":
            # Fail fast while Redis is away (the hit then counts in this process).
            pool = ConnectionPool.from_url(
                settings.pubsub.redis_url,
                socket_connect_timeout=1.0,
                socket_timeout=2.0,
                retry=Retry(NoBackoff(), 0),
            )
            url = limits_url(settings.pubsub.redis_url)
            # limits types its options as scalars, but hands them to redis-py as they are.
            options: dict[str, Any] = {"connection_pool": pool}
            storage = RedisStorage(url, implementation="redispy", **options)
            return cls(storage, pool=pool)
        return cls(MemoryStorage())

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.disconnect()

    async def hit(self, rate: str | RateLimitItem, *keys: str, cost: int = 1) -> None:
        """Count `cost` hits for `keys`; `RateLimited` (429) when they would exceed the rate
        (and then none is counted)."""
        item = parse(rate) if isinstance(rate, str) else rate
        try:
            limiter = self._limiter
            allowed = await limiter.hit(item, *keys, cost=cost)
            if self._shared_down:
                logger.warning("rate limits are shared through Redis again")
                self._shared_down = False
        except Exception as exc:  # the shared storage is down: count in this process
            if not self._shared_down:
                logger.warning(
                    "rate limits count per worker: Redis failed (%s)", type(exc).__name__
                )
                self._shared_down = True
            limiter = self._local
            allowed = await limiter.hit(item, *keys, cost=cost)
        if not allowed:
            await _refuse(limiter, item, keys)

    async def check(self, rate: str | RateLimitItem, *keys: str) -> None:
        """`RateLimited` when `keys` have used up `rate`, counting nothing (a limit on
        failures, counted by `hit` only when they happen)."""
        item = parse(rate) if isinstance(rate, str) else rate
        limiter = self._local if self._shared_down else self._limiter
        try:
            allowed = await limiter.test(item, *keys)
        except Exception:  # the shared storage is down: `hit` notices and counts locally
            limiter = self._local
            allowed = await limiter.test(item, *keys)
        if not allowed:
            await _refuse(limiter, item, keys)

    async def chat(self, settings: Settings, conversation_id: str, *, client: str) -> None:
        """Count a shopper's message (either channel) against the chat limits, per client
        address and per conversation: `RateLimited` past either."""
        channels = settings.channels
        await self.hit(channels.rate_limit_per_client, "chat-client", client)
        await self.hit(channels.rate_limit_per_conversation, "chat-conversation", conversation_id)

    async def clear(self) -> None:
        await self._storage.reset()
        await self._local.storage.reset()
