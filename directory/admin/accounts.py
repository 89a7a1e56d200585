"""Accounts in the Django admin: e-mail is the login, and staff users are the moderators."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest

from directory.admin.display import time_column
from directory.models import User
from directory.services.changes import practitioner_changed_owner


class EmailLoginForm:
    """Logins are by lower-cased e-mail (UserManager.create_user does the same)."""

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class AccountCreationForm(EmailLoginForm, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "role")
        field_classes: dict = {}


class AccountChangeForm(EmailLoginForm, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """E-mail is the login: there is no username."""

    form = AccountChangeForm
    add_form = AccountCreationForm
    list_display = ("name", "email", "role", "is_staff", "is_active", "joined")
    list_filter = ("role", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "name")
    ordering = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "role")}),
        (
            "Permissions",
            {
                "description": "Active staff users are the moderators.",
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
            },
        ),
        ("Dates", {"fields": ("last_seen", "joined")}),
    )
    readonly_fields = ("last_seen", "joined")
    last_seen = time_column("last_login", "Last login")
    joined = time_column("date_joined", "Joined")
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
