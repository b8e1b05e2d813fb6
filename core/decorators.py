from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.roles import is_manager


def manager_required(view):
    """Logged-in managers and admins; collectors and others get a 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied(_("Only managers and administrators may open this page."))
        return view(request, *args, **kwargs)

    return wrapper
