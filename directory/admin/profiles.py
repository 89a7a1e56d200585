"""Practitioners (with their clinics and condition experience), physicians and the condition
taxonomy in the Django admin.

The forms parse what the administrator types and leave the rules to the domain
(directory.validators, the models' own validators run by the ModelForm); the save hooks tell
the match index and the condition cache what changed.
"""

from django import forms
from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from directory.admin.display import time_column
from directory.conditions import conditions_changed
from directory.models import (
    Condition,
    ConditionExperience,
    Location,
    PhysicianProfile,
    PractitionerProfile,
)
from directory.models.practitioners import languages_to_db
from directory.rules import qualified_q, verified_physician_q
from directory.services.changes import practitioner_changed
from directory.services.match_index import match_index_add_condition
from directory.validators import languages_parse, validate_languages


class PractitionerProfileForm(forms.ModelForm):
    # Shown as "en, fr" rather than the stored ",en,fr," (see languages_to_db).
    languages = forms.CharField(
        required=False, help_text="ISO 639-1 codes separated by commas or spaces, e.g. en, fr"
    )

    class Meta:
        model = PractitionerProfile
        fields = [
            "user",
            "profession",
            "bio",
            "languages",
            "accepting_new_patients",
            "fee_per_session",
            "direct_billing",
            "is_active",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["languages"] = ", ".join(self.instance.language_list)

    def clean_languages(self) -> str:
        # Parsed here, judged by the domain's language rule: the API's verdict and words.
        codes = languages_parse(self.cleaned_data["languages"])
        validate_languages(codes)
        return languages_to_db(codes)


class LocationInline(admin.StackedInline):
    # Stacked: with contact and hours a clinic no longer fits on one row. The phone and
    # hours rules run in Location.clean(), which the inline's form calls (full_clean).
    model = Location
    extra = 0
    fieldsets = [
        (None, {"fields": ["name", "address", "city", "region", "postal_code", "country"]}),
        ("Position", {"fields": ["lat", "lng"]}),
        (
            "Contact",
            {"fields": ["phone", "website", "booking_url", "hours", "wheelchair_accessible"]},
        ),
    ]


class ConditionExperienceInline(admin.TabularInline):
    model = ConditionExperience
    extra = 0


def _annotate_flag(queryset: QuerySet, name: str, condition: Q) -> QuerySet:
    return queryset.annotate(**{name: ExpressionWrapper(condition, output_field=BooleanField())})


class QualifiedFilter(admin.SimpleListFilter):
    title = "qualified"
    parameter_name = "qualified"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() not in ("yes", "no"):
            return queryset
        return queryset.filter(qualified=self.value() == "yes")


@admin.register(PractitionerProfile)
class PractitionerProfileAdmin(admin.ModelAdmin):
    form = PractitionerProfileForm
    list_display = ("__str__", "email", "profession", "qualified", "is_active")
    list_filter = (QualifiedFilter, "is_active", "profession", "accepting_new_patients")
    search_fields = ("user__email", "user__name")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("qualified", "created", "updated")
    inlines = [LocationInline, ConditionExperienceInline]
    created = time_column("created_at", "Created")
    updated = time_column("updated_at", "Updated")

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The profile and its inline clinics and experience are the match index's inputs.
        practitioner_changed(practitioner_id=form.instance.pk)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The one qualified rule (directory.rules), evaluated by the database for every row.
        qualified = qualified_q(today=timezone.localdate())
        return _annotate_flag(super().get_queryset(request), "qualified", qualified)

    @admin.display(description="E-mail", ordering="user__email")
    def email(self, practitioner: PractitionerProfile) -> str:
        return practitioner.user.email

    @admin.display(boolean=True, ordering="qualified", description="Qualified")
    def qualified(self, practitioner: PractitionerProfile) -> bool:
        return practitioner.qualified


@admin.register(PhysicianProfile)
class PhysicianProfileAdmin(admin.ModelAdmin):
    list_display = ("__str__", "email", "verified_referrer", "created")
    search_fields = ("user__email", "user__name")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("verified_referrer", "created")
    created = time_column("created_at", "Created")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        verified = verified_physician_q(today=timezone.localdate())
        return _annotate_flag(super().get_queryset(request), "verified_referrer", verified)

    @admin.display(description="E-mail", ordering="user__email")
    def email(self, physician: PhysicianProfile) -> str:
        return physician.user.email

    @admin.display(boolean=True, ordering="verified_referrer", description="Verified referrer")
    def verified_referrer(self, physician: PhysicianProfile) -> bool:
        return physician.verified_referrer


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "synonyms")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request: HttpRequest, obj: Condition, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        conditions_changed()
        if not change:
            # Every practitioner is a candidate for a new condition.
            match_index_add_condition(condition_id=obj.pk)
