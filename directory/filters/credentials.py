import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from directory.models import Credential, CredentialStatus
from directory.rules import EXPIRED, credential_status_expression

# The statuses a reader sees (directory.rules.credential_status): the stored three plus
# the computed "expired". Plain values, no labels: the OpenAPI enum for this set is then
# the same one whichever serializer shows a credential's status.
CREDENTIAL_STATUS_VALUES = [*CredentialStatus.values, EXPIRED]

STATUS_CHOICE_MESSAGE = (
    f'"%(value)s" is not a credential status; allowed: {", ".join(CREDENTIAL_STATUS_VALUES)}.'
)


class CredentialModerationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[(value, value) for value in CREDENTIAL_STATUS_VALUES],
        method="filter_status",
        error_messages={"invalid_choice": STATUS_CHOICE_MESSAGE},
    )

    class Meta:
        model = Credential
        fields = ["status"]

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # "verified" means verified as readers see it: an expired licence is not included.
        expression = credential_status_expression(today=timezone.localdate())
        return queryset.alias(reported_status=expression).filter(reported_status=value)
