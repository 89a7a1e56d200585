"""The Django admin: accounts, profiles, the condition taxonomy and the credential queue.

Credentials are moderated here with the same services as the API: the change page is
read-only (owners edit their own credentials, so "an edit sends it back to pending" has
one path in), and verify/reject are changelist actions that call credential_verify /
credential_reject. Plain staff users are moderators (SPEC §2), so they may use the
credential queue without further Django permissions.
"""

import re
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from directory.conditions import conditions_changed
from directory.exceptions import Conflict
from directory.filters.credentials import CREDENTIAL_STATUS_VALUES, CredentialModerationFilter
from directory.models import (
    Condition,
    ConditionExperience,
    Credential,
    Location,
    PhysicianProfile,
    PractitionerProfile,
    User,
)
from directory.models.credentials import SUBSTANCE_FIELDS
from directory.models.practitioners import languages_to_db
from directory.rules import credential_status, qualified_q, verified_physician_q
from directory.services.changes import practitioner_changed, practitioner_changed_owner
from directory.services.credentials import credential_reject, credential_verify
from directory.services.match_index import match_index_add_condition

# --- Accounts -------------------------------------------------------------------------


class AccountCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "role")
        field_classes: dict = {}

    def clean_email(self) -> str:
        # Logins are by lower-cased e-mail (UserManager.create_user does the same).
        return self.cleaned_data["email"].strip().lower()


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """E-mail is the login: there is no username."""

    form = AccountChangeForm
    add_form = AccountCreationForm
    list_display = ("email", "name", "role", "is_staff", "is_active", "date_joined")
    list_filter = ("role", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "name")
    ordering = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "role")}),
        (
            "Permissions",
            {
                "description": "Staff users are the moderators.",
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "role", "usable_password", "password1", "password2"),
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # A deactivated account's practitioner vanishes from matching (the match index).
        practitioner_changed_owner(user_id=obj.pk)


# --- Practitioners and physicians -----------------------------------------------------

LANGUAGE_CODE_RE = re.compile(r"^[a-z]{2}$")


class PractitionerProfileForm(forms.ModelForm):
    # Shown as "en, fr" rather than the stored ",en,fr," (see languages_to_db).
    languages = forms.CharField(
        required=False, help_text="ISO 639-1 codes separated by commas, e.g. en, fr"
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
        codes = [code.strip().lower() for code in self.cleaned_data["languages"].split(",")]
        codes = list(dict.fromkeys(code for code in codes if code))
        bad = [code for code in codes if not LANGUAGE_CODE_RE.match(code)]
        if bad:
            raise forms.ValidationError(f"Not ISO 639-1 codes: {', '.join(bad)}.")
        return languages_to_db(codes)


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0


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
    readonly_fields = ("qualified", "created_at", "updated_at")
    inlines = [LocationInline, ConditionExperienceInline]

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
    list_display = ("__str__", "email", "verified_referrer", "created_at")
    search_fields = ("user__email", "user__name")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("verified_referrer", "created_at")

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


# --- Credentials ----------------------------------------------------------------------


class CredentialActionForm(ActionForm):
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="Note to the owner",
        widget=forms.TextInput(
            attrs={"size": 60, "placeholder": "Required to reject; optional to verify"}
        ),
    )


class CredentialStatusFilter(admin.SimpleListFilter):
    """Status as readers see it: the same filter as the moderation API, "expired" included."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [(value, value.capitalize()) for value in CREDENTIAL_STATUS_VALUES]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() not in CREDENTIAL_STATUS_VALUES:
            return queryset
        return CredentialModerationFilter(data={"status": self.value()}, queryset=queryset).qs


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = (
        "owner",
        "kind",
        "issuer",
        "shown_status",
        "expires_on",
        "submitted",
        "evidence_link",
    )
    list_filter = (CredentialStatusFilter, "kind", ("withdrawn_at", admin.EmptyFieldListFilter))
    search_fields = ("owner__email", "owner__name", "number")
    list_select_related = ("owner",)
    ordering = ("created_at", "id")
    action_form = CredentialActionForm
    actions = ["verify_selected", "reject_selected"]
    fields = (
        "owner",
        "kind",
        *SUBSTANCE_FIELDS,
        "evidence_link",
        "evidence_content_type",
        "shown_status",
        "reviewed_by",
        "reviewed_at",
        "note",
        "withdrawn_at",
        "submitted",
        "updated_at",
    )
    readonly_fields = fields

    # Moderators are staff (directory.permissions.IsModerator); the page only reads and the
    # actions go through the services, so no finer Django permission is needed.
    def _is_moderator(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_moderator(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._is_moderator(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The changelist (obj None) runs the actions; a single credential is never edited.
        return obj is None and self._is_moderator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # owners withdraw; nothing is hard-deleted (SPEC §3)

    @admin.display(description="Status")
    def shown_status(self, credential: Credential) -> str:
        return credential_status(credential, today=timezone.localdate())

    @admin.display(description="Submitted", ordering="created_at")
    def submitted(self, credential: Credential):
        return credential.created_at

    @admin.display(description="Evidence")
    def evidence_link(self, credential: Credential) -> str:
        if not credential.evidence:
            return "—"
        url = reverse("credential-evidence", args=[credential.pk])
        return format_html('<a href="{}">Download ({})</a>', url, credential.evidence_content_type)

    def _review_each(
        self, queryset: QuerySet, review: Callable[[Credential], object]
    ) -> tuple[int, list[str]]:
        done, skipped = 0, []
        for credential in queryset:
            try:
                review(credential)
                done += 1
            except Conflict as conflict:
                skipped.append(f"#{credential.pk} ({credential.owner}): {conflict.message}")
        return done, skipped

    def _report(self, request: HttpRequest, verb: str, done: int, skipped: list[str]) -> None:
        if done:
            self.message_user(request, f"{verb} {done} credential(s).", messages.SUCCESS)
        for reason in skipped:
            self.message_user(request, f"Skipped {reason}", messages.WARNING)

    def _action_note(self, request: HttpRequest) -> str:
        form = self.action_form(request.POST)
        form.fields["action"].choices = self.get_action_choices(request)
        return form.cleaned_data.get("note", "") if form.is_valid() else ""

    @admin.action(description="Verify selected credentials", permissions=["change"])
    def verify_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        note = self._action_note(request)
        done, skipped = self._review_each(
            queryset,
            lambda credential: credential_verify(
                credential=credential, moderator=request.user, note=note
            ),
        )
        self._report(request, "Verified", done, skipped)

    @admin.action(description="Reject selected credentials", permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        note = self._action_note(request).strip()
        if not note:
            self.message_user(
                request,
                "A rejection needs a note telling the owner why: type it in "
                "“Note to the owner”, then choose the action again. Nothing was rejected.",
                messages.ERROR,
            )
            return
        done, skipped = self._review_each(
            queryset,
            lambda credential: credential_reject(
                credential=credential, moderator=request.user, note=note
            ),
        )
        self._report(request, "Rejected", done, skipped)


from directory import admin_moderation  # noqa: E402,F401
