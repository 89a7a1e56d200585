import pytest

from directory.models import Condition


@pytest.mark.django_db
def test_condition_taxonomy_is_seeded_by_migration():
    assert Condition.objects.count() == 12
    assert Condition.objects.get(slug="sciatica").synonyms == [
        "lumbar radiculopathy",
        "sciatic nerve pain",
        "sciatic pain",
        "pain down the leg",
    ]
