from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from redis.exceptions import RedisError

from directory.cache import ForgivingRedisCache


def _cache_state() -> str:
    cache = caches["default"]
    if not isinstance(cache, ForgivingRedisCache):
        return "not configured"  # each process's own memory: nothing to reach
    try:
        cache.ping()
    except RedisError:
        return "error"
    return "ok"


@require_GET
def healthz(request):
    """Load balancers poll this: 200 when the database answers, 503 when it does not. The
    cache is reported but never fails the check: without it the service still works."""
    state = {"cache": _cache_state()}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable", **state}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", **state})
