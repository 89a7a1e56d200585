"""How the admin shows people and times, on every page: a person as their name beside their
e-mail, a time in the site's zone (settings.TIME_ZONE) with the zone named.

Django shows a model's datetime field in local time but without the zone, and the value of a
display method on a change page as the raw (UTC) `str()`; these columns are the one way the
admin writes a time, so a list and a record never disagree.
"""

from collections.abc import Callable
from datetime import datetime
from operator import attrgetter

from django.contrib import admin
from django.utils import timezone

from directory.models import User

LOCAL_TIME_FORMAT = "%Y-%m-%d %H:%M %Z"  # 2026-12-01 17:03 PST
REVIEW_TEXT_SHOWN = 80  # characters of a review's text in the list


def person(user: User | None) -> str:
    """ "Dana Lee <dana@example.org>"; the e-mail alone when there is no name."""
    if user is None:
        return "—"
    return f"{user.name} <{user.email}>" if user.name.strip() else user.email


def local_time(value: datetime | None) -> str:
    return "—" if value is None else timezone.localtime(value).strftime(LOCAL_TIME_FORMAT)


def shortened(text: str, limit: int = REVIEW_TEXT_SHOWN) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def person_column(path: str, description: str) -> Callable:
    """A column for the user at `path` ("owner", "physician.user"), sorted by name."""
    read = attrgetter(path)

    @admin.display(description=description, ordering=f"{path.replace('.', '__')}__name")
    def column(model_admin, row) -> str:
        return person(read(row))

    return column


def time_column(field: str, description: str) -> Callable:
    """A column for the datetime `field`, in local time with the zone."""

    @admin.display(description=description, ordering=field)
    def column(model_admin, row) -> str:
        return local_time(getattr(row, field))

    return column
