from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from config.docs import api_docs
from directory.apis.root import ApiRootApi
from directory.health import healthz

api_v1 = [
    path("", include("directory.apis.accounts")),
    path("", include("directory.apis.me")),
    path("", include("directory.apis.credentials")),
    path("", include("directory.apis.moderation")),
    path("", include("directory.apis.directory")),
    path("", include("directory.apis.reviews")),
    path("", include("directory.apis.referrals")),
    path("", include("matching.urls")),
]

# JSON under /api/, the site's pages elsewhere.
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", ApiRootApi.as_view(), name="api-root"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="docs"),
    # The bulk export first: its $export URLs must win over the read API's patterns.
    path("fhir/", include("interop.export_urls")),
    path("fhir/", include("interop.urls")),
    path("", include(("web.urls", "web"), namespace="web")),
]
