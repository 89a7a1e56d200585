"""POST /api/v1/me/invitations/ and reviews verified by an invitation code."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from directory.models import Review, ReviewInvitation
from directory.services.invitations import invitation_issue
from directory.services.stats import stored_stats
from tests.conftest import client_for
from tests.directory.test_reviews import VALID, assert_figures_exact, iso, make_review, url
from tests.factories import ModeratorFactory, PhysicianFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

INVITATIONS = "/api/v1/me/invitations/"
T0 = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
CODE_SHAPE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")

UNKNOWN = (
    "This invitation code is not valid. Check it against the code your practitioner gave "
    "you (12 letters and digits, like K7QX-3M9P-2AZD), or submit without a code."
)
OTHER = (
    "This invitation code was issued by another practitioner; it can only verify a review "
    "of the practitioner who issued it."
)
USED = (
    "This invitation code has already been used; each code verifies one review. "
    "Ask your practitioner for a new one, or submit without a code."
)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


def issue(practitioner) -> str:
    return invitation_issue(practitioner=practitioner)[1]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_practitioner_gets_a_typeable_code_stored_only_as_its_hash(practitioner):
    with time_machine.travel(T0, tick=False):
        response = client_for(practitioner.user).post(INVITATIONS, {}, format="json")

    assert response.status_code == 201
    code = response.json()["code"]
    assert response.json() == {"code": code, "expires_at": iso(T0 + timedelta(days=60))}
    assert CODE_SHAPE.match(code)
    invitation = ReviewInvitation.objects.get()
    assert invitation.code_hash == sha256(code.replace("-", ""))
    assert (invitation.practitioner, invitation.used_at) == (practitioner, None)
    assert invitation.expires_at == T0 + timedelta(days=60)
    stored = [str(value) for row in ReviewInvitation.objects.values() for value in row.values()]
    raw = code.replace("-", "")
    assert not [value for value in stored if code in value or raw in value]


def test_an_empty_body_is_accepted_and_codes_differ(practitioner):
    client = client_for(practitioner.user)

    codes = {client.post(INVITATIONS).json()["code"] for _ in range(3)}

    assert len(codes) == 3
    assert ReviewInvitation.objects.filter(practitioner=practitioner).count() == 3


def test_invitation_lifetime_comes_from_the_setting(practitioner, settings):
    settings.INVITATION_TTL_DAYS = 5
    with time_machine.travel(T0, tick=False):
        response = client_for(practitioner.user).post(INVITATIONS)

    assert response.json()["expires_at"] == iso(T0 + timedelta(days=5))


def test_invitation_request_takes_no_field_but_email(practitioner):
    response = client_for(practitioner.user).post(
        INVITATIONS, {"expires_at": "2099-01-01T00:00:00Z"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"expires_at": ["Unknown field. Allowed fields: email."]}
    assert not ReviewInvitation.objects.exists()


@pytest.mark.parametrize(
    "make_user",
    [lambda: UserFactory(), lambda: PhysicianFactory().user, lambda: ModeratorFactory()],
    ids=["patient", "physician", "moderator"],
)
def test_only_practitioners_issue_invitations(make_user):
    response = client_for(make_user()).post(INVITATIONS, {}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only practitioner accounts have this."}
    assert not ReviewInvitation.objects.exists()


def test_anonymous_cannot_issue_invitations(api_client):
    response = api_client.post(INVITATIONS, {}, format="json")

    assert response.status_code == 401
    assert not ReviewInvitation.objects.exists()


def test_deactivated_practitioner_cannot_issue_invitations():
    practitioner = PractitionerFactory(is_active=False)

    response = client_for(practitioner.user).post(INVITATIONS, {}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "A deactivated practitioner profile cannot issue invitations."
    }
    assert not ReviewInvitation.objects.exists()


def test_a_practitioner_whose_account_is_closed_cannot_issue_invitations():
    # Not through the API (a closed account cannot sign in): the service is the boundary.
    practitioner = PractitionerFactory(user__is_active=False)

    with pytest.raises(PermissionDenied) as refusal:
        invitation_issue(practitioner=practitioner)

    assert str(refusal.value) == "A deactivated practitioner profile cannot issue invitations."
    assert not ReviewInvitation.objects.exists()


def test_invitations_are_throttled(practitioner, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] | {"invitations": "2/day"}
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {"DEFAULT_THROTTLE_RATES": rates}
    cache.clear()
    client = client_for(practitioner.user)

    statuses = [client.post(INVITATIONS).status_code for _ in range(3)]

    assert statuses == [201, 201, 429]
    assert ReviewInvitation.objects.count() == 2


@pytest.mark.parametrize("typed", ["as issued", "lower case with spaces"])
def test_valid_code_verifies_the_review_and_is_used_up(practitioner, patient, typed):
    with time_machine.travel(T0, tick=False):
        code = issue(practitioner)
    if typed != "as issued":
        code = code.lower().replace("-", " ")

    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        response = client_for(patient).post(
            url(practitioner.pk), VALID | {"invitation_code": code}, format="json"
        )

    assert response.status_code == 201
    assert response.json()["verified"] is True
    review = Review.objects.get()
    invitation = ReviewInvitation.objects.get()
    assert (review.verified, review.invitation) == (True, invitation)
    assert invitation.used_at == T0 + timedelta(days=1)
    assert_figures_exact()
    figures = stored_stats()[practitioner.pk]
    assert (figures["reviews_verified"], figures["reviews_unverified"]) == (1, 0)


def test_used_code_is_refused_and_nothing_changes(practitioner):
    code = issue(practitioner)
    first = make_review(practitioner, invitation_code=code)
    used_at = ReviewInvitation.objects.get().used_at
    other_patient = UserFactory()

    response = client_for(other_patient).post(
        url(practitioner.pk), VALID | {"invitation_code": code}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"invitation_code": [USED]}
    assert list(Review.objects.all()) == [first]
    assert ReviewInvitation.objects.get().used_at == used_at
    assert_figures_exact()


def test_expired_code_is_refused_and_nothing_is_written(practitioner, patient):
    with time_machine.travel(T0, tick=False):
        code = issue(practitioner)

    with time_machine.travel(T0 + timedelta(days=60, seconds=1), tick=False):
        response = client_for(patient).post(
            url(practitioner.pk), VALID | {"invitation_code": code}, format="json"
        )

    assert response.status_code == 400
    assert response.json() == {
        "invitation_code": [
            "This invitation code expired on 2030-04-30. Ask your practitioner for a new one, "
            "or submit without a code."
        ]
    }
    assert not Review.objects.exists()
    assert ReviewInvitation.objects.get().used_at is None
    assert_figures_exact()


def test_code_is_valid_until_just_before_it_expires(practitioner, patient):
    with time_machine.travel(T0, tick=False):
        code = issue(practitioner)

    with time_machine.travel(T0 + timedelta(days=60, seconds=-1), tick=False):
        response = client_for(patient).post(
            url(practitioner.pk), VALID | {"invitation_code": code}, format="json"
        )

    assert response.status_code == 201
    assert Review.objects.get().verified is True


def test_another_practitioners_code_is_refused(practitioner, patient):
    code = issue(PractitionerFactory())

    response = client_for(patient).post(
        url(practitioner.pk), VALID | {"invitation_code": code}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"invitation_code": [OTHER]}
    assert not Review.objects.exists()
    assert ReviewInvitation.objects.get().used_at is None


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN", "short", "O0O0-I1I1-L1L1", "x" * 41])
def test_unknown_or_malformed_code_is_refused(practitioner, patient, code):
    issue(practitioner)

    response = client_for(patient).post(
        url(practitioner.pk), VALID | {"invitation_code": code}, format="json"
    )

    assert response.status_code == 400
    if len(code) > 40:
        assert response.json() == {
            "invitation_code": ["Ensure this field has no more than 40 characters."]
        }
    else:
        assert response.json() == {"invitation_code": [UNKNOWN]}
    assert not Review.objects.exists()
    assert ReviewInvitation.objects.get().used_at is None


@pytest.mark.parametrize("code", ["", None])
def test_empty_code_means_no_code(practitioner, patient, code):
    response = client_for(patient).post(
        url(practitioner.pk), VALID | {"invitation_code": code}, format="json"
    )

    assert response.status_code == 201
    assert Review.objects.get().verified is False


def test_replacing_with_a_new_valid_code_verifies_the_review(practitioner, patient):
    review = make_review(practitioner, author=patient, overall=2)
    code = issue(practitioner)

    response = client_for(patient).post(
        url(practitioner.pk), VALID | {"invitation_code": code}, format="json"
    )

    assert response.status_code == 200
    review.refresh_from_db()
    assert (review.verified, review.invitation, review.overall) == (
        True,
        ReviewInvitation.objects.get(),
        4,
    )
    assert ReviewInvitation.objects.get().used_at is not None
    assert Review.objects.count() == 1
    assert_figures_exact()


def test_verified_review_stays_verified_when_replaced_without_or_with_its_own_code(
    practitioner, patient
):
    code = issue(practitioner)
    review = make_review(practitioner, author=patient, invitation_code=code)
    client = client_for(patient)

    without = client.post(url(practitioner.pk), VALID | {"overall": 1}, format="json")
    again = client.post(url(practitioner.pk), VALID | {"invitation_code": code}, format="json")

    assert (without.status_code, again.status_code) == (200, 200)
    assert (without.json()["verified"], again.json()["verified"]) == (True, True)
    review.refresh_from_db()
    assert (review.verified, review.invitation.code_hash) == (True, sha256(code.replace("-", "")))
    assert_figures_exact()


def test_verified_review_does_not_use_up_a_second_code(practitioner, patient):
    make_review(practitioner, author=patient, invitation_code=issue(practitioner))
    spare = issue(practitioner)

    response = client_for(patient).post(
        url(practitioner.pk), VALID | {"invitation_code": spare}, format="json"
    )

    assert response.status_code == 200
    spare_invitation = ReviewInvitation.objects.get(code_hash=sha256(spare.replace("-", "")))
    assert spare_invitation.used_at is None
    # The spare code still verifies another patient's review.
    assert make_review(practitioner, invitation_code=spare).verified is True
    assert_figures_exact()
