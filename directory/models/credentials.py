import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from directory import limits


class CredentialKind(models.TextChoices):
    LICENSE = "license", "Professional licence"
    IMS_CERTIFICATION = "ims_certification", "IMS certification"
    TRAINING = "training", "Training"


class CredentialStatus(models.TextChoices):
    """Stored verification states. `expired` is computed, never stored (see directory.rules)."""

    PENDING = "pending", "Pending verification"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


# What a credential says, which its owner may write (besides kind and evidence); changing
# any of it sends a verified credential back to pending. Status, review and ownership are
# never among them.
SUBSTANCE_FIELDS = (
    "issuer",
    "number",
    "issued_on",
    "expires_on",
    "profession",
    "jurisdiction",
    "needling_authorized",
    "title",
)


def evidence_path(credential: "Credential", filename: str) -> str:
    # The uploader's file name is never used: it may carry a patient's or their own name.
    suffix = PurePosixPath(filename).suffix.lower()[:6]
    return f"evidence/{uuid.uuid4().hex}{suffix}"


class Credential(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credentials"
    )
    kind = models.CharField(max_length=30, choices=CredentialKind.choices)
    issuer = models.CharField(max_length=200, help_text="Regulator or training body")
    number = models.CharField(max_length=60, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    # Licences only.
    profession = models.CharField(max_length=30, blank=True)
    jurisdiction = models.CharField(max_length=6, blank=True, help_text="ISO 3166-2, e.g. CA-BC")
    needling_authorized = models.BooleanField(default=False)
    # Training only.
    title = models.CharField(max_length=200, blank=True)
    evidence = models.FileField(upload_to=evidence_path, blank=True, max_length=200)
    evidence_content_type = models.CharField(max_length=40, blank=True)

    status = models.CharField(
        max_length=10, choices=CredentialStatus.choices, default=CredentialStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(
        blank=True,
        max_length=limits.CREDENTIAL_NOTE_MAX,
        validators=[MaxLengthValidator(limits.CREDENTIAL_NOTE_MAX)],
    )
    # A regulator's register (manage.py import_register): the last date an extract listed
    # this licence as active, which register it was, and a discrepancy a moderator must look
    # at (a name that does not match); blank when there is none.
    register_checked_on = models.DateField(null=True, blank=True)
    register_source = models.CharField(max_length=100, blank=True)
    register_flag = models.CharField(max_length=300, blank=True)
    # Withdrawn by its owner: kept for the record, shown nowhere, counts for nothing.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["owner", "kind", "status"], name="credential_gate")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CredentialKind.values), name="credential_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CredentialStatus.values), name="credential_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=CredentialStatus.PENDING)
                | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="credential_reviewed_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(expires_on__gte=models.F("issued_on")),
                name="credential_expires_after_issued",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.issuer} ({self.owner})"
