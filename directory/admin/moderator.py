"""The moderator's side of the admin, shared by every moderation page (directory.admin.moderation).

Who a moderator is has one home, `User.is_moderator`; the pages ask it and nothing else, so
plain staff users need no finer Django permissions. A moderation page only reads: its one
way to write is a changelist action that hands each selected row, with the note typed beside
the action, to a service. The service decides; the action only reports its verdict.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from directory.exceptions import Conflict


def request_by_moderator(request: HttpRequest) -> bool:
    # The admin asks for anonymous visitors too (its login page lists the apps), and
    # AnonymousUser has no is_moderator.
    return request.user.is_authenticated and request.user.is_moderator


def note_field(*, label: str, placeholder: str) -> forms.CharField:
    """The note typed beside an action, read as text only: Django answers any action form it
    cannot validate with "No action selected.", so act_on_each reads it against the model
    field the note is stored in, and says what is wrong with it."""
    return forms.CharField(
        required=False,
        label=label,
        widget=forms.TextInput(attrs={"size": 60, "placeholder": placeholder}),
    )


class YesNoFilter(admin.SimpleListFilter):
    """A changelist filter with two choices: "yes", the rows where `yes` holds, and "no"."""

    yes: Q
    labels = ("Yes", "No")

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("yes", self.labels[0]), ("no", self.labels[1])]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(self.yes)
        if self.value() == "no":
            return queryset.exclude(self.yes)
        return queryset


class ModeratorAdmin:
    """Mixed into every moderation ModelAdmin (and inline): moderators look, and act only
    through the changelist's actions; nobody adds, edits or deletes a record here."""

    # The model field an action's note is stored in (its declared length is the limit).
    action_note_field = ""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request_by_moderator(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request_by_moderator(request)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The changelist (obj None) runs the actions, if the page has any; a record is never
        # edited.
        actions = getattr(self, "actions", None)
        return obj is None and bool(actions) and request_by_moderator(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # nothing another record depends on is hard-deleted (SPEC §3)

    def action_label(self, row: Model) -> str:
        """How a skipped row is named in the action's report."""
        return str(row)

    def act_on_each(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        act: Callable[[Model, str], object],
        *,
        done: str,
    ) -> None:
        """Calls `act(row, note)` (a service) for each selected row and reports the outcome.

        A Conflict is about that row, which is skipped with a warning. A ValidationError is
        about the moderator's input, the same for every row: the action stops there and says
        what to put right.
        """
        count, skipped, refused = 0, [], None
        try:
            note = self._action_note(request)
            for row in queryset:
                try:
                    act(row, note)
                except Conflict as conflict:
                    skipped.append(f"Skipped {self.action_label(row)}: {conflict.message}")
                else:
                    count += 1
        except ValidationError as error:
            refused = error
        if count:
            noun = self.model._meta.verbose_name
            self.message_user(request, f"{done} {count} {noun}(s).", messages.SUCCESS)
        for reason in skipped:
            self.message_user(request, reason, messages.WARNING)
        if refused is not None:
            nothing = "Nothing more" if count else "Nothing"
            refusal = self._refusal(refused)
            self.message_user(request, f"{refusal} {nothing} was {done.lower()}.", messages.ERROR)

    def _action_note(self, request: HttpRequest) -> str:
        stored_in = self.model._meta.get_field(self.action_note_field).formfield()
        try:
            return stored_in.clean(request.POST.get("note", ""))
        except ValidationError as error:
            raise ValidationError({"note": error.error_list}) from error

    def _refusal(self, error: ValidationError) -> str:
        """The service's (or the note field's) messages, each pointed at the box to fix."""
        fields = self.action_form.base_fields
        by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        sentences = []
        for name, reasons in by_field.items():
            field = fields.get(name)
            for reason in reasons:
                if field is None:
                    sentences.append(reason)
                else:
                    sentences.append(
                        f"{reason.rstrip('.')}: type it in “{field.label}”, "
                        "then choose the action again."
                    )
        return " ".join(sentences)
