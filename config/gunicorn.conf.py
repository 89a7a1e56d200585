"""Gunicorn's settings for `scripts/serve`, read from the environment.

Gunicorn validates each value itself and stops with "Invalid value for <setting>" on a
malformed one, so the raw strings are handed over as they are.
"""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = os.environ.get("WEB_CONCURRENCY", "3")
# A request still running after this many seconds has its worker killed and restarted
# (the slowest endpoint, a wide match, takes well under a second).
timeout = os.environ.get("GUNICORN_TIMEOUT", "30")
graceful_timeout = timeout

# The access log never holds a query string or a referrer (either may carry a condition
# or a place) and never a body: method, path, status, size, duration and user agent only.
# Gunicorn's default format would print the whole request line ("%(r)s"), query included.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'

# The control socket (gunicornc) is not used; without it two instances on one machine
# never contend for the same default path.
control_socket_disable = True


def post_worker_init(worker) -> None:
    """The application is loaded: move its long-lived objects (modules, settings, URL
    patterns, compiled SQL) out of the collector's sight, so that each request's garbage
    collections walk only what the request allocated."""
    import gc

    gc.freeze()
