"""factory_boy factories shared by every test module."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from directory.models import (
    Condition,
    ConditionExperience,
    Credential,
    CredentialKind,
    CredentialStatus,
    Location,
    PhysicianProfile,
    PractitionerProfile,
    Profession,
    Role,
    User,
)
from directory.services.changes import practitioner_changed
from directory.services.stats import stats_credentials_changed

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    name = factory.Faker("name")
    role = Role.PATIENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ModeratorFactory(UserFactory):
    is_staff = True


class PractitionerFactory(factory.django.DjangoModelFactory):
    """A practitioner profile, unqualified until it has credentials (`qualified_practitioner`)."""

    class Meta:
        model = PractitionerProfile

    user = factory.SubFactory(UserFactory, role=Role.PRACTITIONER)
    profession = Profession.PHYSIOTHERAPIST
    languages = ",en,"
    accepting_new_patients = True


class PhysicianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhysicianProfile

    user = factory.SubFactory(UserFactory, role=Role.PHYSICIAN)


class _IndexedFactory(factory.django.DjangoModelFactory):
    """A practitioner's clinic or experience, with their match index rows kept right (as
    the services keep them), so that matching sees it."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def _index(obj, create, extracted, **kwargs):
        if create:
            practitioner_changed(practitioner_id=obj.practitioner_id)


class LocationFactory(_IndexedFactory):
    class Meta:
        model = Location
        skip_postgeneration_save = True

    practitioner = factory.SubFactory(PractitionerFactory)
    name = factory.Sequence(lambda n: f"Clinic {n}")
    address = "100 Main St"
    city = "Vancouver"
    region = "BC"
    postal_code = "V6B 1A1"
    country = "CA"
    lat = 49.2827
    lng = -123.1207


class CredentialFactory(factory.django.DjangoModelFactory):
    """A credential, with its owner's maintained credential facts kept right (as the
    services keep them), so that the ranking's gate sees it."""

    class Meta:
        model = Credential
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory, role=Role.PRACTITIONER)
    kind = CredentialKind.LICENSE
    issuer = "College of Physical Therapists of British Columbia"
    number = factory.Sequence(lambda n: f"PT{n:05d}")
    issued_on = date(2015, 1, 1)
    expires_on = factory.LazyFunction(lambda: date.today() + timedelta(days=365))
    profession = Profession.PHYSIOTHERAPIST
    jurisdiction = "CA-BC"
    needling_authorized = True
    status = CredentialStatus.PENDING

    class Params:
        verified = factory.Trait(
            status=CredentialStatus.VERIFIED,
            reviewed_by=factory.SubFactory(ModeratorFactory),
            reviewed_at=factory.LazyFunction(timezone.now),
        )
        rejected = factory.Trait(
            status=CredentialStatus.REJECTED,
            reviewed_by=factory.SubFactory(ModeratorFactory),
            reviewed_at=factory.LazyFunction(timezone.now),
            note="Number not on the regulator's register.",
        )
        ims = factory.Trait(
            kind=CredentialKind.IMS_CERTIFICATION,
            issuer="Institute for the Study and Treatment of Pain (iSTOP)",
            expires_on=None,
            profession="",
            jurisdiction="",
            needling_authorized=False,
        )
        training = factory.Trait(
            kind=CredentialKind.TRAINING,
            issuer="Canadian Physiotherapy Association",
            title="Advanced needling course",
            expires_on=None,
            profession="",
            jurisdiction="",
            needling_authorized=False,
        )

    @factory.post_generation
    def _facts(obj, create, extracted, **kwargs):
        if create:
            stats_credentials_changed(owner_id=obj.owner_id)


class ExperienceFactory(_IndexedFactory):
    class Meta:
        model = ConditionExperience
        skip_postgeneration_save = True

    practitioner = factory.SubFactory(PractitionerFactory)
    condition = factory.LazyFunction(lambda: Condition.objects.get(slug="sciatica"))
    years = 5
    patients_treated = 100


def qualified_practitioner(**kwargs) -> PractitionerProfile:
    """A practitioner with a verified licence and a verified IMS certification."""
    practitioner = PractitionerFactory(**kwargs)
    CredentialFactory(owner=practitioner.user, verified=True)
    CredentialFactory(owner=practitioner.user, verified=True, ims=True)
    return practitioner
