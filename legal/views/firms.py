"""Law firms and their lawyers: managers keep the firms their creditors retain, admins all.

Someone else's firm is a 404, exactly like a missing one. A refusal of the service comes back
on the page with a 400 and nothing changed; a success redirects with a message.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.paging import list_page, list_query, valid_filters
from legal.forms.manager import FirmFilterForm, FirmForm, LawyerAddForm, LawyerCreateForm
from legal.models import LawFirm
from legal.selectors.manager import firm_get, firm_list
from legal.services import firms as services
from portfolio.selectors import creditor_list

PAGE_SIZE = 25


def _creditors(request):
    return creditor_list(user=request.user).order_by("name")


def _firm_or_404(request, pk) -> LawFirm:
    try:
        return firm_get(user=request.user, pk=pk)
    except LawFirm.DoesNotExist as exc:
        raise Http404 from exc


@manager_required
@require_GET
def firm_list_view(request):
    query = list_query(request)
    form = FirmFilterForm(query or None)
    firms = firm_list(user=request.user, filters=valid_filters(form))
    context = list_page(request, form=form, queryset=firms, query=query, size=PAGE_SIZE)
    return render(
        request, "legal/firms/list.html", context, status=400 if context["invalid"] else 200
    )


def _firm_fields(form) -> dict:
    data = dict(form.cleaned_data)
    creditors = data.pop("creditors")
    return {"creditors": list(creditors), **data}


@manager_required
@require_http_methods(["GET", "POST"])
def firm_new(request):
    creditors = _creditors(request)
    form = FirmForm(request.POST or None, creditors=creditors)
    if request.method == "POST" and form.is_valid():
        try:
            firm = services.firm_save(user=request.user, **_firm_fields(form))
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The law firm was created: now add its lawyers."))
            return redirect("legal:firm-detail", pk=firm.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "legal/firms/form.html", {"form": form}, status=status)


def _detail_context(request, firm, **forms):
    return {
        "firm": firm,
        "form": forms.get("form") or FirmForm(instance=firm, creditors=_creditors(request)),
        "add_form": forms.get("add_form") or LawyerAddForm(prefix="add"),
        "create_form": forms.get("create_form") or LawyerCreateForm(prefix="new"),
        "lawyers": firm.lawyers.order_by("last_name", "first_name", "username"),
        "other_creditors": firm.creditors.exclude(pk__in=_creditors(request)).count(),
    }


@manager_required
@require_http_methods(["GET", "POST"])
def firm_detail(request, pk):
    """The firm's data (editable) and its lawyers."""
    firm = _firm_or_404(request, pk)
    if request.method == "GET":
        return render(request, "legal/firms/detail.html", _detail_context(request, firm))
    form = FirmForm(request.POST, instance=firm, creditors=_creditors(request))
    if form.is_valid():
        try:
            services.firm_save(user=request.user, firm=firm, **_firm_fields(form))
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The law firm was saved."))
            return redirect("legal:firm-detail", pk=firm.pk)
    firm.refresh_from_db()
    return render(
        request, "legal/firms/detail.html", _detail_context(request, firm, form=form), status=400
    )


@manager_required
@require_POST
def firm_lawyer_add(request, pk):
    firm = _firm_or_404(request, pk)
    form = LawyerAddForm(request.POST, prefix="add")
    if form.is_valid():
        try:
            lawyer = services.firm_lawyer_add(user=request.user, firm=firm, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, _("%(name)s joined the firm.") % {"name": lawyer.get_username()}
            )
            return redirect("legal:firm-detail", pk=firm.pk)
    context = _detail_context(request, firm, add_form=form)
    return render(request, "legal/firms/detail.html", context, status=400)


@manager_required
@require_POST
def firm_lawyer_create(request, pk):
    firm = _firm_or_404(request, pk)
    form = LawyerCreateForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            lawyer = services.firm_lawyer_create(user=request.user, firm=firm, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("The lawyer %(name)s was created: give them their username and password.")
                % {"name": lawyer.get_username()},
            )
            return redirect("legal:firm-detail", pk=firm.pk)
    context = _detail_context(request, firm, create_form=form)
    return render(request, "legal/firms/detail.html", context, status=400)


@manager_required
@require_POST
def firm_lawyer_remove(request, pk, lawyer_pk):
    firm = _firm_or_404(request, pk)
    try:
        services.firm_lawyer_remove(user=request.user, firm=firm, lawyer_id=lawyer_pk)
    except ApplicationError as exc:
        raise Http404 from exc
    messages.success(request, _("The lawyer left the firm."))
    return redirect("legal:firm-detail", pk=firm.pk)
