"""The DRF throttles on the endpoints a load script sends, with their rates now.

`throttles.py [--scopes] [METHOD PATH]...`: the endpoints are the METHOD PATH pairs given
(scripts/fault_drill's mix), by default those scripts/bench_http loads. With --scopes it
prints each throttle scope found, one a line (the load script raises each with
THROTTLE_<SCOPE>, the settings' convention); without it, one line an endpoint saying which
throttles apply at which rate, for the script's header.
"""

import os
import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.urls import resolve  # noqa: E402
from rest_framework.settings import api_settings  # noqa: E402

ENDPOINTS = [
    ("GET", "/healthz"),
    ("GET", "/api/v1/practitioners/1/"),
    ("GET", "/api/v1/practitioners/"),
    ("POST", "/api/v1/match/"),
]


def throttles_for(method: str, path: str) -> list[tuple[str, str | None]]:
    """(throttle class name, scope) for each throttle the view runs on this method."""
    view_class = getattr(resolve(path).func, "cls", None)
    if view_class is None:  # a plain Django view: DRF throttles never run
        return []
    view = view_class()
    view.request = SimpleNamespace(method=method)
    view.kwargs = {}
    return [
        # A ScopedRateThrottle learns its scope from the view only when a request comes.
        (type(t).__name__, getattr(view, "throttle_scope", None) or getattr(t, "scope", None))
        for t in view.get_throttles()
    ]


def describe(name: str, scope: str | None) -> str:
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope) if scope else None
    return f"{name}(scope={scope}, rate={rate})"


if __name__ == "__main__":
    arguments = sys.argv[1:]
    scopes_only = arguments[:1] == ["--scopes"]
    pairs = arguments[1:] if scopes_only else arguments
    endpoints = list(zip(pairs[::2], pairs[1::2], strict=True)) or ENDPOINTS
    found = {(method, path): throttles_for(method, path) for method, path in endpoints}
    if scopes_only:
        scopes = {scope for throttles in found.values() for _, scope in throttles}
        print("\n".join(sorted(s for s in scopes if s)))
    else:
        for (method, path), throttles in found.items():
            named = ", ".join(describe(*pair) for pair in throttles) or "none"
            print(f"  throttles on {method} {path}: {named}")
