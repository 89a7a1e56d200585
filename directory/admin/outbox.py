"""The outbox in the admin (issue 11): what was e-mailed to whom and how delivery went.

Read-only for moderators, like every moderation page (directory.admin.moderator). A row holds
no message body, and a review invitation's address is never stored, so nothing here shows
more than the kind, the recipient account and the delivery record.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from directory.admin.display import person_column, time_column
from directory.admin.moderator import ModeratorAdmin
from directory.models import OutboundEmail


class DeliveryFilter(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("sent", "Sent"), ("pending", "Pending"), ("refused", "Refused")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "pending":
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=True)
        if self.value() == "refused":
            return queryset.filter(failed_at__isnull=False)
        return queryset


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ModeratorAdmin, admin.ModelAdmin):
    list_display = ["created", "kind", "recipient_shown", "sent", "attempts", "last_error"]
    list_filter = [DeliveryFilter, "kind"]
    search_fields = ["recipient__email", "recipient__name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "recipient_shown",
        "params",
        "created",
        "sent",
        "attempts",
        "next_attempt",
        "failed",
        "last_error",
    ]
    readonly_fields = fields
    recipient_shown = person_column("recipient", "Recipient")
    created = time_column("created_at", "Queued")
    sent = time_column("sent_at", "Sent")
    next_attempt = time_column("next_attempt_at", "Next attempt")
    failed = time_column("failed_at", "Refused")

    def get_actions(self, request: HttpRequest) -> dict:
        return {}
