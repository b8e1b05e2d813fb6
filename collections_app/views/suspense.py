"""The suspense queue: money no debt could take, to apply to a debt or refund, with a record."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from collections_app.forms.suspense import (
    SuspenseApplyForm,
    SuspenseFilterForm,
    SuspenseRefundForm,
)
from collections_app.selectors.suspense import (
    suspense_debt_by_ref,
    suspense_get,
    suspense_list,
    suspense_target_debts,
)
from collections_app.services.suspense import suspense_apply, suspense_refund
from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.paging import list_page, list_query, valid_filters
from portfolio.selectors import creditor_list

PAGE_SIZE = 50


@manager_required
@require_GET
def suspense_list_view(request):
    query = list_query(request)
    form = SuspenseFilterForm(
        query or None, creditors=creditor_list(user=request.user).order_by("name")
    )
    items = suspense_list(user=request.user, filters=valid_filters(form))
    context = list_page(request, form=form, queryset=items, query=query, size=PAGE_SIZE)
    context["count"] = context["page"].paginator.count
    return render(
        request,
        "collections_app/suspense/list.html",
        context,
        status=400 if context["invalid"] else 200,
    )


def _item_or_404(request, pk):
    item = suspense_get(user=request.user, pk=pk)
    if item is None:
        # Another creditor's item looks exactly like a missing one.
        raise Http404
    return item


def _apply_form(item, data=None):
    debts = suspense_target_debts(item=item)
    return SuspenseApplyForm(
        data,
        debts=debts,
        by_reference=item.debtor_id is None,
        initial={"amount": item.remaining},
    )


def _detail(request, item, *, apply_form=None, refund_form=None, status=200):
    context = {
        "item": item,
        "movements": list(item.movements.all()),
        "apply_form": apply_form or _apply_form(item),
        "refund_form": refund_form or SuspenseRefundForm(initial={"amount": item.remaining}),
        "is_open": item.status == "open" and item.remaining > 0,
    }
    return render(request, "collections_app/suspense/detail.html", context, status=status)


@manager_required
@require_GET
def suspense_detail_view(request, pk):
    return _detail(request, _item_or_404(request, pk))


@manager_required
@require_POST
def suspense_apply_view(request, pk):
    item = _item_or_404(request, pk)
    form = _apply_form(item, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if form.by_reference:
                debt = suspense_debt_by_ref(item=item, debt_ref=data["debt_ref"])
                if debt is None:
                    raise ApplicationError(
                        _("No debt of %(creditor)s has this reference.")
                        % {"creditor": item.creditor.name},
                        field="debt_ref",
                    )
                debt_id = debt.pk
            else:
                debt_id = data["debt"]
            movement = suspense_apply(
                item_id=item.pk,
                debt_id=debt_id,
                amount=data["amount"],
                user=request.user,
                business_date=business_today(),
            )
        except ApplicationError as exc:
            if exc.field == "debt" and form.by_reference:
                exc.field = "debt_ref"
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("Applied to debt %(ref)s.") % {"ref": movement.payment.debt.debt_ref},
            )
            return redirect("collections:suspense-detail", pk=item.pk)
    return _detail(request, item, apply_form=form, status=400)


@manager_required
@require_POST
def suspense_refund_view(request, pk):
    item = _item_or_404(request, pk)
    form = SuspenseRefundForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            suspense_refund(
                item_id=item.pk,
                amount=data["amount"],
                refund_reference=data["refund_reference"],
                note=data["note"],
                user=request.user,
                business_date=business_today(),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The refund is recorded."))
            return redirect("collections:suspense-detail", pk=item.pk)
    return _detail(request, item, refund_form=form, status=400)
