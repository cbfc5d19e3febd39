"""Rate limits for public endpoints, with the `limits` library (moving windows).

In memory for one process; in Redis (the pub/sub's) when several workers serve the store, so
every worker counts the same hits.
"""

from __future__ import annotations

import time
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool

from assistant.config import Settings
from assistant.errors import RateLimited


class RateLimiter:
    def __init__(self, storage: Storage, *, pool: ConnectionPool | None = None) -> None:
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)
        # Our own Redis connections, closed with the server.
        self._pool = pool

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        if settings.pubsub.kind == "redis":
            pool = ConnectionPool.from_url(settings.pubsub.redis_url)
            url = settings.pubsub.redis_url.replace("redis://", "async+redis://", 1)
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
        if not await self._limiter.hit(item, *keys, cost=cost):
            stats = await self._limiter.get_window_stats(item, *keys)
            retry = max(1, round(stats.reset_time - time.time()))
            raise RateLimited(
                f"too many requests: at most {item}",
                details={"limit": str(item), "retry_after_s": retry},
            )

    async def clear(self) -> None:
        await self._storage.reset()
