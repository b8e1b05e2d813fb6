"""The prescription alerts of the manager's creditors (unseen first), and marking them seen."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.decorators import manager_required
from core.roles import is_manager
from legal.services.alerts import alerts_for_user, alerts_mark_seen, unseen_alert_count

PAGE_SIZE = 50


@manager_required
@require_GET
def alert_list(request):
    paginator = Paginator(alerts_for_user(request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": list(page.object_list),
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": "",
        "unseen": unseen_alert_count(request.user),
    }
    return render(request, "legal/alerts.html", context)


@manager_required
@require_POST
def alert_mark_seen(request):
    ids = [int(v) for v in request.POST.getlist("alerts") if v.isdigit()]
    if request.POST.get("all"):
        ids = list(
            alerts_for_user(request.user).filter(seen_at__isnull=True).values_list("pk", flat=True)
        )
    count = alerts_mark_seen(user=request.user, alert_ids=ids)
    messages.success(request, _("%(count)s alerts marked as seen.") % {"count": count})
    return redirect("legal:alert-list")


@require_GET
def alert_badge(request):
    """The nav's count of unseen alerts (htmx: nothing for anyone who is not a manager)."""
    count = unseen_alert_count(request.user) if is_manager(request.user) else 0
    return render(request, "legal/_alert_badge.html", {"count": count})
