"""The site's front door: `/` sends each role to the page its work starts on."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from core.roles import ADMIN, COLLECTOR, LAWYER, MANAGER, OFFICER, user_role

# Where each role's day starts: collectors work their queue, managers and administrators
# read the dashboard, complaints officers their complaints, lawyers their legal cases. A user
# without a staff role sees the debt list (scoped to nothing).
START_PAGES = {
    COLLECTOR: "collections:queue",
    MANAGER: "analytics:dashboard",
    ADMIN: "analytics:dashboard",
    OFFICER: "complaints:queue",
    LAWYER: "legal:workspace",
}
DEFAULT_START_PAGE = "portfolio:debt-list"


def start_page(user) -> str:
    """The URL name of the user's start page."""
    return START_PAGES.get(user_role(user), DEFAULT_START_PAGE)


@login_required
@require_GET
def home(request):
    """`/` and the page after signing in: the start page of the user's role."""
    return redirect(start_page(request.user))
