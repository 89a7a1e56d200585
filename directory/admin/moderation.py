"""Moderation in the Django admin: the credential queue, reviews and referrals (SPEC §2, §3).

Every page here is a ModeratorAdmin (directory.admin.moderator): moderators look, and write
only through changelist actions that call the same services as the API.

Credentials: the change page is read-only (owners edit their own credentials, so "an edit
sends it back to pending" has one path in); verify and reject call credential_verify /
credential_reject. A regulator's register is imported from a page of its own
(directory.admin.register), linked from the changelist; what it flagged is a column and a
filter here.

Reviews: the changelist shows each review's flag count and filters on "flagged"; "Remove
selected reviews" calls `review_remove`, so removal is recorded (who, when, why) and the
practitioner's figures move in the same transaction, exactly as through the API.

Referrals are health information: the admin only reads them, the changelist never shows
the reason text or the patient reference, and every referral a moderator is shown — opened
or listed — is written to the audit log with the same function as the API.
"""

from functools import partial

from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from directory.admin.display import person_column, shortened, time_column
from directory.admin.moderator import ModeratorAdmin, YesNoFilter, note_field
from directory.admin.register import register_import_view
from directory.filters.credentials import CREDENTIAL_STATUS_VALUES, CredentialModerationFilter
from directory.models import Credential, Referral, ReferralAuditLog, Review, ReviewFlag
from directory.models.credentials import SUBSTANCE_FIELDS
from directory.rules import credential_status
from directory.selectors.referrals import referral_visible_qs
from directory.selectors.reviews import review_author_public_name, review_list_moderation
from directory.services.credentials import credential_reject, credential_verify
from directory.services.referrals import AUDIT_LIST, AUDIT_READ, referral_audit_record
from directory.services.reviews import review_remove

# --- Credentials ----------------------------------------------------------------------


class CredentialActionForm(ActionForm):
    note = note_field(
        label="Note to the owner",
        placeholder="Required to reject; optional to verify",
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


class RegisterFlagFilter(YesNoFilter):
    """Licences a register import flagged for a moderator (a name that does not match)."""

    title = "register flag"
    parameter_name = "register_flag"
    labels = ("Flagged", "Not flagged")
    yes = ~Q(register_flag="")


@admin.register(Credential)
class CredentialAdmin(ModeratorAdmin, admin.ModelAdmin):
    list_display = (
        "owner_shown",
        "kind",
        "issuer",
        "shown_status",
        "expires_on",
        "register_flag_shown",
        "submitted",
        "updated",
        "evidence_link",
    )
    list_filter = (
        CredentialStatusFilter,
        RegisterFlagFilter,
        "kind",
        ("withdrawn_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("owner__email", "owner__name", "number")
    list_select_related = ("owner", "reviewed_by")
    ordering = ("created_at", "id")
    action_form = CredentialActionForm
    action_note_field = "note"
    actions = ["verify_selected", "reject_selected"]
    fields = (
        "owner_shown",
        "kind",
        *SUBSTANCE_FIELDS,
        "evidence_link",
        "evidence_content_type",
        "shown_status",
        "reviewed_by_shown",
        "reviewed",
        "note",
        "register_checked_on",
        "register_source",
        "register_flag",
        "withdrawn",
        "submitted",
        "updated",
    )
    readonly_fields = fields
    owner_shown = person_column("owner", "Owner")
    reviewed_by_shown = person_column("reviewed_by", "Reviewed by")
    reviewed = time_column("reviewed_at", "Reviewed")
    withdrawn = time_column("withdrawn_at", "Withdrawn")
    submitted = time_column("created_at", "Submitted")
    updated = time_column("updated_at", "Updated")

    @admin.display(description="Status")
    def shown_status(self, credential: Credential) -> str:
        return credential_status(credential, today=timezone.localdate())

    @admin.display(description="Register flag", ordering="register_flag")
    def register_flag_shown(self, credential: Credential) -> str:
        return shortened(credential.register_flag) if credential.register_flag else "—"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(partial(register_import_view, self))
        # Before the model's own URLs, whose "<object_id>/" would take this path.
        return [
            path("register-import/", view, name="directory_credential_register_import"),
            *super().get_urls(),
        ]

    @admin.display(description="Evidence")
    def evidence_link(self, credential: Credential) -> str:
        if not credential.evidence:
            return "—"
        url = reverse("credential-evidence", args=[credential.pk])
        return format_html('<a href="{}">Download ({})</a>', url, credential.evidence_content_type)

    def action_label(self, credential: Credential) -> str:
        return f"#{credential.pk} ({credential.owner})"

    @admin.action(description="Verify selected credentials", permissions=["change"])
    def verify_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        def verify(credential: Credential, note: str) -> None:
            credential_verify(credential=credential, moderator=request.user, note=note)

        self.act_on_each(request, queryset, verify, done="Verified")

    @admin.action(description="Reject selected credentials", permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        def reject(credential: Credential, note: str) -> None:
            credential_reject(credential=credential, moderator=request.user, note=note)

        self.act_on_each(request, queryset, reject, done="Rejected")


# --- Reviews -------------------------------------------------------------------------------


class FlaggedFilter(YesNoFilter):
    title = "flagged"
    parameter_name = "flagged"
    labels = ("Flagged", "Not flagged")
    # `flag_count` comes from review_list_moderation (ReviewAdmin.get_queryset).
    yes = Q(flag_count__gt=0)


class RemovedFilter(YesNoFilter):
    title = "removed"
    parameter_name = "removed"
    labels = ("Removed", "Live")
    yes = Q(removed_at__isnull=False)


class ReviewFlagInline(ModeratorAdmin, admin.TabularInline):
    model = ReviewFlag
    fields = ("flagged_by_shown", "reason", "flagged")
    readonly_fields = fields
    flagged_by_shown = person_column("flagged_by", "Flagged by")
    flagged = time_column("created_at", "Flagged")
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("flagged_by")


class RemovalActionForm(ActionForm):
    note = note_field(
        label="Removal note",
        placeholder="Why it was removed (kept with the review)",
    )


@admin.register(Review)
class ReviewAdmin(ModeratorAdmin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "author_shown",
        "author_public_name",
        "text",
        "overall",
        "verified",
        "flag_count",
        "removed",
        "updated",
    )
    list_filter = (FlaggedFilter, RemovedFilter, "verified")
    # The author's full name finds the displayed "Maria K." too (get_search_results).
    search_fields = (
        "practitioner__user__name",
        "practitioner__user__email",
        "author__name",
        "author__email",
    )
    list_select_related = ("author", "condition", "practitioner__user")
    action_form = RemovalActionForm
    action_note_field = "removal_note"
    actions = ["remove_selected"]
    inlines = [ReviewFlagInline]
    fields = (
        "practitioner_shown",
        "author_shown",
        "author_public_name",
        "overall",
        "communication",
        "comfort",
        "would_recommend",
        "condition",
        "body",
        "verified",
        "reply",
        "replied",
        "flag_count",
        "removed_at_shown",
        "removed_by_shown",
        "removal_note",
        "created",
        "updated",
    )
    readonly_fields = fields
    practitioner_shown = person_column("practitioner.user", "Practitioner")
    author_shown = person_column("author", "Author")
    removed_by_shown = person_column("removed_by", "Removed by")
    replied = time_column("replied_at", "Replied")
    removed_at_shown = time_column("removed_at", "Removed at")
    created = time_column("created_at", "Written")
    updated = time_column("updated_at", "Updated")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return review_list_moderation().select_related("practitioner__user", "removed_by")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        # "Maria K." as the site shows the author: the initial's full stop is not in the name.
        return super().get_search_results(request, queryset, search_term.replace(".", " "))

    @admin.display(description="Text")
    def text(self, review: Review) -> str:
        return shortened(review.body)

    def get_ordering(self, request: HttpRequest) -> list[str]:
        # Most flagged first, as in the moderation API's queue.
        return ["-flag_count", "-updated_at", "-id"]

    @admin.display(description="Shown as")
    def author_public_name(self, review: Review) -> str:
        return review_author_public_name(review.author.name)

    @admin.display(description="Flags", ordering="flag_count")
    def flag_count(self, review: Review) -> int:
        return review.flag_count

    @admin.display(description="Removed", boolean=True, ordering="removed_at")
    def removed(self, review: Review) -> bool:
        return review.removed_at is not None

    @admin.action(description="Remove selected reviews", permissions=["change"])
    def remove_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        def remove(review: Review, note: str) -> None:
            review_remove(review_id=review.pk, moderator=request.user, note=note)

        self.act_on_each(request, queryset, remove, done="Removed")


# --- Referrals -----------------------------------------------------------------------------


@admin.register(Referral)
class ReferralAdmin(ModeratorAdmin, admin.ModelAdmin):
    # Never the reason or the patient reference: those are read one referral at a time,
    # on its own page, and that read is logged.
    list_display = (
        "__str__",
        "physician_shown",
        "practitioner_shown",
        "condition",
        "status",
        "outcome",
        "created",
    )
    list_filter = ("status", "outcome")
    search_fields = (
        "physician__user__name",
        "physician__user__email",
        "practitioner__user__name",
        "practitioner__user__email",
    )
    fields = (
        "physician_shown",
        "practitioner_shown",
        "condition",
        "reason",
        "patient_reference",
        "status",
        "outcome",
        "created",
        "updated",
        "completed",
    )
    readonly_fields = fields
    physician_shown = person_column("physician.user", "Physician")
    practitioner_shown = person_column("practitioner.user", "Practitioner")
    created = time_column("created_at", "Sent")
    updated = time_column("updated_at", "Updated")
    completed = time_column("completed_at", "Completed")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return referral_visible_qs(viewer=request.user).select_related(
            "physician__user", "practitioner__user", "condition"
        )

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            # The rows of this page, evaluated once: the template reuses them.
            referral_audit_record(
                actor=request.user, referrals=changelist.result_list, action=AUDIT_LIST
            )
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        referral = getattr(response, "context_data", {}).get("original")
        if referral is not None:
            referral_audit_record(actor=request.user, referrals=[referral], action=AUDIT_READ)
        return response


@admin.register(ReferralAuditLog)
class ReferralAuditLogAdmin(ModeratorAdmin, admin.ModelAdmin):
    list_display = ("when", "actor_shown", "action", "referral")
    list_filter = ("action",)
    search_fields = ("actor__email", "actor__name")
    list_select_related = ("actor", "referral")
    date_hierarchy = "at"
    fields = ("when", "actor_shown", "action", "referral")
    readonly_fields = fields
    when = time_column("at", "At")
    actor_shown = person_column("actor", "Actor")
