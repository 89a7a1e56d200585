from django.urls import path

from matching.apis import MatchApi

urlpatterns = [
    path("match/", MatchApi.as_view(), name="match"),
]
