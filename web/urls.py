"""Server-rendered pages (SPEC §6). Each page module exposes `urlpatterns`."""

from django.urls import include, path

urlpatterns = [
    path("", include("web.views.search")),
    path("", include("web.views.profiles")),
    path("", include("web.views.accounts")),
    path("", include("web.views.dashboards")),
]
