"""A database connection closed between requests never becomes a 500.

Workers keep their connection for DB_CONN_MAX_AGE seconds; the database may close it
meanwhile (restart, failover, idle timeout). With CONN_HEALTH_CHECKS on, Django checks a
reused connection at the start of each request and reconnects when it is dead.

The requests go through Django's WSGI handler, as gunicorn calls it: the test client
skips the per-request connection bookkeeping (it disconnects close_old_connections), and
an atomic test transaction could not reconnect, hence transaction=True.
"""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.test import RequestFactory


def wsgi_get(path: str) -> int:
    """Serves one GET like a WSGI server does, closing the response; returns the status."""
    statuses: list[str] = []
    response = WSGIHandler()(
        RequestFactory().get(path).environ,
        lambda status, headers, exc_info=None: statuses.append(status),
    )
    try:
        b"".join(response)
    finally:
        response.close()  # request_finished: what the server does after each response
    return int(statuses[0].split()[0])


def terminate_backend(pid: int) -> None:
    """Kills the server side of a connection from a second connection, waiting (up to 5 s,
    PostgreSQL's own timeout) until that backend has exited."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="kills a PostgreSQL backend")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("path", ["/api/v1/practitioners/", "/healthz"])
def test_a_connection_the_database_closed_between_requests_is_replaced(path):
    assert wsgi_get(path) == 200
    # The connection outlived the request (DB_CONN_MAX_AGE), or there would be nothing
    # stale to reuse.
    assert connection.connection is not None
    killed = connection.connection.info.backend_pid
    terminate_backend(killed)

    assert wsgi_get(path) == 200
    assert connection.connection.info.backend_pid != killed
