"""A short-lived cache of the public directory's reads (practitioner list and detail).

Every write that changes what the public sees of a practitioner ends in
directory.services.changes.practitioner_changed, which expires all cached reads once its
transaction commits (one shared version key), and the condition taxonomy does the same.
A cached read is therefore never older than the last change this process — or, with
REDIS_URL, any process — has seen, and never older than DIRECTORY_CACHE_SECONDS anyway
(a per-process cache cannot hear of another process's writes). Bodies that depend on the
date ("expired" credentials, "qualified") carry it in their key. 0 turns the cache off.
"""

import hashlib
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")
VERSION_KEY = "directory:public:version"


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def public_changed() -> None:
    """Expire every cached public read (call once the change has committed)."""
    cache.delete(VERSION_KEY)


def public_cached(key: tuple, compute: Callable[[], T]) -> T:
    """compute()'s value for `key`, cached for DIRECTORY_CACHE_SECONDS until the next
    public_changed(); exceptions (404, 400) are never cached."""
    seconds = settings.DIRECTORY_CACHE_SECONDS
    if not seconds:
        return compute()
    digest = hashlib.sha256(repr((_version(), *key)).encode()).hexdigest()
    cache_key = f"directory:public:{digest}"
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, seconds)
    return value
