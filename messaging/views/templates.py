"""Manager pages for message templates: the list, the editor with its versions, a live preview."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from messaging.forms.templates import TemplateFilterForm, TemplateVersionForm
from messaging.models import MessageTemplateVersion
from messaging.rendering import CONTEXT_DOC, TemplateRenderError
from messaging.selectors import template_list as templates_query
from messaging.services.preview import render_for_debt
from messaging.services.templates import template_problems, template_version_create
from messaging.views.paging import page_context
from portfolio.selectors import debt_queryset


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
    return render(
        request, "messaging/template_list.html", {"form": form, **page_context(request, qs)}
    )


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
