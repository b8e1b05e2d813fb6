"""Manager pages for message templates: the list, the editor with its versions, a live preview.

A creditor's managers see the texts in force for each of their creditors (its own, else the
shipped default) and edit them for that creditor only; administrators also edit the defaults.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.roles import is_admin
from messaging.forms.templates import (
    ApprovalForm,
    ProviderTemplateForm,
    TemplateFilterForm,
    TemplateVersionForm,
)
from messaging.models import MessageTemplateVersion
from messaging.rendering import CONTEXT_DOC, TemplateRenderError
from messaging.selectors import (
    template_for_creditor,
    template_queryset,
    template_version_queryset,
)
from messaging.selectors import template_list as templates_query
from messaging.services.preview import render_for_debt
from messaging.services.template_approval import (
    ACTION_LABELS,
    PROVIDER_CHANNELS,
    may_manage_provider_template,
    template_version_approval,
    template_version_provider_set,
)
from messaging.services.templates import template_problems, template_version_create
from messaging.services.whatsapp import VARIABLE_NAMES, suggested_variables
from messaging.views.paging import page_context
from portfolio.selectors import creditor_list, debt_queryset


def _creditors(user):
    return creditor_list(user=user).order_by("name")


def _parse_id(raw) -> int | None:
    """A row id typed into a form or a query string, or None if it is not one."""
    raw = str(raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 18 else None


@manager_required
def template_list(request):
    creditors = _creditors(request.user)
    admin = is_admin(request.user)
    form = TemplateFilterForm(request.GET or None, creditors=creditors, allow_default=admin)
    data = form.cleaned_data if form.is_valid() else {}
    creditor = data.get("creditor")
    if creditor is None and not admin:
        creditor = creditors.first()
    qs = templates_query(user=request.user, creditor=creditor)
    if data.get("code"):
        qs = qs.filter(code__icontains=data["code"].strip())
    for name in ("channel", "language"):
        if data.get(name):
            qs = qs.filter(**{name: data[name]})
    return render(
        request,
        "messaging/template_list.html",
        {"form": form, "creditor": creditor, **page_context(request, qs)},
    )


def _active_version(template):
    return template.versions.filter(is_active=True).order_by("-number").first()


def _preview_debt(request, debt_id, creditor_id):
    debts = debt_queryset(user=request.user).select_related("debtor", "creditor", "assigned_to")
    if creditor_id:  # a creditor's text is previewed with that creditor's debts
        debts = debts.filter(creditor_id=creditor_id)
    if not debt_id:
        return debts.filter(stage__in=("friendly_reminder", "firm_notice", "pre_legal")).first()
    return debts.filter(pk=debt_id).first()


def _preview(request, template, subject, body, debt_id, creditor_id):
    """(rendered, debt, error) for a draft text against a debt the user may see."""
    debt = _preview_debt(request, debt_id, creditor_id)
    if debt is None:
        return None, None, _("Choose a debt you may see to preview the message.")
    draft = MessageTemplateVersion(template=template, subject=subject or "", body=body or "")
    try:
        return render_for_debt(version=draft, debt=debt, as_of=business_today()), debt, None
    except TemplateRenderError as exc:
        return None, debt, _("The template does not compile: %(error)s") % {"error": exc}


def _version_form(request, template, data=None, initial=None):
    """The editor's form; a shipped default also asks for which creditor the text is."""
    if template.creditor_id is not None:
        return TemplateVersionForm(data, initial=initial)
    creditors = _creditors(request.user)
    return TemplateVersionForm(
        data, initial=initial, creditors=creditors, allow_default=is_admin(request.user)
    )


def _chosen_creditor(request, template):
    """The creditor asked for in ?creditor= when opening a default, if the user manages it."""
    wanted = _parse_id(request.GET.get("creditor"))
    if template.creditor_id is not None or wanted is None:
        return None
    return _creditors(request.user).filter(pk=wanted).first()


def _text_creditor_id(template, form):
    """Whose text the page shows: the template's owner, or the creditor picked in the form."""
    if template.creditor_id is not None or "creditor" not in form.fields:
        return template.creditor_id
    return _parse_id(form["creditor"].value())


@manager_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk):
    template = get_object_or_404(template_queryset(user=request.user), pk=pk)
    current = _active_version(template)
    if request.method == "POST":
        form = _version_form(request, template, data=request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = template_version_create(
                    template=template,
                    user=request.user,
                    creditor=data.get("creditor"),
                    subject=data["subject"],
                    body=data["body"],
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
                return redirect("messaging:template-edit", pk=version.template_id)
    else:
        creditor = _chosen_creditor(request, template)
        own = creditor and template_for_creditor(
            user=request.user, template=template, creditor=creditor
        )
        if own:  # the creditor already has its own text: edit that one
            url = reverse("messaging:template-edit", args=[own.pk])
            debt = request.GET.get("debt", "")
            return redirect(f"{url}?{urlencode({'debt': debt})}" if debt else url)
        initial = {
            "subject": current.subject if current else "",
            "body": current.body if current else "",
            "creditor": creditor,
        }
        form = _version_form(request, template, initial=initial)
    return _edit_page(request, template, current, form)


def _provider_context(request, current, provider_form=None) -> dict:
    """The WhatsApp provider template panel of the version in force."""
    if current is None or current.template.channel not in PROVIDER_CHANNELS:
        return {}
    if provider_form is None:
        provider_form = ProviderTemplateForm(
            auto_id="provider_%s",
            initial={
                "provider_template_id": current.provider_template_id,
                # A version without a mapping yet: its placeholders in order, as a start.
                "provider_variables": ProviderTemplateForm.lines(
                    current.provider_variables or suggested_variables(current.body)
                ),
            },
        )
    may = may_manage_provider_template(user=request.user, version=current)
    actions = []
    if may:
        available = {t.name for t in current.get_available_approval_status_transitions()}
        actions = [(name, label) for name, label in ACTION_LABELS.items() if name in available]
    return {
        "provider_form": provider_form,
        "provider_may_manage": may,
        "approval_actions": actions,
        "approval_changes": current.approval_changes.select_related("changed_by")[:10],
        "variable_names": VARIABLE_NAMES,
    }


def _edit_page(request, template, current, form, *, provider_form=None, status=200):
    subject = form["subject"].value() or ""
    body = form["body"].value() or ""
    rendered, debt, preview_error = _preview(
        request,
        template,
        subject,
        body,
        _parse_id(request.GET.get("debt")),
        _text_creditor_id(template, form),
    )
    return render(
        request,
        "messaging/template_edit.html",
        {
            "template": template,
            "form": form,
            "current": current,
            "versions": template.versions.select_related("author", "approval_changed_by").order_by(
                "-number"
            )[:20],
            "context_doc": CONTEXT_DOC,
            "rendered": rendered,
            "preview_debt": debt,
            "preview_error": preview_error,
            **_provider_context(request, current, provider_form),
        },
        status=status,
    )


def _version_in_force(request, pk):
    """The template (in the user's scope) and its version in force, or a 404."""
    template = get_object_or_404(template_queryset(user=request.user), pk=pk)
    current = _active_version(template)
    if current is None:
        raise Http404
    return template, template_version_queryset(user=request.user).get(pk=current.pk)


@manager_required
@require_POST
def template_provider(request, pk):
    """Set the WhatsApp Content SID and variables of the version in force."""
    template, current = _version_in_force(request, pk)
    provider_form = ProviderTemplateForm(request.POST, auto_id="provider_%s")
    if provider_form.is_valid():
        data = provider_form.cleaned_data
        try:
            template_version_provider_set(
                version=current,
                user=request.user,
                provider_template_id=data["provider_template_id"],
                provider_variables=data["provider_variables"],
                note=data["note"],
            )
        except ApplicationError as exc:
            for field, errors in exc.extra.get("errors", {exc.field: [exc.message]}).items():
                for error in errors:
                    provider_form.add_error(field if field in provider_form.fields else None, error)
        else:
            messages.success(request, _("Provider template saved."))
            return redirect("messaging:template-edit", pk=template.pk)
    form = _version_form(
        request, template, initial={"subject": current.subject, "body": current.body}
    )
    return _edit_page(request, template, current, form, provider_form=provider_form, status=400)


@manager_required
@require_POST
def template_approval(request, pk):
    """Move the approval of the version in force (submit, approve, reject, pause, revise)."""
    template, current = _version_in_force(request, pk)
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the approval."))
        return redirect("messaging:template-edit", pk=template.pk)
    try:
        version = template_version_approval(
            version=current,
            user=request.user,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Version %(n)s is now: %(status)s.")
            % {"n": version.number, "status": version.get_approval_status_display()},
        )
    return redirect("messaging:template-edit", pk=template.pk)


@manager_required
@require_POST
def template_preview(request, pk):
    """htmx: render the draft in the form against a chosen debt, with its validation problems."""
    template = get_object_or_404(template_queryset(user=request.user), pk=pk)
    subject = request.POST.get("subject", "")
    body = request.POST.get("body", "")
    raw_debt = request.POST.get("debt", "").strip()
    debt_id = _parse_id(raw_debt)
    creditor_id = template.creditor_id or _parse_id(request.POST.get("creditor"))
    rendered, debt, error = _preview(request, template, subject, body, debt_id, creditor_id)
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
