from core.roles import user_role


def roles(request):
    role = user_role(getattr(request, "user", None))
    return {
        "user_role": role,
        "is_manager_or_admin": role in ("admin", "manager"),
        # Scoped like a manager but works complaints only: their own navigation.
        "is_officer": role == "complaints_officer",
        # Outside counsel: the legal cases of their firms and nothing else.
        "is_lawyer": role == "lawyer",
    }
