"""The home page (the search form) and the results page (SPEC §4, §6).

The search is a POST, like POST /api/v1/match/, so that the health answers never land in a
URL, a browser history or an access log. A valid search is kept in the visitor's session
under an opaque random id (web.search_store) and the POST answers 303 to /results/<id>/: a
page like any other, so Back, reload and history work and the browser never asks to send a
form again. That page runs the match from the stored request each time it is shown; the
health answers live only in the session (for the safety banner) and go with it. GET / shows
the form, prefilled from a link's query (search fields only).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import ValidationError as ApiValidationError

from directory.limits import MATCH_OFFSET_MAX, RADIUS_MAX_KM
from directory.models import Profession, Role
from directory.selectors.referrals import physician_is_verified
from directory.services.referrals import referral_recipient_refusals
from matching import constants as k
from matching.presenters import match_body, match_request_parse
from matching.safety import CAUTION, NOT_RECOMMENDED
from matching.services import match_run
from web.forms.search import HEALTH_QUESTIONS, LANGUAGE_CHOICES, RESULT_LIMIT, SearchForm
from web.search_store import search_load, search_store

PROFESSIONS = dict(Profession.choices)
LANGUAGES = dict(LANGUAGE_CHOICES)
SAFETY_TITLES = {
    NOT_RECOMMENDED: "IMS is not recommended for you at the moment",
    CAUTION: "Caution: talk to your physician before IMS",
}
PAGE_SIZE = RESULT_LIMIT
LAST_PAGE = MATCH_OFFSET_MAX // PAGE_SIZE + 1
EXPIRED_MESSAGE = (
    "These results are no longer available: searches are kept for a few hours, in this "
    "browser only. Please search again."
)


def _criterion(name: str, criterion: dict) -> dict:
    return {
        "name": name,
        "label": name.capitalize(),
        "score": criterion["score"],
        "weight_percent": round(criterion["weight"] * 100),
        "reasons": criterion["reasons"],
    }


def _card(item: dict, *, can_refer: bool) -> dict:
    """One result of the API body with what the card shows in words."""
    practitioner = item["practitioner"]
    return {
        **item,
        "profession_label": PROFESSIONS.get(practitioner["profession"], practitioner["profession"]),
        "language_names": [LANGUAGES.get(code, code.upper()) for code in practitioner["languages"]],
        "criteria_list": [_criterion(name, item["criteria"][name]) for name in k.CRITERIA],
        "can_refer": can_refer,
    }


def _advice(payload: dict) -> list[str]:
    """Which filters to loosen when nothing matched; filters exclude, they never score."""
    advice = []
    has_place = "location" in payload
    if has_place and payload["radius_km"] < RADIUS_MAX_KM:
        advice.append(
            f"Widen the distance: you searched within {payload['radius_km']:g} km. "
            "Try 100 km or more."
        )
    if payload.get("languages"):
        advice.append("Drop the language filter: choose “Any language”.")
    if payload.get("accepting_new_patients"):
        advice.append("Untick “Only practitioners accepting new patients”.")
    if payload.get("max_fee") is not None:
        advice.append("Raise or clear the maximum fee.")
    if payload.get("direct_billing"):
        advice.append("Untick “Direct billing only”.")
    if payload.get("experience_required"):
        advice.append("Untick “Only practitioners with experience of this condition”.")
    if has_place:
        advice.append("Leave the city empty to search everywhere.")
    return advice


def _page_number(raw: str | None) -> int:
    """?page=N, read as Paginator.get_page reads it: anything but a whole number ≥ 1 is
    page 1, and no page lies past the last one the match can reach."""
    try:
        page = max(1, int(raw or 1))
    except ValueError:
        return 1
    return min(page, LAST_PAGE)


def _paging(page: int) -> dict:
    """The match request's paging for `page` (PAGE_SIZE results each): match's own offset."""
    return {"offset": (page - 1) * PAGE_SIZE, "limit": PAGE_SIZE}


def _shown(body: dict, page: int) -> list[dict]:
    """This page's results, by their rank (the API's ranks run on from offset + 1)."""
    first = (page - 1) * PAGE_SIZE + 1
    return [item for item in body["results"] if first <= item["rank"] < first + PAGE_SIZE]


def _referrable(request: HttpRequest, practitioner_ids: list[int]) -> set[int]:
    """Which of these practitioners the visitor may refer a patient to: a verified physician,
    to those the referral service accepts (the profile page's rule). Two queries at most."""
    user = request.user
    if not practitioner_ids or not user.is_authenticated or user.role != Role.PHYSICIAN:
        return set()
    today = timezone.localdate()
    if not physician_is_verified(user=user, today=today):
        return set()
    refusals = referral_recipient_refusals(practitioner_ids=practitioner_ids, today=today)
    return {pk for pk, refusal in refusals.items() if refusal is None}


def _results_context(request: HttpRequest, search_id: str, body: dict, page: int) -> dict:
    items = _shown(body, page)
    referrable = _referrable(request, [item["practitioner"]["id"] for item in items])
    cards = [_card(item, can_refer=item["practitioner"]["id"] in referrable) for item in items]
    first = (page - 1) * PAGE_SIZE + 1
    last = first + len(cards) - 1
    reachable = min(body["count"], LAST_PAGE * PAGE_SIZE)
    url = reverse("web:results", args=[search_id])
    return {
        "body": body,
        "cards": cards,
        "first": first,
        "last": last,
        "next_url": f"{url}?page={page + 1}" if last < reachable else None,
        "next_last": min(last + PAGE_SIZE, reachable),
        "previous_url": (url if page == 2 else f"{url}?page={page - 1}") if page > 1 else None,
        "previous_first": first - PAGE_SIZE,
        # From the API's side of issue 12: absent until match reports it.
        "experienced_count": body["experienced_count"],
        "experienced_url": reverse("web:results_experienced", args=[search_id]),
        "safety_title": SAFETY_TITLES.get(body["safety"]["level"], ""),
    }


def _never_cached(response: HttpResponse) -> HttpResponse:
    # The pages hold (or echo) the patient's health answers: keep them out of every cache.
    add_never_cache_headers(response)
    return response


def _submit(request: HttpRequest, data) -> HttpResponse:
    """Validates a search: kept and redirected to its results page (303, so the browser
    GETs it), or the form again with the messages beside the fields."""
    form = SearchForm(data)
    if form.is_valid():
        search_id = search_store(request, input=form.stored_input(), payload=form.payload)
        return _see_other(reverse("web:results", args=[search_id]))
    return _never_cached(render(request, "web/search.html", {"form": form}))


def _expired(request: HttpRequest) -> HttpResponse:
    """An unknown, expired or another browser's search: a 404 with the empty form."""
    context = {"form": SearchForm(), "expired": EXPIRED_MESSAGE}
    return _never_cached(render(request, "web/search.html", context, status=404))


def _see_other(url: str) -> HttpResponse:
    response = redirect(url)
    response.status_code = 303
    return response


# Error reports (should one ever be sent) blank the health answers too.
@sensitive_post_parameters(*HEALTH_QUESTIONS)
@require_http_methods(["GET", "HEAD", "POST"])
def search_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = SearchForm()
        form.prefill(request.GET)
        return render(request, "web/search.html", {"form": form})
    return _submit(request, request.POST)


@require_http_methods(["GET", "HEAD"])
def results_page(request: HttpRequest, search_id: str) -> HttpResponse:
    search = search_load(request, search_id)
    if search is None:
        return _expired(request)
    page = _page_number(request.GET.get("page"))
    payload = search["payload"]
    try:
        match_request = match_request_parse(payload | _paging(page))
    except ApiValidationError:
        # The stored search no longer holds (a condition since removed, say): the form
        # says why, beside the fields, as for a new search.
        form = SearchForm(search["input"])
        form.is_valid()
        return _never_cached(render(request, "web/search.html", {"form": form}))
    body = match_body(match_run(request=match_request))
    if page > 1 and not _shown(body, page):
        # Past the end (the directory changed since): the first page.
        return redirect(reverse("web:results", args=[search_id]))
    context = {
        "form": SearchForm(initial=search["input"]),
        "experience_required": bool(payload.get("experience_required")),
        "advice": [] if body["results"] else _advice(payload),
        **_results_context(request, search_id, body, page),
    }
    return _never_cached(render(request, "web/search.html", context))


@sensitive_post_parameters(*HEALTH_QUESTIONS)
@require_POST
def results_experienced_page(request: HttpRequest, search_id: str) -> HttpResponse:
    """ "Show only those with experience": the same search with the experience filter on,
    kept under a new id (the one before stays in the history, as it was)."""
    search = search_load(request, search_id)
    if search is None:
        return _expired(request)
    return _submit(request, search["input"] | {"experience_required": "on"})


urlpatterns = [
    path("", search_page, name="search"),
    path("results/<slug:search_id>/", results_page, name="results"),
    path(
        "results/<slug:search_id>/experienced/",
        results_experienced_page,
        name="results_experienced",
    ),
]
