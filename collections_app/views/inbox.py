"""The team inbox: what debtors wrote back, their threads, and what staff do with them.

A collector sees the inbound of their cases, a manager their creditors' and the unmatched; an
inbound the user may not see is a 404, like one that does not exist. Every action is a POST
the services record (who, when).
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from collections_app.forms.inbox import (
    InboundAssignForm,
    InboundMatchForm,
    InboundReplyForm,
    InboxFilterForm,
)
from collections_app.services.workspace import collectors_queryset
from core.exceptions import ApplicationError
from core.http import client_ip
from core.paging import list_page, list_query
from core.roles import ADMIN, MANAGER, user_role
from messaging.models import InboundStatus
from messaging.selectors.inbound import (
    inbound_candidates,
    inbound_get,
    inbound_thread,
    inbox_list,
    inbox_unread_count,
)
from messaging.services.inbox import (
    HANDLED_REPLIED,
    inbound_assign,
    inbound_mark_handled,
    inbound_mark_read,
    inbound_match,
    inbound_reopen,
    inbound_reply,
    reply_allowed,
)
from portfolio.models import DebtorDataAccess
from portfolio.services.data_access import debtor_data_access_record

PAGE_SIZE = 25


def _contacts_seen(request, debtor_ids, *, purpose: str) -> None:
    """The inbox shows debtors' phone numbers and e-mail addresses: a view of their contacts."""
    debtor_data_access_record(
        user=request.user,
        debtor_ids=[pk for pk in debtor_ids if pk],
        data=DebtorDataAccess.Data.CONTACTS,
        via=DebtorDataAccess.Via.INBOX,
        ip_address=client_ip(request),
        purpose=purpose[:100],
    )


def _staff(request) -> str:
    role = user_role(request.user)
    if role is None:
        raise PermissionDenied(_("Only staff may open the inbox."))
    return role


@login_required
@require_GET
def inbox_view(request):
    """The team inbox, newest first, with its filters."""
    role = _staff(request)
    may_triage = role in (ADMIN, MANAGER)
    query = list_query(request)
    form = InboxFilterForm(
        query or None,
        collectors=collectors_queryset() if may_triage else (),
        may_triage=may_triage,
    )
    rows = inbox_list(user=request.user, filters=form.filters())
    context = list_page(request, form=form, queryset=rows, query=query, size=PAGE_SIZE)
    _contacts_seen(request, {item.debtor_id for item in context["rows"]}, purpose="inbox")
    context["unread"] = inbox_unread_count(user=request.user)
    return render(
        request,
        "collections_app/inbox/list.html",
        context,
        status=400 if context["invalid"] else 200,
    )


@login_required
@require_GET
def inbox_badge_view(request):
    """The navigation's unread count (loaded after the page, so no page pays its query)."""
    count = inbox_unread_count(user=request.user) if user_role(request.user) else 0
    return render(request, "collections_app/inbox/_badge.html", {"count": count})


def _inbound_or_404(request, pk):
    _staff(request)
    inbound = inbound_get(user=request.user, pk=pk)
    if inbound is None:
        raise Http404
    return inbound


def _detail(request, inbound, *, reply_form=None, status=200):
    role = user_role(request.user)
    manages = role in (ADMIN, MANAGER)
    now = timezone.now()
    refused = reply_allowed(inbound=inbound, at=now)
    if reply_form is None and not refused:
        reply_form = InboundReplyForm(
            channel=inbound.channel, initial={"key": secrets.token_urlsafe(16)}
        )
    unmatched = inbound.debtor_id is None
    candidates = (
        inbound_candidates(user=request.user, inbound=inbound) if manages and unmatched else []
    )
    _contacts_seen(
        request,
        {inbound.debtor_id, *(d.pk for d in candidates)},
        purpose=f"inbox {inbound.pk}",
    )
    return render(
        request,
        "collections_app/inbox/detail.html",
        {
            "inbound": inbound,
            "thread": inbound_thread(inbound=inbound),
            "reply_form": None if refused else reply_form,
            "reply_refused": refused,
            "assign_form": InboundAssignForm(
                collectors=collectors_queryset(), initial={"collector": inbound.assigned_to_id}
            )
            if manages and inbound.debtor_id
            else None,
            "match_form": InboundMatchForm(candidates=candidates) if candidates else None,
            "may_complain": inbound.debtor_id is not None and inbound.complaint_id is None,
            "statuses": InboundStatus,
        },
        status=status,
    )


@login_required
@require_GET
def inbound_detail_view(request, pk):
    """One inbound and its thread (what we sent and what came back, in order), with actions."""
    return _detail(request, _inbound_or_404(request, pk))


def _back(inbound):
    return redirect(reverse("collections:inbound-detail", args=[inbound.pk]))


def _act(request, pk, action, done: str, **kwargs):
    inbound = _inbound_or_404(request, pk)
    try:
        action(inbound=inbound, actor=request.user, **kwargs)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _detail(request, inbound, status=400)
    messages.success(request, done)
    if request.POST.get("next") == "inbox":
        return redirect("collections:inbox")
    return _back(inbound)


@login_required
@require_POST
def inbound_read_view(request, pk):
    return _act(request, pk, inbound_mark_read, _("Marked as read."))


@login_required
@require_POST
def inbound_handled_view(request, pk):
    return _act(request, pk, inbound_mark_handled, _("Marked as handled."))


@login_required
@require_POST
def inbound_reopen_view(request, pk):
    return _act(request, pk, inbound_reopen, _("Back in the inbox."))


@login_required
@require_POST
def inbound_assign_view(request, pk):
    inbound = _inbound_or_404(request, pk)
    form = InboundAssignForm(request.POST, collectors=collectors_queryset())
    if not form.is_valid():
        messages.error(request, _("Choose a collector."))
        return _detail(request, inbound, status=400)
    collector = form.cleaned_data["collector"]
    return _act(
        request,
        pk,
        inbound_assign,
        _("Assigned to %(name)s.") % {"name": collector.get_full_name() or collector.username}
        if collector
        else _("Unassigned."),
        collector=collector,
    )


@login_required
@require_POST
def inbound_match_view(request, pk):
    inbound = _inbound_or_404(request, pk)
    candidates = inbound_candidates(user=request.user, inbound=inbound)
    form = InboundMatchForm(request.POST, candidates=candidates)
    if not form.is_valid():
        messages.error(request, _("Choose one of the debtors this address belongs to."))
        return _detail(request, inbound, status=400)
    debtor = next(d for d in candidates if d.pk == form.cleaned_data["debtor"])
    return _act(
        request,
        pk,
        inbound_match,
        _("Matched to %(name)s.") % {"name": debtor.full_name},
        debtor=debtor,
    )


@login_required
@require_POST
def inbound_reply_view(request, pk):
    """Answer in free text through the outbox (WhatsApp: inside the 24-hour window only)."""
    inbound = _inbound_or_404(request, pk)
    form = InboundReplyForm(request.POST, channel=inbound.channel)
    if form.is_valid():
        data = form.cleaned_data
        try:
            message = inbound_reply(
                inbound=inbound,
                actor=request.user,
                text=data["text"],
                subject=data.get("subject") or "",
                key=data["key"],
                at=timezone.now(),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            if message.status in ("sent", "delivered"):
                inbound_mark_handled(inbound=inbound, actor=request.user, note=HANDLED_REPLIED)
                messages.success(request, _("Reply sent."))
            elif message.status == "planned":
                messages.info(request, _("Reply queued: it is sent as soon as the channel allows."))
            else:
                messages.error(
                    request,
                    _("The reply was not sent (%(status)s): %(reason)s")
                    % {
                        "status": message.get_status_display(),
                        "reason": message.suppression_display or message.last_error,
                    },
                )
            return _back(inbound)
    return _detail(request, inbound, reply_form=form, status=400)
