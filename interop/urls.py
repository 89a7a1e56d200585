"""/fhir/: the CapabilityStatement, our CodeSystems, and a search and a read per resource
type. Anything else under /fhir/ is a FHIR 404 (config.errors)."""

from django.urls import path, re_path

from interop.apis import CodeSystemApi, MetadataApi, ReadApi, SearchApi
from interop.resources import RESOURCE_TYPES

# FHIR's id: 1..64 of letters, digits, "-" and "."; a well-formed id that names nothing is
# a 404 OperationOutcome from the view.
FHIR_ID = r"(?P<id>[A-Za-z0-9\-.]{1,64})"

urlpatterns = [
    path("metadata", MetadataApi.as_view(), name="fhir-metadata"),
    re_path(r"^CodeSystem/(?P<name>[A-Za-z0-9\-.]{1,64})$", CodeSystemApi.as_view()),
]
for resource_type in RESOURCE_TYPES:
    urlpatterns += [
        re_path(
            rf"^{resource_type}/?$",
            SearchApi.as_view(resource_type=resource_type),
            name=f"fhir-{resource_type}-search",
        ),
        re_path(
            rf"^{resource_type}/{FHIR_ID}$",
            ReadApi.as_view(resource_type=resource_type),
            name=f"fhir-{resource_type}-read",
        ),
    ]
