from core.roles import user_role


def roles(request):
    role = user_role(getattr(request, "user", None))
    return {"user_role": role, "is_manager_or_admin": role in ("admin", "manager")}
