from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from directory import limits
from directory.validators import (
    WEEKDAYS,
    hours_normalize,
    phone_national,
    phone_normalize,
    range_validators,
    validate_country,
    validate_https_url,
    validate_languages,
)


class Profession(models.TextChoices):
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    PHYSICIAN = "physician", "Physician"
    NURSE_PRACTITIONER = "nurse_practitioner", "Nurse practitioner"
    CHIROPRACTOR = "chiropractor", "Chiropractor"
    KINESIOLOGIST = "kinesiologist", "Kinesiologist"
    OTHER = "other", "Other regulated profession"


def languages_to_db(codes: list[str]) -> str:
    """Store ISO 639-1 codes as ",en,fr," so that one LIKE finds a language on any database."""
    return "," + ",".join(codes) + "," if codes else ""


def languages_from_db(stored: str) -> list[str]:
    return [code for code in stored.split(",") if code]


class PractitionerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner"
    )
    profession = models.CharField(
        max_length=30, choices=Profession.choices, default=Profession.PHYSIOTHERAPIST
    )
    bio = models.TextField(
        blank=True, max_length=limits.BIO_MAX, validators=[MaxLengthValidator(limits.BIO_MAX)]
    )
    # Stored as ",en,fr," (languages_to_db); the rule is in clean(), which also sees "".
    languages = models.CharField(max_length=200, default=",en,", blank=True)
    accepting_new_patients = models.BooleanField(default=True)
    fee_per_session = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(limits.FEE_MIN), MaxValueValidator(limits.FEE_MAX)],
    )
    direct_billing = models.BooleanField(default=False)
    # A practitioner who leaves is deactivated, never deleted: reviews and referrals
    # point at the profile.
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When anything the public listing is built from last changed (the profile, clinics,
    # conditions, credentials, reviews): set by directory.services.changes for every such
    # write, read by the FHIR bulk export's `_since`.
    listing_changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(profession__in=Profession.values), name="practitioner_profession_valid"
            ),
            models.CheckConstraint(
                condition=Q(fee_per_session__isnull=True)
                | Q(fee_per_session__gte=limits.FEE_MIN, fee_per_session__lte=limits.FEE_MAX),
                name="practitioner_fee_range",
            ),
        ]

    def __str__(self) -> str:
        return self.user.name or self.user.email

    @property
    def name(self) -> str:
        return self.user.name

    def clean(self) -> None:
        try:
            validate_languages(self.language_list)
        except ValidationError as error:
            raise ValidationError({"languages": error.messages}) from None

    @property
    def language_list(self) -> list[str]:
        return languages_from_db(self.languages)


class PhysicianProfile(models.Model):
    """A referring physician; verified by their own licence credential (see directory.rules)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="physician"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.user.name or self.user.email


class Location(models.Model):
    """A clinic where the practitioner works; distance is to the nearest one."""

    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="locations"
    )
    name = models.CharField(max_length=120)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2, help_text="ISO 3166-1 alpha-2, e.g. CA", validators=[validate_country]
    )
    lat = models.FloatField(validators=range_validators("Latitude", limits.LAT_MIN, limits.LAT_MAX))
    lng = models.FloatField(
        validators=range_validators("Longitude", limits.LNG_MIN, limits.LNG_MAX)
    )
    # Contact. The phone is stored in E.164 ("+16045550123"); clean() reads what was typed
    # in the clinic's country. Empty text means "not given".
    phone = models.CharField(
        max_length=limits.PHONE_INPUT_MAX,
        blank=True,
        help_text="As typed, read in the clinic's country unless it starts with +; "
        "stored as +<country code><number>.",
    )
    website = models.CharField(
        max_length=limits.URL_MAX,
        blank=True,
        validators=[validate_https_url],
        help_text="https:// address of the clinic's site.",
    )
    booking_url = models.CharField(
        max_length=limits.URL_MAX,
        blank=True,
        validators=[validate_https_url],
        help_text="https:// address where patients book online.",
    )
    hours = models.JSONField(
        default=list,
        blank=True,
        help_text='Opening hours: [{"day": "mon", "opens": "09:00", "closes": "17:00"}, ...]',
    )
    # None: not stated.
    wheelchair_accessible = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["lat", "lng"], name="location_lat_lng")]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__gte=limits.LAT_MIN, lat__lte=limits.LAT_MAX),
                name="location_lat_range",
            ),
            models.CheckConstraint(
                condition=Q(lng__gte=limits.LNG_MIN, lng__lte=limits.LNG_MAX),
                name="location_lng_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"

    def clean(self) -> None:
        """The phone to E.164 and the hours checked and in week order, whoever writes."""
        errors = {}
        try:
            self.phone = phone_normalize(self.phone or "", region=self.country)
        except ValidationError as error:
            errors["phone"] = error.error_list
        try:
            self.hours = hours_normalize(self.hours)
        except ValidationError as error:
            errors["hours"] = error.error_list
        if errors:
            raise ValidationError(errors)

    @property
    def phone_national(self) -> str:
        return phone_national(self.phone)

    @property
    def opening_hours(self) -> list[tuple[str, str]]:
        """(day, "09:00–17:00") in week order, for pages."""
        return [(WEEKDAYS[span["day"]], f"{span['opens']}–{span['closes']}") for span in self.hours]


class ConditionExperience(models.Model):
    """Self-reported experience treating one condition; shown as such."""

    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="experience"
    )
    condition = models.ForeignKey("directory.Condition", on_delete=models.PROTECT)
    years = models.PositiveSmallIntegerField(
        validators=range_validators("Years", 0, limits.EXPERIENCE_YEARS_MAX)
    )
    patients_treated = models.PositiveIntegerField(
        validators=range_validators("Patients treated", 0, limits.EXPERIENCE_PATIENTS_MAX)
    )

    class Meta:
        ordering = ["condition__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "condition"], name="experience_one_per_condition"
            ),
            models.CheckConstraint(
                condition=Q(years__lte=limits.EXPERIENCE_YEARS_MAX), name="experience_years_range"
            ),
            models.CheckConstraint(
                condition=Q(patients_treated__lte=limits.EXPERIENCE_PATIENTS_MAX),
                name="experience_patients_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} — {self.condition}"
