from rest_framework.permissions import BasePermission

from directory.models import Role


class IsModerator(BasePermission):
    message = "Only moderators (staff) may do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


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
