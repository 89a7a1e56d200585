from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from directory import limits
from directory.validators import RATING_VALIDATORS


class ReviewInvitation(models.Model):
    """A single-use code a practitioner gives a patient; a review that presents it is verified.

    Only a SHA-256 of the code is stored: a leaked table yields no usable codes.
    """

    practitioner = models.ForeignKey(
        "directory.PractitionerProfile", on_delete=models.PROTECT, related_name="invitations"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation #{self.pk} from {self.practitioner}"


class Review(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    practitioner = models.ForeignKey(
        "directory.PractitionerProfile", on_delete=models.PROTECT, related_name="reviews"
    )
    overall = models.PositiveSmallIntegerField(validators=RATING_VALIDATORS)
    communication = models.PositiveSmallIntegerField(validators=RATING_VALIDATORS)
    comfort = models.PositiveSmallIntegerField(validators=RATING_VALIDATORS)
    would_recommend = models.BooleanField()
    condition = models.ForeignKey(
        "directory.Condition", on_delete=models.PROTECT, null=True, blank=True
    )
    body = models.TextField(
        blank=True,
        max_length=limits.REVIEW_TEXT_MAX,
        validators=[MaxLengthValidator(limits.REVIEW_TEXT_MAX)],
    )
    verified = models.BooleanField(default=False)
    invitation = models.OneToOneField(
        ReviewInvitation, on_delete=models.PROTECT, null=True, blank=True, related_name="review"
    )
    reply = models.TextField(
        blank=True,
        max_length=limits.REVIEW_TEXT_MAX,
        validators=[MaxLengthValidator(limits.REVIEW_TEXT_MAX)],
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removal_note = models.TextField(
        blank=True,
        max_length=limits.REVIEW_REMOVAL_NOTE_MAX,
        validators=[MaxLengthValidator(limits.REVIEW_REMOVAL_NOTE_MAX)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["practitioner", "-updated_at"], name="review_by_practitioner")
        ]
        constraints = [
            # One review per patient per practitioner: a second one replaces the first.
            models.UniqueConstraint(
                fields=["author", "practitioner"], name="review_one_per_author"
            ),
            models.CheckConstraint(
                condition=Q(overall__gte=limits.RATING_MIN, overall__lte=limits.RATING_MAX)
                & Q(communication__gte=limits.RATING_MIN, communication__lte=limits.RATING_MAX)
                & Q(comfort__gte=limits.RATING_MIN, comfort__lte=limits.RATING_MAX),
                name="review_ratings_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | Q(removed_by__isnull=False),
                name="review_removal_has_moderator",
            ),
        ]

    def __str__(self) -> str:
        return f"Review #{self.pk} of {self.practitioner}"


class ReviewFlag(models.Model):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="flags")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=limits.REVIEW_FLAG_REASON_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "flagged_by"], name="flag_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"Flag on review #{self.review_id} by {self.flagged_by}"
