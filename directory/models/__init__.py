from directory.models.accounts import Role, User
from directory.models.conditions import Condition
from directory.models.credentials import Credential, CredentialKind, CredentialStatus
from directory.models.practitioners import (
    ConditionExperience,
    Location,
    PhysicianProfile,
    PractitionerProfile,
    Profession,
)

__all__ = [
    "Condition",
    "ConditionExperience",
    "Credential",
    "CredentialKind",
    "CredentialStatus",
    "Location",
    "PhysicianProfile",
    "PractitionerProfile",
    "Profession",
    "Role",
    "User",
]
