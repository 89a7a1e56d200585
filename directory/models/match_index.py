from django.db import models
from django.db.models import Q

# The review and referral figures, copied from PractitionerStats.
FIGURE_COLUMNS = (
    "reviews_verified",
    "reviews_unverified",
    "communication_verified_sum",
    "communication_unverified_sum",
    "communication_unverified_excess",
    "comfort_verified_sum",
    "comfort_unverified_sum",
    "comfort_unverified_excess",
    "recommend_verified",
    "recommend_unverified",
    "referring_physicians",
)
# The credential facts, copied from PractitionerStats.
FACT_COLUMNS = (
    "licence_valid_until",
    "licence_profession",
    "licence_jurisdiction",
    "ims_valid_until",
    "ims_first_on",
    "facts_expire_on",
    "verified_trainings",
)
# This condition's experience and completed referrals.
EXPERIENCE_COLUMNS = ("experience_years", "experience_patients", "condition_referrals")
# The request-independent parts of the criterion scores: computed, when a row is written,
# by the SQL another app registers (matching.index_parts, through match_index_derive), so
# that the directory keeps no ranking formula.
DERIVED_COLUMNS = (
    "qualification_base",
    "experience_score",
    "referrals_base",
    "referrals_prior_weight",
    "communication_base",
    "comfort_base",
    "rating_prior_weight",
)
# Every column the ranking reads to gate, filter and score, carried in both covering
# indexes so that PostgreSQL answers a match with an index-only scan (SQLite ignores
# INCLUDE). The raw figures stay out: they are read for the returned rows only.
COVERED = [
    "id",
    "practitioner",
    "location",
    "credential_owner",
    "licence_valid_until",
    "ims_valid_until",
    "facts_expire_on",
    "ims_first_month",
    "accepting_new_patients",
    "languages",
    "fee_per_session",
    "direct_billing",
    "experienced",
    *DERIVED_COLUMNS,
]


class MatchEntry(models.Model):
    """The match index: one narrow row per (clinic, condition) of every active practitioner
    who has a verified licence and IMS certification on record (one row per condition, with
    no coordinates, for a practitioner without a clinic).

    A read model of the directory, holding everything matching gates, filters and scores on
    for that condition, copied from the profile, the clinics, the condition's experience and
    referrals and the maintained figures (PractitionerStats). directory.services.match_index
    rewrites a practitioner's rows in the transaction of every write that changes one of
    those inputs, and `manage.py rebuild_match_index` rebuilds them all from the same SELECT.

    Qualification is stored as dates, never as a flag: "qualified as of today" is
    `licence_valid_until >= today AND ims_valid_until >= today`, evaluated by each query, so
    a licence that expires tonight drops out tomorrow without any write.
    """

    # Indexed by the unique constraint below, which starts with it.
    practitioner = models.ForeignKey(
        "directory.PractitionerProfile",
        on_delete=models.CASCADE,
        db_index=False,
        related_name="+",
    )
    # Null only for the rows of a practitioner without any clinic.
    location = models.ForeignKey(
        "directory.Location", on_delete=models.CASCADE, null=True, related_name="+"
    )
    condition = models.ForeignKey(
        "directory.Condition", on_delete=models.PROTECT, db_index=False, related_name="+"
    )
    # The practitioner's user: whose credentials the stale-facts fallback reads.
    credential_owner = models.BigIntegerField()
    # The practitioner's first clinic (lowest id), or the clinic-less row: exactly one row
    # per practitioner and condition, which a search without a location reads.
    is_first = models.BooleanField()
    lat = models.FloatField(null=True)
    lng = models.FloatField(null=True)
    # Credential facts (PractitionerStats): the gate and the qualification inputs.
    licence_valid_until = models.DateField()
    # The licence a result names (PractitionerStats.licence_profession, …).
    licence_profession = models.CharField(max_length=30, default="")
    licence_jurisdiction = models.CharField(max_length=6, default="")
    ims_valid_until = models.DateField()
    ims_first_on = models.DateField(null=True)
    # year * 12 + month of ims_first_on: whole months since it are one subtraction.
    ims_first_month = models.IntegerField(null=True)
    facts_expire_on = models.DateField(null=True)
    verified_trainings = models.IntegerField()
    # The profile's filters.
    accepting_new_patients = models.BooleanField()
    languages = models.CharField(max_length=200)
    # Null: no fee given (a search with a top fee leaves the practitioner out).
    fee_per_session = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    direct_billing = models.BooleanField()
    # This condition's experience (null: none reported) and completed referrals.
    experience_years = models.IntegerField(null=True)
    experience_patients = models.IntegerField(null=True)
    condition_referrals = models.IntegerField()
    # Reports experience with this condition or has completed referrals for it
    # (directory.rules.experienced_sql): the match's experience filter and count.
    experienced = models.BooleanField()
    # Review and referral figures (PractitionerStats).
    reviews_verified = models.IntegerField()
    reviews_unverified = models.IntegerField()
    communication_verified_sum = models.IntegerField()
    communication_unverified_sum = models.IntegerField()
    communication_unverified_excess = models.IntegerField()
    comfort_verified_sum = models.IntegerField()
    comfort_unverified_sum = models.IntegerField()
    comfort_unverified_excess = models.IntegerField()
    recommend_verified = models.IntegerField()
    recommend_unverified = models.IntegerField()
    referring_physicians = models.IntegerField()
    # DERIVED_COLUMNS (null until an app registers their SQL).
    qualification_base = models.FloatField(null=True)
    experience_score = models.FloatField(null=True)
    referrals_base = models.FloatField(null=True)
    referrals_prior_weight = models.FloatField(null=True)
    communication_base = models.FloatField(null=True)
    comfort_base = models.FloatField(null=True)
    rating_prior_weight = models.FloatField(null=True)

    class Meta:
        indexes = [
            # A search with a location: the condition, then the bounding box, longitude
            # first: Canada's clinics lie within a band of latitudes (43°–54° for most)
            # that spans the continent, so a box's range of latitudes takes in the cities
            # from coast to coast, its range of longitudes rarely more than its own region
            # (a 500 km search from Vancouver: 13 % faster).
            models.Index(
                fields=["condition", "lng", "lat"], include=COVERED, name="match_entry_geo"
            ),
            # A search without one: the condition, one row per practitioner.
            models.Index(
                fields=["condition"],
                include=COVERED,
                condition=Q(is_first=True),
                name="match_entry_first",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "condition", "location"],
                name="match_entry_one_per_clinic_condition",
            ),
        ]

    def __str__(self) -> str:
        return f"Match entry of practitioner #{self.practitioner_id}"
