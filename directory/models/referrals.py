from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from directory import limits
from directory.validators import validate_patient_reference, validate_referral_reason


class ReferralStatus(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


# A referral still waiting for the practitioner or under way: a second one for the same
# patient, practitioner and condition is a double submit (the constraint below, and
# directory.services.referrals, which says which referral is still open).
REFERRAL_OPEN_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


class ReferralOutcome(models.TextChoices):
    IMPROVED = "improved", "Improved"
    UNCHANGED = "unchanged", "Unchanged"
    WORSE = "worse", "Worse"


class Referral(models.Model):
    """A physician's referral of one patient, identified only by the physician's own
    reference code (no names: the minimum necessary)."""

    physician = models.ForeignKey(
        "directory.PhysicianProfile", on_delete=models.PROTECT, related_name="referrals"
    )
    practitioner = models.ForeignKey(
        "directory.PractitionerProfile", on_delete=models.PROTECT, related_name="referrals"
    )
    condition = models.ForeignKey("directory.Condition", on_delete=models.PROTECT)
    reason = models.TextField(
        max_length=limits.REFERRAL_REASON_MAX, validators=[validate_referral_reason]
    )
    patient_reference = models.CharField(
        max_length=limits.PATIENT_REFERENCE_MAX, validators=[validate_patient_reference]
    )
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    outcome = models.CharField(max_length=10, choices=ReferralOutcome.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=ReferralStatus.COMPLETED) & Q(outcome__in=ReferralOutcome.values)
                )
                | (~Q(status=ReferralStatus.COMPLETED) & Q(outcome="")),
                name="referral_outcome_iff_completed",
            ),
            # A double submit cannot create a second open referral of the same patient.
            models.UniqueConstraint(
                fields=["physician", "practitioner", "condition", "patient_reference"],
                condition=Q(status__in=REFERRAL_OPEN_STATUSES),
                name="referral_one_open_per_patient",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral #{self.pk} ({self.status})"


class ReferralAuditLog(models.Model):
    """Every moderator read of a referral. Never holds the reason text."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="audit_log")
    action = models.CharField(max_length=20)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        # Local time with the zone, as the admin shows every time (directory.admin.display).
        at = timezone.localtime(self.at)
        return f"{self.actor} {self.action} referral #{self.referral_id} at {at:%Y-%m-%d %H:%M %Z}"
