from django.db import models


class PractitionerStats(models.Model):
    """Figures the ranking reads in one query, maintained in the same transaction as every
    review or referral write (directory.services.stats) and rebuilt by `recompute_stats`.

    Sums are kept apart for verified and unverified reviews, with the unverified reviews'
    praise above the neutral rating 3 (`*_unverified_excess`), so that the ranking can
    weigh them by constants that live in matching.constants.
    """

    practitioner = models.OneToOneField(
        "directory.PractitionerProfile",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stats",
    )
    reviews_verified = models.PositiveIntegerField(default=0)
    reviews_unverified = models.PositiveIntegerField(default=0)
    overall_sum = models.PositiveIntegerField(default=0)
    communication_verified_sum = models.PositiveIntegerField(default=0)
    communication_unverified_sum = models.PositiveIntegerField(default=0)
    communication_unverified_excess = models.PositiveIntegerField(default=0)
    comfort_verified_sum = models.PositiveIntegerField(default=0)
    comfort_unverified_sum = models.PositiveIntegerField(default=0)
    comfort_unverified_excess = models.PositiveIntegerField(default=0)
    recommend_verified = models.PositiveIntegerField(default=0)
    recommend_unverified = models.PositiveIntegerField(default=0)
    referring_physicians = models.PositiveIntegerField(default=0)
    completed_referrals = models.PositiveIntegerField(default=0)
    # Credential facts (verified, not withdrawn credentials only), kept by
    # directory.services.stats.stats_credentials_changed in every credential write, so that
    # the ranking gates and scores from this row (directory.rules.qualified_figures_q).
    # The latest expiry among the licences / IMS certifications; no expiry counts as
    # 9999-12-31; null when there is none.
    licence_valid_until = models.DateField(null=True, blank=True)
    # The licence a result names ("Licensed physiotherapist (CA-BC)"): of those valid until
    # licence_valid_until, the newest; "" when there is none.
    licence_profession = models.CharField(max_length=30, blank=True, default="")
    licence_jurisdiction = models.CharField(max_length=6, blank=True, default="")
    ims_valid_until = models.DateField(null=True, blank=True)
    ims_first_on = models.DateField(null=True, blank=True)
    verified_trainings = models.PositiveIntegerField(default=0)
    # The earliest expiry among the IMS certifications and trainings counted above: until it
    # passes, ims_first_on and verified_trainings are also the figures as of today.
    facts_expire_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "practitioner stats"

    def __str__(self) -> str:
        return f"Figures of practitioner #{self.practitioner_id}"


class ConditionReferralStats(models.Model):
    practitioner = models.ForeignKey(
        "directory.PractitionerProfile", on_delete=models.CASCADE, related_name="condition_stats"
    )
    condition = models.ForeignKey("directory.Condition", on_delete=models.PROTECT)
    completed_referrals = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "condition"], name="condition_stats_one_per_condition"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Referrals of practitioner #{self.practitioner_id} for condition #{self.condition_id}"
        )
