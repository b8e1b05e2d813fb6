"""Manager pages (outbox, templates, tomorrow's preview), the call list, the unsubscribe page."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from messaging.forms import OutboxFilterForm, TemplateFilterForm, TemplateVersionForm
from messaging.hooks import cycle_last_completed_date
from messaging.models import Message, MessageTemplateVersion
from messaging.rendering import CONTEXT_DOC, TemplateRenderError
from messaging.selectors import call_list as call_list_query
from messaging.selectors import message_queryset, outbox_counts, suppression_counts
from messaging.selectors import template_list as templates_query
from messaging.services.context import optout_message_id
from messaging.services.optout import consent_revoke
from messaging.services.preview import render_for_debt
from messaging.services.preview import tomorrow_preview as tomorrow_preview_build
from messaging.services.templates import template_problems, template_version_create
from portfolio.selectors import debt_queryset


def _page(request, queryset, size=50):
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "query": query.urlencode(),
    }


@manager_required
def outbox(request):
    """Today's outbox (or a chosen date): counts by channel and status, then the messages."""
    form = OutboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    day = filters.get("date") or business_today()
    day_qs = message_queryset(user=request.user).filter(business_date=day)
    listed = day_qs
    if filters.get("channel"):
        listed = listed.filter(channel=filters["channel"])
    if filters.get("status"):
        listed = listed.filter(status=filters["status"])
    if filters.get("template"):
        listed = listed.filter(template=filters["template"])
    if filters.get("q"):
        q = filters["q"].strip()
        listed = listed.filter(Q(to__icontains=q) | Q(suppression_rule__iexact=q))
    listed = listed.select_related("debtor", "creditor").order_by("planned_for", "id")
    counts = outbox_counts(queryset=day_qs)
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
        {
            "form": form,
            "day": day,
            "statuses": statuses,
            "channel_rows": channel_rows,
            "totals": [counts["totals"].get(s, 0) for s, _l in statuses],
            "total": counts["all"],
            "suppressions": suppression_counts(user=request.user, business_date=day),
            **_page(request, listed),
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
    day = (form.cleaned_data.get("date") if form.is_valid() else None) or business_today()
    calls = call_list_query(user=request.user, business_date=day)
    return render(request, "messaging/call_list.html", {"day": day, **_page(request, calls)})


@manager_required
def template_list(request):
    form = TemplateFilterForm(request.GET or None)
    qs = templates_query(user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("code"):
            qs = qs.filter(code__icontains=data["code"].strip())
        for name in ("channel", "language"):
            if data.get(name):
                qs = qs.filter(**{name: data[name]})
    return render(request, "messaging/template_list.html", {"form": form, **_page(request, qs)})


def _active_version(template):
    return template.versions.filter(is_active=True).order_by("-number").first()


def _preview_debt(request, debt_id):
    if not debt_id:
        return (
            debt_queryset(user=request.user)
            .select_related("debtor", "creditor", "assigned_to")
            .filter(stage__in=("friendly_reminder", "firm_notice", "pre_legal"))
            .first()
        )
    return (
        debt_queryset(user=request.user)
        .select_related("debtor", "creditor", "assigned_to")
        .filter(pk=debt_id)
        .first()
    )


def _preview(request, template, subject, body, debt_id):
    """(rendered, debt, error) for a draft text against a debt the user may see."""
    debt = _preview_debt(request, debt_id)
    if debt is None:
        return None, None, _("Choose a debt you may see to preview the message.")
    draft = MessageTemplateVersion(template=template, subject=subject or "", body=body or "")
    try:
        return render_for_debt(version=draft, debt=debt, as_of=business_today()), debt, None
    except TemplateRenderError as exc:
        return None, debt, _("The template does not compile: %(error)s") % {"error": exc}


@manager_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk):
    template = get_object_or_404(templates_query(user=request.user), pk=pk)
    current = _active_version(template)
    if request.method == "POST":
        form = TemplateVersionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = template_version_create(
                    template=template,
                    subject=data["subject"],
                    body=data["body"],
                    author=request.user,
                    change_note=data["change_note"],
                )
            except ApplicationError as exc:
                for field, errors in exc.extra.get("errors", {exc.field: [exc.message]}).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(
                    request,
                    _("Version %(n)s saved: it is used from now on.") % {"n": version.number},
                )
                return redirect("messaging:template-edit", pk=template.pk)
    else:
        form = TemplateVersionForm(
            initial={
                "subject": current.subject if current else "",
                "body": current.body if current else "",
            }
        )
    subject = form["subject"].value() or ""
    body = form["body"].value() or ""
    rendered, debt, preview_error = _preview(
        request, template, subject, body, request.GET.get("debt")
    )
    return render(
        request,
        "messaging/template_edit.html",
        {
            "template": template,
            "form": form,
            "current": current,
            "versions": template.versions.select_related("author").order_by("-number")[:20],
            "context_doc": CONTEXT_DOC,
            "rendered": rendered,
            "preview_debt": debt,
            "preview_error": preview_error,
        },
    )


@manager_required
@require_POST
def template_preview(request, pk):
    """htmx: render the draft in the form against a chosen debt, with its validation problems."""
    template = get_object_or_404(templates_query(user=request.user), pk=pk)
    subject = request.POST.get("subject", "")
    body = request.POST.get("body", "")
    raw_debt = request.POST.get("debt", "").strip()
    debt_id = int(raw_debt) if raw_debt.isdigit() and len(raw_debt) < 18 else None
    rendered, debt, error = _preview(request, template, subject, body, debt_id)
    if raw_debt and debt_id is None:
        rendered, debt, error = None, None, _("Choose a debt you may see to preview the message.")
    problems = template_problems(
        channel=template.channel, subject=subject, body=body, language=template.language
    )
    return render(
        request,
        "messaging/_template_preview.html",
        {
            "template": template,
            "rendered": rendered,
            "preview_debt": debt,
            "preview_error": error,
            "problems": [p for errors in problems.values() for p in errors],
        },
    )


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """No login: the signed link in a message; a confirmation step, then consent is revoked."""
    message_id = optout_message_id(token)
    message = (
        Message.objects.select_related("debtor", "creditor").filter(pk=message_id).first()
        if message_id
        else None
    )
    if message is None:
        raise Http404(_("This unsubscribe link is not valid."))
    done = False
    # RFC 8058 one-click posts `List-Unsubscribe=One-Click`; the page posts `confirm`.
    if request.method == "POST" and (
        request.POST.get("confirm") == "yes" or "List-Unsubscribe" in request.POST
    ):
        consent_revoke(
            debtor_id=message.debtor_id,
            channel=message.channel,
            value=message.to if message.channel != "letter" else None,
            note=f"unsubscribe link (message {message.pk})",
        )
        done = True
    return render(request, "messaging/unsubscribe.html", {"message": message, "done": done})
