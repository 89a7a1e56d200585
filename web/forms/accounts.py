"""Sign-up and sign-in forms (session login for the pages; the API uses tokens)."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest

from directory.models import Role, User
from directory.services.accounts import (
    INVALID_CREDENTIALS,
    EmailNotConfirmed,
    user_check_confirmed,
)

ROLE_HELP = {
    Role.PATIENT: "I am looking for treatment, or want to review a practitioner.",
    Role.PHYSICIAN: "I refer patients (physician or nurse practitioner). Referring needs a "
    "verified licence.",
    Role.PRACTITIONER: "I provide IMS and want to be listed. Listing needs a verified licence "
    "and IMS certification.",
}


class SignUpForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        label="Your name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        max_length=254,
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        max_length=128,
        strip=False,  # spaces are legitimate password characters
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=" ".join(password_validators_help_texts()),
    )
    role = forms.ChoiceField(
        choices=[(role.value, f"{role.label}: {ROLE_HELP[role]}") for role in Role],
        initial=Role.PATIENT,
        widget=forms.RadioSelect,
        label="I am signing up as",
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignInForm(forms.Form):
    """E-mail and password; one message for every failure, so the page never tells whether an
    account exists."""

    email = forms.EmailField(
        max_length=254,
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request: HttpRequest, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # ModelBackend refuses inactive accounts and hashes even for unknown addresses, so
        # neither the message nor its timing tells an account exists.
        self.user = authenticate(
            self.request, email=cleaned["email"].strip().lower(), password=cleaned["password"]
        )
        if self.user is None:
            raise forms.ValidationError(INVALID_CREDENTIALS, code="invalid_login")
        # The address awaits confirmation (REQUIRE_EMAIL_CONFIRMATION): said only to someone
        # who knew the password.
        try:
            user_check_confirmed(self.user)
        except EmailNotConfirmed as exc:
            raise forms.ValidationError(str(exc), code="email_not_confirmed") from None
        return cleaned


class EmailForm(forms.Form):
    """One address: where to send a password-reset or confirmation link."""

    email = forms.EmailField(
        max_length=254,
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class NewPasswordForm(forms.Form):
    """The new password, typed twice; its strength is the service's to judge."""

    password = forms.CharField(
        max_length=128,
        strip=False,
        label="New password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=" ".join(password_validators_help_texts()),
    )
    password_again = forms.CharField(
        max_length=128,
        strip=False,
        label="The new password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.errors and cleaned["password"] != cleaned["password_again"]:
            self.add_error("password_again", "The two passwords differ; type the same twice.")
        return cleaned
