"""A multipart body with no parts is a 400, never read as "no fields" (issue 10.7): it is what
a client's encoder makes of a body it could not encode, and where every field is optional
(flag, remove) it would otherwise pass as an empty request."""

import pytest

from directory.models import Review, ReviewFlag
from directory.parsers import EMPTY_MULTIPART_MESSAGE
from tests.conftest import client_for
from tests.directory.test_reviews import make_review
from tests.factories import ModeratorFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

NO_PARTS = b"--BoUnDaRy--\r\n"
MULTIPART = "multipart/form-data; boundary=BoUnDaRy"


@pytest.fixture
def review() -> Review:
    return make_review(PractitionerFactory())


def post_no_parts(client, url: str):
    return client.generic("POST", url, NO_PARTS, content_type=MULTIPART)


def test_flag_with_a_multipart_body_of_no_parts_is_a_400(review):
    response = post_no_parts(client_for(UserFactory()), f"/api/v1/reviews/{review.pk}/flag/")

    assert response.status_code == 400
    assert response.json() == {"detail": EMPTY_MULTIPART_MESSAGE}
    assert not ReviewFlag.objects.exists()


def test_remove_with_a_multipart_body_of_no_parts_is_a_400(review):
    url = f"/api/v1/moderation/reviews/{review.pk}/remove/"

    response = post_no_parts(client_for(ModeratorFactory()), url)

    assert response.status_code == 400
    assert response.json() == {"detail": EMPTY_MULTIPART_MESSAGE}
    review.refresh_from_db()
    assert review.removed_at is None


def test_flag_with_multipart_fields_still_works(review):
    response = client_for(UserFactory()).post(
        f"/api/v1/reviews/{review.pk}/flag/", {"reason": "Spam."}, format="multipart"
    )

    assert response.status_code == 201
    assert ReviewFlag.objects.get().reason == "Spam."


def test_flag_without_a_body_still_works(review):
    response = client_for(UserFactory()).post(f"/api/v1/reviews/{review.pk}/flag/")

    assert response.status_code == 201
    assert ReviewFlag.objects.get().reason == ""
