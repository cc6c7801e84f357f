from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsProgramStaff(BasePermission):
    """Outreach workers and managers of a program; funders and administrators are refused."""

    message = _("Only outreach staff and managers of a program may use this part of the API.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_program_staff)


class IsReportReader(BasePermission):
    """Managers and funders: the report runs (each sees only their own, by the selector)."""

    message = _("Only managers and funders may read reports.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_manager or user.is_funder))
