"""Staff roles: Django groups `admin`, `manager`, `complaints_officer`, `collector`, `lawyer`.

Superusers count as admin. A complaints officer is scoped like a manager (the creditors granted
to them) but handles complaints only: they do not approve, escalate or manage collectors. A
lawyer is outside counsel: they see the legal cases handed to their law firm (legal app) and
nothing else.
"""

from django.contrib.auth.models import AnonymousUser

ADMIN = "admin"
MANAGER = "manager"
OFFICER = "complaints_officer"
COLLECTOR = "collector"
LAWYER = "lawyer"
ROLES = (ADMIN, MANAGER, OFFICER, COLLECTOR, LAWYER)


def user_role(user) -> str | None:
    """The strongest role the user holds, or None for users without a staff role."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMIN
    cached = getattr(user, "_cartera_role", False)
    if cached is not False:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    role = next((r for r in ROLES if r in names), None)
    user._cartera_role = role
    return role


def is_admin(user) -> bool:
    return user_role(user) == ADMIN


def is_manager(user) -> bool:
    return user_role(user) in (ADMIN, MANAGER)


def is_officer(user) -> bool:
    return user_role(user) == OFFICER


def handles_complaints(user) -> bool:
    """Admins, managers and complaints officers extend, close and report on complaints."""
    return user_role(user) in (ADMIN, MANAGER, OFFICER)


def is_collector(user) -> bool:
    return user_role(user) == COLLECTOR


def is_lawyer(user) -> bool:
    return user_role(user) == LAWYER
