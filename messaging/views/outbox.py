"""Manager pages (the outbox, tomorrow's preview), the call list, the unsubscribe page."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.http import client_ip
from messaging.delivery import message_stuck, stuck_q
from messaging.forms.outbox import OutboxFilterForm
from messaging.hooks import cycle_last_completed_date
from messaging.models import Message
from messaging.selectors import call_list as call_list_query
from messaging.selectors import message_queryset, outbox_counts, suppression_counts
from messaging.services.context import optout_message_id
from messaging.services.optout import consent_revoke
from messaging.services.preview import tomorrow_preview as tomorrow_preview_build
from messaging.views.paging import page_context
from portfolio.models import DebtorDataAccess
from portfolio.services.data_access import debtor_data_access_record


def _contacts_seen(request, page, *, via: str, day) -> None:
    """The page lists messages' addresses (`to`): a view of those debtors' contact data."""
    debtor_data_access_record(
        user=request.user,
        debtor_ids=[m.debtor_id for m in page.object_list],
        data=DebtorDataAccess.Data.CONTACTS,
        via=via,
        ip_address=client_ip(request),
        purpose=f"{via} {day.isoformat()}",
    )


@manager_required
def outbox(request):
    """Today's outbox (or a chosen date): counts by channel and status, then the messages."""
    form = OutboxFilterForm(request.GET or None)
    invalid = form.is_bound and not form.is_valid()
    filters = {} if invalid else (form.cleaned_data if form.is_bound else {})
    day = filters.get("date") or business_today()
    day_qs = message_queryset(user=request.user).filter(business_date=day)
    # A filter that cannot be applied lists nothing rather than the whole day.
    listed = day_qs.none() if invalid else day_qs
    if filters.get("channel"):
        listed = listed.filter(channel=filters["channel"])
    if filters.get("status"):
        listed = listed.filter(status=filters["status"])
    if filters.get("template"):
        listed = listed.filter(template=filters["template"])
    if filters.get("q"):
        q = filters["q"].strip()
        listed = listed.filter(Q(to__icontains=q) | Q(suppression_rule__iexact=q))
    now = timezone.now()
    if filters.get("stuck"):
        listed = listed.filter(stuck_q(now=now))
    listed = listed.select_related("debtor", "creditor").order_by("planned_for", "id")
    counts = outbox_counts(queryset=day_qs)
    paging = page_context(request, listed)
    for m in paging["page"].object_list:
        m.stuck = message_stuck(m, now=now, country=m.debtor.country)
    _contacts_seen(request, paging["page"], via=DebtorDataAccess.Via.OUTBOX, day=day)
    statuses = list(Message.Status.choices)
    channel_rows = [
        {
            "channel": channel,
            "label": label,
            "cells": [counts["by_channel"].get(channel, {}).get(s, 0) for s, _l in statuses],
            "total": sum(counts["by_channel"].get(channel, {}).values()),
        }
        for channel, label in Message._meta.get_field("channel").choices
    ]
    return render(
        request,
        "messaging/outbox.html",
        status=400 if invalid else 200,
        context={
            "form": form,
            "day": day,
            "statuses": statuses,
            "channel_rows": channel_rows,
            "totals": [counts["totals"].get(s, 0) for s, _l in statuses],
            "total": counts["all"],
            "suppressions": suppression_counts(user=request.user, business_date=day),
            "stuck_count": day_qs.filter(stuck_q(now=now)).count(),
            **paging,
        },
    )


@manager_required
def tomorrow_preview(request):
    last = cycle_last_completed_date.call_one()
    day = (last or business_today()) + datetime.timedelta(days=1)
    try:
        preview = tomorrow_preview_build(user=request.user, business_date=day)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("messaging:outbox")
    return render(request, "messaging/tomorrow.html", {"preview": preview})


@login_required
def call_list(request):
    """The voice contacts handed to collectors for a date (a collector sees their own)."""
    form = OutboxFilterForm(request.GET or None)
    invalid = form.is_bound and not form.is_valid()
    day = (None if invalid or not form.is_bound else form.cleaned_data.get("date")) or (
        business_today()
    )
    calls = call_list_query(user=request.user, business_date=day)
    if invalid:
        calls = calls.none()
    paging = page_context(request, calls)
    _contacts_seen(request, paging["page"], via=DebtorDataAccess.Via.CALL_LIST, day=day)
    return render(
        request,
        "messaging/call_list.html",
        {"day": day, "form": form, **paging},
        status=400 if invalid else 200,
    )


# The signed token in the URL is what authorises the opt-out, not a session: there is no
# cookie to protect, and RFC 8058's one-click POST comes from the mail provider's server,
# which has no CSRF token. CSRF checking would only make the advertised one-click fail.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """No login: the signed link in a message; a confirmation step, then consent is revoked.

    GET only shows the question (mail scanners open links). A POST of the page's form, or an
    RFC 8058 one-click POST (`List-Unsubscribe=One-Click`), revokes the consent; again is a
    no-op that shows the same answer.
    """
    message_id = optout_message_id(token)
    message = (
        Message.objects.select_related("debtor", "creditor").filter(pk=message_id).first()
        if message_id
        else None
    )
    if message is None:
        raise Http404(_("This unsubscribe link is not valid."))
    done = False
    if request.method == "POST" and (
        request.POST.get("confirm") == "yes" or request.POST.get("List-Unsubscribe") == "One-Click"
    ):
        consent_revoke(
            debtor_id=message.debtor_id,
            channel=message.channel,
            value=message.to if message.channel != "letter" else None,
            note=f"unsubscribe link (message {message.pk})",
        )
        done = True
    return render(request, "messaging/unsubscribe.html", {"message": message, "done": done})
