"""Query parameters of the public practitioner directory (SPEC §5).

The FilterSet validates every parameter (a bad value is a 400 that says what is allowed)
and narrows the practitioners; what each row shows and the order are the selector's job
(directory.selectors.practitioners), which reads the cleaned `near` and `ordering` here.
"""

import math
import re
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from directory import geo
from directory.conditions import UnknownCondition, condition_interpret
from directory.limits import (
    FEE_MAX,
    LAT_MAX,
    LAT_MIN,
    LNG_MAX,
    LNG_MIN,
    RADIUS_DEFAULT_KM,
    RADIUS_MAX_KM,
    SEARCH_TEXT_MAX,
)
from directory.models import Condition, Location, PractitionerProfile
from directory.rules import fee_within_q, treats_condition_q, within_radius_q

NEAR_MESSAGE = (
    f"Use near=lat,lng with lat in {LAT_MIN:g}..{LAT_MAX:g} and lng in {LNG_MIN:g}..{LNG_MAX:g}."
)
RADIUS_MESSAGE = f"Use a number of kilometres greater than 0 and at most {RADIUS_MAX_KM:g}."
RADIUS_NEEDS_NEAR = "radius_km applies only with near=lat,lng; add near or drop radius_km."
LANGUAGE_MESSAGE = "Use a two-letter lower-case ISO 639-1 language code, e.g. en or fr."
BOOLEAN_MESSAGE = "Use true or false."
ORDERING_CHOICES = (("name", "name"), ("-name", "-name"), ("distance", "distance"))
ORDERING_MESSAGE = "Use one of: name, -name, distance (distance needs near=lat,lng)."
DISTANCE_NEEDS_NEAR = "ordering=distance needs near=lat,lng."
MAX_FEE_MESSAGE = f"Use a number of dollars from 0 to {FEE_MAX}."


class LatLngField(forms.Field):
    default_error_messages = {"invalid": NEAR_MESSAGE}
    default_validators = [ProhibitNullCharactersValidator()]

    def to_python(self, value: str | None) -> geo.Point | None:
        if value in self.empty_values:
            return None
        parts = str(value).split(",")
        try:
            lat, lng = (float(part) for part in parts)
        except ValueError:  # not two numbers (NUL bytes land here too)
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        in_range = LAT_MIN <= lat <= LAT_MAX and LNG_MIN <= lng <= LNG_MAX  # False for NaN
        if not (math.isfinite(lat) and math.isfinite(lng) and in_range):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return geo.Point(lat, lng)


class RadiusField(forms.FloatField):
    """Django's FloatField already refuses NaN, infinities and NUL bytes as `invalid`."""

    default_error_messages = {"invalid": RADIUS_MESSAGE}

    def validate(self, value: float | None) -> None:
        super().validate(value)
        if value is not None and not 0 < value <= RADIUS_MAX_KM:
            raise ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanField(forms.Field):
    """Only true/false: django-filter's BooleanFilter quietly ignores any other value."""

    default_error_messages = {"invalid": BOOLEAN_MESSAGE}

    def to_python(self, value: str | None) -> bool | None:
        if value in self.empty_values:
            return None
        answer = {"true": True, "false": False}.get(str(value).strip().lower())
        if answer is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return answer


class ConditionField(forms.CharField):
    def clean(self, value: str | None) -> Condition | None:
        term = super().clean(value)  # length and NUL checks first
        if not term:
            return None
        try:
            return condition_interpret(term).condition
        except UnknownCondition as exc:
            raise ValidationError(str(exc), code="unknown") from None


# Declared in the schema as enforced (empty is the same as absent); a filter's schema
# override carries its description.
LAT = r"-?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
LNG = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"


@extend_schema_field(
    {
        "type": "string",
        "pattern": f"^(?:{LAT},{LNG})?$",
        "description": "`lat,lng`: practitioners with a clinic within radius_km; adds "
        "distance_km (to the nearest clinic) and sorts nearest first.",
    }
)
class NearFilter(django_filters.Filter):
    field_class = LatLngField


@extend_schema_field(
    {
        "type": "number",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": RADIUS_MAX_KM,
        "description": f"Search radius in km with near: greater than 0, at most "
        f"{RADIUS_MAX_KM:g} (default {RADIUS_DEFAULT_KM:g}).",
    }
)
class RadiusFilter(django_filters.Filter):
    field_class = RadiusField


class MaxFeeField(forms.DecimalField):
    """Dollars, 0 to FEE_MAX; Django's DecimalField refuses NaN, infinities and NUL bytes."""

    default_error_messages = dict.fromkeys(
        ("invalid", "min_value", "max_value", "max_digits", "max_decimal_places"),
        MAX_FEE_MESSAGE,
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=0, max_value=FEE_MAX, **kwargs)


@extend_schema_field(
    {
        "type": "number",
        "minimum": 0,
        "maximum": int(FEE_MAX),
        "description": "Practitioners whose fee per session is at most this many dollars; "
        "those who give no fee are left out.",
    }
)
class MaxFeeFilter(django_filters.Filter):
    field_class = MaxFeeField


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^(?:[a-z]{2})?$",
        "description": "ISO 639-1 code the practitioner speaks, e.g. `fr`.",
    }
)
class LanguageFilter(django_filters.CharFilter):
    pass


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class ConditionFilter(django_filters.Filter):
    field_class = ConditionField


class PractitionerFilterForm(forms.Form):
    def clean(self) -> dict:
        cleaned = super().clean()
        near_given = bool(self.data.get("near"))
        if cleaned.get("radius_km") is not None and not near_given:
            self.add_error("radius_km", RADIUS_NEEDS_NEAR)
        if cleaned.get("ordering") == "distance" and not near_given:
            self.add_error("ordering", DISTANCE_NEEDS_NEAR)
        return cleaned


class PractitionerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text",
        max_length=SEARCH_TEXT_MAX,
        help_text="Text in the practitioner's name or a clinic's name (case-insensitive).",
    )
    condition = ConditionFilter(
        method="filter_condition",
        max_length=SEARCH_TEXT_MAX,
        help_text="Condition slug, name or synonym, or a close misspelling of one: "
        "practitioners who report experience with it.",
    )
    city = django_filters.CharFilter(
        method="filter_city",
        max_length=SEARCH_TEXT_MAX,
        help_text="Practitioners with a clinic in this city (case-insensitive exact name).",
    )
    near = NearFilter(method="filter_near")
    radius_km = RadiusFilter(method="filter_radius")
    language = LanguageFilter(
        method="filter_language",
        validators=[RegexValidator(re.compile(r"\A[a-z]{2}\Z"), LANGUAGE_MESSAGE)],
    )
    accepting_new_patients = StrictBooleanFilter(
        method="filter_boolean", help_text="true or false."
    )
    qualified = StrictBooleanFilter(
        # `qualified` is annotated by the selector from directory.rules.qualified_q.
        method="filter_boolean",
        help_text="true: a verified, unexpired licence and a verified IMS certification; "
        "false: the others.",
    )
    max_fee = MaxFeeFilter(method="filter_max_fee")
    direct_billing = StrictBooleanFilter(
        method="filter_direct_billing",
        help_text="true: only practitioners who bill insurers directly; false: no filter.",
    )
    ordering = django_filters.ChoiceFilter(
        method="filter_nothing",  # the selector orders
        choices=ORDERING_CHOICES,
        error_messages={"invalid_choice": ORDERING_MESSAGE},
        help_text="name, -name or distance (with near). Default: nearest first with near, "
        "else by name.",
    )

    class Meta:
        model = PractitionerProfile
        fields: list[str] = []
        form = PractitionerFilterForm

    def get_form_class(self) -> type[forms.Form]:
        # django-filter builds a new form class, and a field per filter, on every request
        # (half a millisecond); they depend only on the declared filters, so build them once.
        # Each form instance still gets its own copy of the fields.
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Exists instead of a join: no duplicate rows, so no DISTINCT over the whole row.
        clinics = Location.objects.filter(practitioner=OuterRef("pk"), name__icontains=value)
        return queryset.filter(Q(user__name__icontains=value) | Q(Exists(clinics)))

    def filter_condition(self, queryset: QuerySet, name: str, value: Condition) -> QuerySet:
        return queryset.filter(treats_condition_q([value]))

    def filter_city(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        clinics = Location.objects.filter(practitioner=OuterRef("pk"), city__iexact=value.strip())
        return queryset.filter(Exists(clinics))

    def filter_near(self, queryset: QuerySet, name: str, value: geo.Point) -> QuerySet:
        radius = self.form.cleaned_data.get("radius_km") or RADIUS_DEFAULT_KM
        # An uncorrelated IN: the (lat, lng) index finds the clinics in the box once, and the
        # haversine runs only on those, whatever the number of practitioners.
        in_radius = Location.objects.filter(within_radius_q(value, radius))
        return queryset.filter(pk__in=in_radius.values("practitioner_id"))

    def filter_language(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(languages__contains=f",{value},")

    def filter_radius(self, queryset: QuerySet, name: str, value: float) -> QuerySet:
        return queryset  # applied by filter_near

    def filter_boolean(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(**{name: value})

    def filter_max_fee(self, queryset: QuerySet, name: str, value: Decimal) -> QuerySet:
        return queryset.filter(fee_within_q(value))

    def filter_direct_billing(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        # Like the match: false is no filter, not "only those who do not bill directly".
        return queryset.filter(direct_billing=True) if value else queryset

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset

    # The type hints on `value` above give the OpenAPI parameter types.
