"""The register import in the admin (issue 13): a moderator uploads a regulator's extract, reads
the dry-run report, then applies it — the same service and report as
`manage.py import_register` (directory.services.register).

Between preview and apply the file waits in the moderator's own session (stored server-side,
in the database), keyed by its SHA-256 digest, which the apply form carries: what is applied
is exactly the file that was previewed, with the options it was previewed with, and it is
applied once (the session entry is consumed). Files are bounded by the site's upload limit
(directory.uploads); larger extracts go through the command.
"""

import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from directory.admin.moderator import request_by_moderator
from directory.register_file import REGISTER_COLUMNS, RegisterFileError
from directory.services.register import RegisterReport, register_import

SESSION_KEY = "register_import"


class RegisterUploadForm(forms.Form):
    file = forms.FileField(label="Register extract (CSV, UTF-8)")
    jurisdiction = forms.CharField(
        max_length=6, initial="CA-BC", help_text="ISO 3166-2 code of the register, e.g. CA-BC."
    )
    complete = forms.BooleanField(
        required=False,
        label="The file is the whole register",
        help_text="Verified licences of the professions it lists whose number it does not "
        "name go back to pending.",
    )
    strict = forms.BooleanField(required=False, label="Refuse the whole file if any row is bad")


class RegisterApplyForm(forms.Form):
    digest = forms.CharField(max_length=64, widget=forms.HiddenInput)


def _preview(request: HttpRequest, form: RegisterUploadForm) -> RegisterReport | None:
    content = form.cleaned_data["file"].read()
    options = {key: form.cleaned_data[key] for key in ("jurisdiction", "complete", "strict")}
    try:
        report = register_import(content=content, dry_run=True, **options)
    except RegisterFileError as error:
        form.add_error("file", error.message)
        return None
    except ValidationError as error:
        for field, reasons in error.message_dict.items():
            form.add_error(field if field in form.fields else None, reasons)
        return None
    if report.refused:
        request.session.pop(SESSION_KEY, None)
        return report  # nothing to apply
    digest = hashlib.sha256(content).hexdigest()
    # Decoded, it is JSON for the session; register_import has just read it as UTF-8.
    request.session[SESSION_KEY] = {
        "digest": digest,
        "content": content.decode("utf-8"),
        **options,
        "jurisdiction": report.jurisdiction,
    }
    return report


def _apply(request: HttpRequest) -> RegisterReport | None:
    form = RegisterApplyForm(request.POST)
    pending = request.session.get(SESSION_KEY)
    if not form.is_valid() or not pending or pending["digest"] != form.cleaned_data["digest"]:
        return None
    del request.session[SESSION_KEY]
    try:
        return register_import(
            content=pending["content"].encode("utf-8"),
            jurisdiction=pending["jurisdiction"],
            complete=pending["complete"],
            strict=pending["strict"],
        )
    except (RegisterFileError, ValidationError):
        return None  # the preview read it; only a changed file would fail, and it cannot


def register_import_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not request_by_moderator(request):
        raise PermissionDenied
    form, report, digest, applied = RegisterUploadForm(), None, "", False
    if request.method == "POST" and "apply" in request.POST:
        report = _apply(request)
        if report is None:
            model_admin.message_user(
                request,
                "Nothing to apply: that preview is gone or was applied already. Upload the "
                "file again.",
                messages.ERROR,
            )
        else:
            applied = True
            model_admin.message_user(request, report.summary(), messages.SUCCESS)
    elif request.method == "POST":
        form = RegisterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            report = _preview(request, form)
            digest = request.session.get(SESSION_KEY, {}).get("digest", "") if report else ""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import a register extract",
        "form": form,
        "report": report,
        "applied": applied,
        "apply_form": RegisterApplyForm(initial={"digest": digest}) if digest else None,
        "can_apply": bool(report and not report.refused and not applied),
        "columns": REGISTER_COLUMNS,
    }
    return TemplateResponse(request, "admin/directory/credential/register_import.html", context)
