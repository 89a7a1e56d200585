"""The bulk export's URLs, mounted under /fhir/ before the read API's (README, "FHIR bulk
export")."""

from django.urls import path

from interop.export_apis import ExportFileApi, ExportKickoffApi, ExportStatusApi

urlpatterns = [
    path("$export", ExportKickoffApi.as_view(), name="fhir-export"),
    path("$export-status/<uuid:job_id>", ExportStatusApi.as_view(), name="fhir-export-status"),
    path(
        "$export-files/<uuid:job_id>/<str:name>",
        ExportFileApi.as_view(),
        name="fhir-export-file",
    ),
]
