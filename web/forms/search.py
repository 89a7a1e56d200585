"""The search form: the page's input, turned into the match API's request body.

The form only collects and shapes what the patient typed; validation and resolution are the
API's own (matching.presenters.match_request_parse), so the page and POST /api/v1/match/
accept and refuse exactly the same things.
"""

from collections.abc import Mapping

from django import forms
from rest_framework.exceptions import ValidationError as ApiValidationError

from directory.limits import (
    FEE_MAX,
    FEE_MIN,
    MATCH_LIMIT_DEFAULT,
    RADIUS_DEFAULT_KM,
    RADIUS_MAX_KM,
    SEARCH_TEXT_MAX,
)
from directory.models import Condition
from matching import constants as k
from matching.presenters import match_request_parse
from matching.services import MatchRequest
from web.forms.errors import flat_messages

# Whole kilometres (the select compares the choices with the initial value as text); the
# API's default and maximum are always among them.
DEFAULT_RADIUS_KM = int(RADIUS_DEFAULT_KM)
RADIUS_CHOICES = [
    (km, f"{km} km") for km in sorted({5, 10, 25, DEFAULT_RADIUS_KM, 100, 250, int(RADIUS_MAX_KM)})
]
LANGUAGE_CHOICES = [
    ("", "Any language"),
    ("en", "English"),
    ("fr", "French"),
    ("zh", "Chinese"),
    ("pa", "Punjabi"),
    ("es", "Spanish"),
    ("tl", "Tagalog"),
    ("hi", "Hindi"),
    ("ar", "Arabic"),
    ("fa", "Persian (Farsi)"),
    ("ko", "Korean"),
    ("vi", "Vietnamese"),
    ("ja", "Japanese"),
    ("de", "German"),
    ("it", "Italian"),
    ("pt", "Portuguese"),
    ("pl", "Polish"),
    ("ru", "Russian"),
    ("uk", "Ukrainian"),
]
PRIORITY_LABELS = {0: "0 – does not matter", 1: "1 – usual", 3: "3 – a lot", 5: "5 – most of all"}
PRIORITY_CHOICES = [(n, PRIORITY_LABELS.get(n, str(n))) for n in range(k.MAX_PRIORITY + 1)]
CRITERIA_HELP = {
    "qualifications": "A verified licence and IMS certification; years since certification "
    "and extra verified training.",
    "experience": "Years and patients treated for your condition, and completed physician "
    "referrals for it.",
    "referrals": "How many physicians referred patients to them, and how many reviewers "
    "would recommend them.",
    "communication": "How reviewers rate their answers to questions and explanations.",
    "comfort": "How reviewers rate being listened to and getting a personal plan.",
}
HEALTH_QUESTIONS = {
    "bleeding_disorder": "I have a bleeding disorder (for example haemophilia)",
    "anticoagulants": "I take blood thinners (anticoagulants, for example warfarin)",
    "active_infection": "I have an active infection",
}
# Only these may be prefilled from a link (GET); the health answers never travel in a URL.
PREFILL_FIELDS = ("condition", "city", "country", "radius_km", "language", *k.CRITERIA)
RESULT_LIMIT = MATCH_LIMIT_DEFAULT
SORT_BEST = "best"
SORT_DISTANCE = "distance"
SORT_CHOICES = [(SORT_BEST, "Best match"), (SORT_DISTANCE, "Nearest first")]
# Where each part of the API's error body is shown on the page.
ERROR_FIELD = {
    "condition": "condition",
    "radius_km": "radius_km",
    "languages": "language",
    "accepting_new_patients": "accepting_new_patients",
    "max_fee": "max_fee",
    "direct_billing": "direct_billing",
    "experience_required": "experience_required",
    "sort": "sort",
}


def _priority_field(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=PRIORITY_CHOICES,
        coerce=int,
        # Missing counts as the default, as in the API.
        required=False,
        empty_value=k.DEFAULT_PRIORITY,
        initial=k.DEFAULT_PRIORITY,
        label=name.capitalize(),
        help_text=CRITERIA_HELP[name],
    )


class SearchForm(forms.Form):
    condition = forms.CharField(
        max_length=SEARCH_TEXT_MAX,
        help_text="Start typing: choose from the list, or use your own words such as "
        "“lumbago” or “pinched nerve”.",
        widget=forms.TextInput(attrs={"list": "condition-options", "autocomplete": "off"}),
    )
    city = forms.CharField(
        max_length=SEARCH_TEXT_MAX,
        required=False,
        help_text="A town or city of at least 15,000 people, such as “Vancouver” or "
        "“Vancouver, BC”. Leave empty to search everywhere.",
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    country = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        initial="CA",
        required=False,
        label="Country code",
        help_text="Two letters, for example CA for Canada (the default) or US for the "
        "United States.",
        error_messages={"invalid": "Use a two-letter country code, for example CA."},
        widget=forms.TextInput(attrs={"maxlength": 2, "size": 3, "autocomplete": "off"}),
    )
    # Filled in by geolocate.js when the patient chooses "Use my location".
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    radius_km = forms.TypedChoiceField(
        choices=RADIUS_CHOICES,
        coerce=int,
        required=False,
        empty_value=DEFAULT_RADIUS_KM,
        initial=DEFAULT_RADIUS_KM,
        label="Within",
    )
    language = forms.ChoiceField(
        choices=LANGUAGE_CHOICES, required=False, label="Speaks", initial=""
    )
    accepting_new_patients = forms.BooleanField(
        required=False, label="Only practitioners accepting new patients"
    )
    # Filters exclude, they never score (the API's max_fee, direct_billing and
    # experience_required); the sort is the API's `sort`.
    max_fee = forms.DecimalField(
        required=False,
        min_value=FEE_MIN,
        max_value=FEE_MAX,
        decimal_places=2,
        label="Maximum fee per session ($)",
        help_text="Leave empty for any fee.",
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )
    direct_billing = forms.BooleanField(
        required=False, label="Direct billing only (they bill your insurer)"
    )
    experience_required = forms.BooleanField(
        required=False, label="Only practitioners with experience of this condition"
    )
    sort = forms.ChoiceField(
        choices=SORT_CHOICES,
        required=False,
        initial=SORT_BEST,
        label="Sort by",
        help_text="Nearest first needs a city or your location.",
    )
    bleeding_disorder = forms.BooleanField(
        required=False, label=HEALTH_QUESTIONS["bleeding_disorder"]
    )
    anticoagulants = forms.BooleanField(required=False, label=HEALTH_QUESTIONS["anticoagulants"])
    active_infection = forms.BooleanField(
        required=False, label=HEALTH_QUESTIONS["active_infection"]
    )

    qualifications = _priority_field("qualifications")
    experience = _priority_field("experience")
    referrals = _priority_field("referrals")
    communication = _priority_field("communication")
    comfort = _priority_field("comfort")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.conditions = list(Condition.objects.order_by("name"))
        self.match_request: MatchRequest | None = None
        # The API-shaped request body once valid: what a stored search keeps.
        self.payload: dict | None = None

    def prefill(self, query: Mapping[str, str]) -> None:
        """Initial values from a link such as /?condition=sciatica&city=Vancouver: only the
        search fields, only valid choices; anything else (health answers included) is
        ignored."""
        for name in PREFILL_FIELDS:
            value = query.get(name)
            if value is None or "\x00" in value:
                continue
            field = self.fields[name]
            if isinstance(field, forms.ChoiceField) and value not in _choice_values(field):
                continue
            self.initial[name] = value[:SEARCH_TEXT_MAX]
        if query.get("accepting_new_patients", "").lower() in {"1", "true", "on", "yes"}:
            self.initial["accepting_new_patients"] = True

    def uses_my_location(self) -> bool:
        """Whether this search went by the browser's position rather than the city (a
        stored search shown again has its input as the initial values)."""
        if not self.is_bound:
            return self._uses_point(self.initial)
        return self._uses_point(getattr(self, "cleaned_data", {}))

    def filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("direct_billing", "experience_required")]

    def priority_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in k.CRITERIA]

    def health_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in HEALTH_QUESTIONS]

    def condition_terms(self) -> list[str]:
        """Names and synonyms for the condition field's suggestions."""
        terms = [c.name for c in self.conditions]
        terms += sorted({s for c in self.conditions for s in c.synonyms}, key=str.casefold)
        return terms

    def clean(self) -> dict:
        cleaned = super().clean()
        # A broken position from the browser is ignored, not reported against a hidden field.
        broken = [self.errors.pop(name, None) for name in ("lat", "lng")]
        if any(broken):
            cleaned["lat"] = cleaned["lng"] = None
        if self.errors:
            return cleaned
        payload = self._payload(cleaned)
        try:
            self.match_request = match_request_parse(payload)
            self.payload = payload
        except ApiValidationError as error:
            self._add_api_errors(error.detail, cleaned)
        return cleaned

    def _uses_point(self, cleaned: dict) -> bool:
        return cleaned.get("lat") is not None and cleaned.get("lng") is not None

    def _location(self, cleaned: dict) -> dict | None:
        if self._uses_point(cleaned):
            return {"lat": cleaned["lat"], "lng": cleaned["lng"]}
        if cleaned.get("city", "").strip():
            location = {"city": cleaned["city"]}
            if cleaned.get("country"):
                location["country"] = cleaned["country"]
            return location
        return None

    def _payload(self, cleaned: dict) -> dict:
        """The same body a client would POST to /api/v1/match/ (the results page adds the
        paging: `limit` is the API's default, RESULT_LIMIT, until then)."""
        payload = {
            "condition": cleaned["condition"],
            "radius_km": cleaned["radius_km"],
            "priorities": {name: cleaned[name] for name in k.CRITERIA},
            "health": {name: cleaned[name] for name in HEALTH_QUESTIONS},
        }
        location = self._location(cleaned)
        if location:
            payload["location"] = location
        if cleaned.get("language"):
            payload["languages"] = [cleaned["language"]]
        if cleaned.get("accepting_new_patients"):
            payload["accepting_new_patients"] = True
        # The filters and the sort go only when chosen: the request stays the API's own.
        if cleaned.get("max_fee") is not None:
            fee = cleaned["max_fee"]
            payload["max_fee"] = int(fee) if fee == fee.to_integral_value() else float(fee)
        for name in ("direct_billing", "experience_required"):
            if cleaned.get(name):
                payload[name] = True
        if cleaned.get("sort") == SORT_DISTANCE:
            payload["sort"] = SORT_DISTANCE
        return payload

    def stored_input(self) -> dict:
        """What the patient typed, field by field, to show the form again as it was sent
        (a stored search's "Refine search"); the values are the raw text, JSON-safe."""
        kept = {
            name: self.data[name]
            for name in self.fields
            if name in self.data and name not in ("lat", "lng")
        }
        # The position as used: a broken one was ignored, and the city searched.
        if self._uses_point(self.cleaned_data):
            kept |= {"lat": self.cleaned_data["lat"], "lng": self.cleaned_data["lng"]}
        return kept

    def _add_api_errors(self, detail: object, cleaned: dict) -> None:
        if not isinstance(detail, Mapping):
            self.add_error(None, flat_messages(detail))
            return
        for key, value in detail.items():
            if key == "location":
                self._add_location_error(cleaned, value)
            else:
                self.add_error(ERROR_FIELD.get(key), flat_messages(value))

    def _add_location_error(self, cleaned: dict, detail: object) -> None:
        if self._uses_point(cleaned):
            # Forget the position so that the page shown next can search by city.
            self.data = self.data.copy()
            self.data["lat"] = self.data["lng"] = ""
            cleaned["lat"] = cleaned["lng"] = None
            self.add_error("city", "We could not use your location; type a city instead.")
        else:
            # The gazetteer's own words (the API's), which name the candidates.
            self.add_error("city", flat_messages(detail))


def _choice_values(field: forms.ChoiceField) -> set[str]:
    return {str(value) for value, _label in field.choices}
