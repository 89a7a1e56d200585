from rest_framework.permissions import BasePermission

from directory.models import Role


class IsModerator(BasePermission):
    """Who a moderator is: User.is_moderator, asked by the admin's moderation pages too."""

    message = "Only moderators (staff) may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_moderator)


class IsPractitioner(BasePermission):
    message = "Only practitioner accounts have this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.role == Role.PRACTITIONER
            and hasattr(user, "practitioner")
        )
