"""Rate limits for public endpoints, with the `limits` library (moving windows).

In memory for one process; in Redis (the pub/sub's) when several workers serve the store, so
every worker counts the same hits.
"""

from __future__ import annotations

import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from assistant.config import Settings
from assistant.errors import RateLimited


class RateLimiter:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        if settings.pubsub.kind == "redis":
            url = settings.pubsub.redis_url.replace("redis://", "async+redis://", 1)
            return cls(RedisStorage(url, implementation="redispy"))
        return cls(MemoryStorage())

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
