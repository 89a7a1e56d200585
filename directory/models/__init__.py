from directory.models.accounts import Role, User
from directory.models.conditions import Condition
from directory.models.credentials import Credential, CredentialKind, CredentialStatus
from directory.models.match_index import MatchEntry
from directory.models.outbox import NON_ESSENTIAL_KINDS, MessageKind, OutboundEmail
from directory.models.practitioners import (
    ConditionExperience,
    Location,
    PhysicianProfile,
    PractitionerProfile,
    Profession,
)
from directory.models.referrals import (
    REFERRAL_OPEN_STATUSES,
    Referral,
    ReferralAuditLog,
    ReferralOutcome,
    ReferralStatus,
)
from directory.models.reviews import Review, ReviewFlag, ReviewInvitation
from directory.models.stats import ConditionReferralStats, PractitionerStats

__all__ = [
    "NON_ESSENTIAL_KINDS",
    "MessageKind",
    "OutboundEmail",
    "REFERRAL_OPEN_STATUSES",
    "Condition",
    "ConditionReferralStats",
    "PractitionerStats",
    "Referral",
    "ReferralAuditLog",
    "ReferralOutcome",
    "ReferralStatus",
    "Review",
    "ReviewFlag",
    "ReviewInvitation",
    "ConditionExperience",
    "Credential",
    "CredentialKind",
    "CredentialStatus",
    "Location",
    "MatchEntry",
    "PhysicianProfile",
    "PractitionerProfile",
    "Profession",
    "Role",
    "User",
]
