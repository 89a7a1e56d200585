"""Searches kept in the visitor's own session, under opaque ids, for the results pages.

A search (what was typed, and the validated match request with its health answers) is kept
server-side in the session only: its id is random and says nothing, the URL /results/<id>/
carries nothing else, and another browser (another session) cannot read it. At most
SEARCHES_KEPT are kept, each for SEARCH_TTL; an anonymous visitor's session cookie lasts
until the browser closes, so the answers go with the session. Nothing here logs.
"""

import secrets
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

SESSION_KEY = "web.searches"
SEARCHES_KEPT = 10
SEARCH_TTL = timedelta(hours=3)
ID_BYTES = 12  # 16 URL-safe characters


def _live(request: HttpRequest) -> dict[str, dict]:
    """The session's searches still within SEARCH_TTL, oldest first."""
    now = timezone.now().timestamp()
    stored = request.session.get(SESSION_KEY, {})
    if not isinstance(stored, dict):
        return {}
    ttl = SEARCH_TTL.total_seconds()
    return {
        search_id: search
        for search_id, search in sorted(stored.items(), key=lambda pair: pair[1]["at"])
        if 0 <= now - search["at"] < ttl
    }


def search_store(request: HttpRequest, *, input: dict, payload: dict) -> str:
    """Keeps one search (JSON-safe dicts) and returns its new id; the oldest beyond
    SEARCHES_KEPT and the expired are dropped."""
    searches = _live(request)
    search_id = secrets.token_urlsafe(ID_BYTES)
    searches[search_id] = {"input": input, "payload": payload, "at": timezone.now().timestamp()}
    request.session[SESSION_KEY] = dict(list(searches.items())[-SEARCHES_KEPT:])
    if not request.user.is_authenticated:
        # The health answers go when the browser closes, not weeks later. (A signed-in
        # visitor's session keeps its own lifetime; signing out ends it.)
        request.session.set_expiry(0)
    return search_id


def search_load(request: HttpRequest, search_id: str) -> dict | None:
    """The search kept under `search_id` in this session, or None (unknown, expired, or
    another session's)."""
    searches = _live(request)
    if len(searches) != len(request.session.get(SESSION_KEY, {}) or {}):
        request.session[SESSION_KEY] = searches
    return searches.get(search_id)
