"""The outbox: one row per e-mail the service sends (issue 11).

A row says what was sent to whom and how delivery went; it never holds the message's body.
`params` holds only references (ids, a status) that the message is rendered from when the
worker sends it; what must not be stored (an invitation's code and address) travels in the
task's arguments and is erased from the queue once delivered.
"""

from django.conf import settings
from django.db import models


class MessageKind(models.TextChoices):
    PASSWORD_RESET = "password_reset", "Password reset"
    EMAIL_CONFIRMATION = "email_confirmation", "E-mail confirmation"
    ACCOUNT_EXISTS = "account_exists", "Registration with an address that has an account"
    REFERRAL_SENT = "referral_sent", "New referral"
    REFERRAL_STATUS = "referral_status", "Referral status changed"
    CREDENTIAL_DECISION = "credential_decision", "Credential verified or rejected"
    CREDENTIAL_EXPIRING = "credential_expiring", "Credential expiring"
    CREDENTIAL_REGISTER_PENDING = (
        "credential_register_pending",
        "Licence back to pending after a register check",
    )
    REVIEW_NEW = "review_new", "New review"
    REVIEW_INVITATION = "review_invitation", "Review invitation"


# What `email_notifications = false` turns off; every other kind is an account message and
# always goes.
NON_ESSENTIAL_KINDS = frozenset(
    {MessageKind.REFERRAL_SENT, MessageKind.REFERRAL_STATUS, MessageKind.REVIEW_NEW}
)


class OutboundEmail(models.Model):
    kind = models.CharField(max_length=32, choices=MessageKind.choices)
    # Null only for a message to someone without an account (a review invitation).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_emails",
    )
    params = models.JSONField(default=dict, blank=True)
    # Set for messages that must go once only (expiry reminders): a second row is refused.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set when the server refused the message for good (a 5xx answer): it is not tried again.
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outbox_unsent_idx")]
        verbose_name = "outbound e-mail"

    def __str__(self) -> str:
        if self.sent_at:
            state = "sent"
        elif self.failed_at:
            state = "refused"
        else:
            state = f"pending ({self.attempts} attempts)"
        return f"{self.get_kind_display()} → {self.recipient or 'invited patient'}: {state}"
