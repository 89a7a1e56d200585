"""The home page: search, and the ranked, explained results (SPEC §4, §6).

The whole search is a POST, like POST /api/v1/match/, so that the health answers never
land in a URL, a browser history or an access log; the results come back in the POST's
own response, which is never cached. GET shows the form, prefilled from a link's query
(search fields only).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from directory.limits import RADIUS_MAX_KM
from directory.models import Profession
from matching import constants as k
from matching.presenters import match_body
from matching.safety import CAUTION, NOT_RECOMMENDED
from matching.services import match_run
from web.forms.search import HEALTH_QUESTIONS, LANGUAGE_CHOICES, SearchForm

PROFESSIONS = dict(Profession.choices)
LANGUAGES = dict(LANGUAGE_CHOICES)
SAFETY_TITLES = {
    NOT_RECOMMENDED: "IMS is not recommended for you at the moment",
    CAUTION: "Caution: talk to your physician before IMS",
}


def _criterion(name: str, criterion: dict) -> dict:
    return {
        "name": name,
        "label": name.capitalize(),
        "score": criterion["score"],
        "weight_percent": round(criterion["weight"] * 100),
        "reasons": criterion["reasons"],
    }


def _card(item: dict) -> dict:
    """One result of the API body with what the card shows in words."""
    practitioner = item["practitioner"]
    return {
        **item,
        "profession_label": PROFESSIONS.get(practitioner["profession"], practitioner["profession"]),
        "language_names": [LANGUAGES.get(code, code.upper()) for code in practitioner["languages"]],
        "criteria_list": [_criterion(name, item["criteria"][name]) for name in k.CRITERIA],
    }


def _advice(cleaned: dict) -> list[str]:
    """Which filters to loosen when nothing matched; filters exclude, they never score."""
    advice = []
    has_place = cleaned.get("city") or cleaned.get("lat") is not None
    if has_place and cleaned["radius_km"] < RADIUS_MAX_KM:
        advice.append(
            f"Widen the distance: you searched within {cleaned['radius_km']} km. "
            "Try 100 km or more."
        )
    if cleaned.get("language"):
        advice.append("Drop the language filter: choose “Any language”.")
    if cleaned.get("accepting_new_patients"):
        advice.append("Untick “Only practitioners accepting new patients”.")
    if has_place:
        advice.append("Leave the city empty to search everywhere.")
    return advice


def _results_context(form: SearchForm) -> dict:
    body = match_body(match_run(request=form.match_request))
    level = body["safety"]["level"]
    return {
        "body": body,
        "cards": [_card(item) for item in body["results"]],
        "safety_title": SAFETY_TITLES.get(level, ""),
        "advice": [] if body["results"] else _advice(form.cleaned_data),
    }


# Error reports (should one ever be sent) blank the health answers too.
@sensitive_post_parameters(*HEALTH_QUESTIONS)
@require_http_methods(["GET", "HEAD", "POST"])
def search_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = SearchForm()
        form.prefill(request.GET)
        return render(request, "web/search.html", {"form": form})
    form = SearchForm(request.POST)
    context: dict = {"form": form}
    if form.is_valid():
        context |= _results_context(form)
    response = render(request, "web/search.html", context)
    # The page holds the patient's health answers: keep it out of every cache.
    add_never_cache_headers(response)
    return response


urlpatterns = [
    path("", search_page, name="search"),
]
