"""What the public sees of a practitioner, shaped once for every reader: the directory API
(GET /practitioners/{id}/) and the server-rendered profile page both build on these, so a
field kept from the public is kept from it at both doors.

The selectors choose the rows (active practitioners, credentials not withdrawn); these
functions decide which of a row's facts are public and compute the ones that are derived.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime

from directory.models import Credential, CredentialStatus, PractitionerProfile
from directory.rules import credential_status


@dataclass(frozen=True)
class PublicCredential:
    """A credential as the public sees it: never the evidence file or the moderator's note.
    `status` may be "expired", computed by directory.rules; `verified_at` is set only while
    the credential is verified. Fields in the API's order."""

    id: int
    kind: str
    issuer: str
    number: str
    profession: str
    jurisdiction: str
    needling_authorized: bool
    title: str
    issued_on: date | None
    expires_on: date | None
    status: str
    verified_at: datetime | None


PUBLIC_CREDENTIAL_FIELDS = tuple(field.name for field in fields(PublicCredential))
# The facts copied as stored; the last two are derived below.
_STORED_CREDENTIAL_FIELDS = PUBLIC_CREDENTIAL_FIELDS[:-2]


def public_credential(credential: Credential, *, today: date) -> PublicCredential:
    verified = credential.status == CredentialStatus.VERIFIED
    return PublicCredential(
        **{name: getattr(credential, name) for name in _STORED_CREDENTIAL_FIELDS},
        status=credential_status(credential, today=today),
        verified_at=credential.reviewed_at if verified else None,
    )


RATING_AVERAGES = ("overall", "communication", "comfort", "would_recommend_share")


def practitioner_ratings(practitioner: PractitionerProfile) -> dict:
    """Plain averages of the live reviews, from the maintained figures (`stats`, selected
    with the profile); all None with no review."""
    stats = getattr(practitioner, "stats", None)
    count = stats.reviews_verified + stats.reviews_unverified if stats else 0
    if not count:
        return dict.fromkeys(RATING_AVERAGES) | {"count": 0, "verified_count": 0}

    def mean(total: int) -> float:
        return round(total / count, 2)

    return {
        "count": count,
        "verified_count": stats.reviews_verified,
        "overall": mean(stats.overall_sum),
        "communication": mean(
            stats.communication_verified_sum + stats.communication_unverified_sum
        ),
        "comfort": mean(stats.comfort_verified_sum + stats.comfort_unverified_sum),
        "would_recommend_share": mean(stats.recommend_verified + stats.recommend_unverified),
    }
