"""Moderation in the Django admin: reviews and referrals (SPEC §2, §3).

Reviews: the changelist shows each review's flag count and filters on "flagged"; the one
write, "Remove selected reviews", calls `review_remove`, so removal is recorded (who, when,
why) and the practitioner's figures move in the same transaction, exactly as through the
API. Nothing is edited or deleted here.

Referrals are health information: the admin only reads them, the changelist never shows
the reason text or the patient reference, and every referral a moderator is shown — opened
or listed — is written to the audit log with the same function as the API.

Imported at the bottom of directory/admin.py. As for credentials there, plain staff users
are the moderators, with no finer Django permissions needed.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from directory.exceptions import Conflict
from directory.models import Referral, ReferralAuditLog, Review, ReviewFlag
from directory.selectors.referrals import referral_visible_qs
from directory.selectors.reviews import review_author_public_name, review_list_moderation
from directory.services.referrals import AUDIT_LIST, AUDIT_READ, referral_audit_record
from directory.services.reviews import review_remove


def is_moderator(request: HttpRequest) -> bool:
    # The admin asks for anonymous visitors too (AnonymousUser has no is_moderator).
    return request.user.is_active and request.user.is_staff


class ModeratorReadOnly:
    """Staff may look; nobody adds, edits or deletes through these pages."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_moderator(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_moderator(request)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # nothing another record depends on is hard-deleted (SPEC §3)


# --- Reviews -------------------------------------------------------------------------------


class FlaggedFilter(admin.SimpleListFilter):
    title = "flagged"
    parameter_name = "flagged"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("yes", "Flagged"), ("no", "Not flagged")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        # `flag_count` comes from review_list_moderation (ReviewAdmin.get_queryset).
        if self.value() == "yes":
            return queryset.filter(flag_count__gt=0)
        if self.value() == "no":
            return queryset.filter(flag_count=0)
        return queryset


class RemovedFilter(admin.SimpleListFilter):
    title = "removed"
    parameter_name = "removed"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("no", "Live"), ("yes", "Removed")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(removed_at__isnull=self.value() == "no")
        return queryset


class ReviewFlagInline(ModeratorReadOnly, admin.TabularInline):
    model = ReviewFlag
    fields = ("flagged_by", "reason", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


class RemovalActionForm(ActionForm):
    note = forms.CharField(
        required=False,
        max_length=1000,
        label="Removal note",
        widget=forms.TextInput(
            attrs={"size": 60, "placeholder": "Why it was removed (kept with the review)"}
        ),
    )


@admin.register(Review)
class ReviewAdmin(ModeratorReadOnly, admin.ModelAdmin):
    list_display = (
        "__str__",
        "author_public_name",
        "overall",
        "verified",
        "flag_count",
        "removed",
        "updated_at",
    )
    list_filter = (FlaggedFilter, RemovedFilter, "verified")
    search_fields = ("practitioner__user__name", "practitioner__user__email", "author__email")
    list_select_related = ("author", "condition", "practitioner__user")
    action_form = RemovalActionForm
    actions = ["remove_selected"]
    inlines = [ReviewFlagInline]
    fields = (
        "practitioner",
        "author",
        "author_public_name",
        "overall",
        "communication",
        "comfort",
        "would_recommend",
        "condition",
        "body",
        "verified",
        "reply",
        "replied_at",
        "flag_count",
        "removed_at",
        "removed_by",
        "removal_note",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return review_list_moderation().select_related("practitioner__user")

    def get_ordering(self, request: HttpRequest) -> list[str]:
        # Most flagged first, as in the moderation API's queue.
        return ["-flag_count", "-updated_at", "-id"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The changelist (obj None) runs the removal action; a review is never edited.
        return obj is None and is_moderator(request)

    @admin.display(description="Shown as")
    def author_public_name(self, review: Review) -> str:
        return review_author_public_name(review.author.name)

    @admin.display(description="Flags", ordering="flag_count")
    def flag_count(self, review: Review) -> int:
        return review.flag_count

    @admin.display(description="Removed", boolean=True, ordering="removed_at")
    def removed(self, review: Review) -> bool:
        return review.removed_at is not None

    def _removal_note(self, request: HttpRequest) -> str | None:
        """The note typed beside the action, or None when it is not acceptable."""
        form = self.action_form(request.POST)
        form.fields["action"].choices = self.get_action_choices(request)
        return form.cleaned_data["note"] if form.is_valid() else None

    @admin.action(description="Remove selected reviews", permissions=["change"])
    def remove_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        note = self._removal_note(request)
        if note is None:
            self.message_user(
                request,
                "Keep the removal note to 1,000 characters. Nothing was removed.",
                messages.ERROR,
            )
            return
        removed = 0
        for review in queryset:
            try:
                review_remove(review_id=review.pk, moderator=request.user, note=note)
            except Conflict as conflict:
                self.message_user(
                    request, f"Skipped {review}: {conflict.message}", messages.WARNING
                )
            else:
                removed += 1
        if removed:
            self.message_user(request, f"Removed {removed} review(s).", messages.SUCCESS)


# --- Referrals -----------------------------------------------------------------------------


@admin.register(Referral)
class ReferralAdmin(ModeratorReadOnly, admin.ModelAdmin):
    # Never the reason or the patient reference: those are read one referral at a time,
    # on its own page, and that read is logged.
    list_display = (
        "__str__",
        "physician",
        "practitioner",
        "condition",
        "status",
        "outcome",
        "created_at",
    )
    list_filter = ("status", "outcome")
    search_fields = (
        "physician__user__name",
        "physician__user__email",
        "practitioner__user__name",
        "practitioner__user__email",
    )
    fields = (
        "physician",
        "practitioner",
        "condition",
        "reason",
        "patient_reference",
        "status",
        "outcome",
        "created_at",
        "updated_at",
        "completed_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return referral_visible_qs(viewer=request.user)

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
class ReferralAuditLogAdmin(ModeratorReadOnly, admin.ModelAdmin):
    list_display = ("at", "actor", "action", "referral")
    list_filter = ("action",)
    search_fields = ("actor__email",)
    list_select_related = ("actor", "referral")
    date_hierarchy = "at"
    fields = ("at", "actor", "action", "referral")
    readonly_fields = fields
