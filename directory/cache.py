"""A Redis cache that the service survives losing.

Redis is optional (REDIS_URL): it shares throttle counters and read caches between worker
processes. Nothing in it is the only copy of anything, so when it cannot be reached every
call degrades to "not cached" — a read misses, a write is dropped, throttling lets the request
through — instead of failing the request (sign-in, every write). The outage is logged once
per LOG_INTERVAL_SECONDS per process, not once per request.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LOG_INTERVAL_SECONDS = 60


class ForgivingRedisCache(RedisCache):
    _last_logged = float("-inf")

    def _unavailable(self, error: RedisError) -> None:
        now = time.monotonic()
        if now - ForgivingRedisCache._last_logged >= LOG_INTERVAL_SECONDS:
            ForgivingRedisCache._last_logged = now
            logger.warning(
                "Cache unavailable (%s); serving uncached, throttling relaxed, until it is back",
                type(error).__name__,
            )

    def ping(self) -> None:
        """Raises RedisError when the server does not answer (for /healthz)."""
        self._cache.get_client(write=True).ping()

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            self._unavailable(error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            self._unavailable(error)
            return {}

    def get_or_set(self, key, default, timeout=None, version=None):
        try:
            return super().get_or_set(key, default, timeout, version)
        except RedisError as error:
            self._unavailable(error)
            return default() if callable(default) else default

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as error:
            self._unavailable(error)
            return False

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            self._unavailable(error)
            return False

    def set(self, key, value, timeout=None, version=None):
        try:
            return super().set(key, value, timeout, version)
        except RedisError as error:
            self._unavailable(error)
            return None

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            self._unavailable(error)
            return list(data)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError as error:
            self._unavailable(error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as error:
            self._unavailable(error)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except RedisError as error:
            self._unavailable(error)
            return None
