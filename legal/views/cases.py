"""The case page: what is owed and paid, the court details, the court's steps, measures,
deposits, documents and the history. Every case is reached through the user's cases (a 404
otherwise); bad input re-renders the page with a 400 and the message next to its field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.dates import business_today
from core.exceptions import ApplicationError
from core.http import client_ip
from legal.forms.cases import (
    CaseUpdateForm,
    DepositForm,
    DocumentForm,
    MeasureForm,
    TransitionForm,
)
from legal.models import LegalCase
from legal.selectors.cases import case_get
from legal.services.cases import (
    TRANSITION_FIELDS,
    UPDATABLE_FIELDS,
    case_may_work,
    case_transition,
    case_transitions_available,
    case_update,
    deposit_save,
    measure_save,
)
from legal.services.documents import document_add
from portfolio.models import DebtorDataAccess
from portfolio.services.data_access import debtor_data_access_record

TRANSITION_LABELS = {
    "file": gettext_lazy("Record the filing"),
    "order_payment": gettext_lazy("Payment order issued"),
    "notify": gettext_lazy("Debtor notified"),
    "open_defences": gettext_lazy("Defences filed"),
    "decide": gettext_lazy("Judgment / order to proceed"),
    "liquidate": gettext_lazy("Liquidation approved"),
    "decree_seizure": gettext_lazy("Seizure decreed"),
    "serve_seizure": gettext_lazy("Seizure served"),
    "auction": gettext_lazy("Appraisal and auction"),
    "close": gettext_lazy("Close the case"),
}


def _case(request, pk) -> LegalCase:
    try:
        return case_get(user=request.user, pk=pk)
    except LegalCase.DoesNotExist as exc:
        raise Http404 from exc


def _back(case, anchor: str = "") -> str:
    return reverse("legal:case-detail", args=[case.pk]) + (f"#{anchor}" if anchor else "")


def _update_initial(case) -> dict:
    return {name: getattr(case, name) for name in UPDATABLE_FIELDS}


def _page(request, case, *, status=200, bound=None, open_transition=""):
    """Render the case page; `bound` replaces one of the page's forms by a bound one."""
    bound = bound or {}
    debt = case.debt
    measures = list(case.measures.all())
    deposits = list(case.deposits.all())
    transitions = [
        {
            "name": name,
            "label": TRANSITION_LABELS[name],
            "form": bound.get(f"transition:{name}")
            or TransitionForm(
                prefix=name,
                needs=TRANSITION_FIELDS.get(name, ()),
                initial={
                    "case_number": case.case_number,
                    "filed_on": case.filed_on,
                    "payment_order_on": case.payment_order_on,
                },
            ),
            "needs": TRANSITION_FIELDS.get(name, ()),
        }
        for name in case_transitions_available(case)
    ]
    context = {
        "case": case,
        "debt": debt,
        "debtor": debt.debtor,
        "as_of": business_today(),
        "may_work": case_may_work(user=request.user, case=case),
        "payments": debt.payments.filter(paid_at__date__gte=case.handed_over_on).order_by(
            "-paid_at", "-id"
        ),
        "update_form": bound.get("update") or CaseUpdateForm(initial=_update_initial(case)),
        "transitions": transitions,
        "open_transition": open_transition,
        "measures": [
            (m, bound.get(f"measure:{m.pk}") or MeasureForm(instance=m, prefix=f"m{m.pk}"))
            for m in measures
        ],
        "measure_form": bound.get("measure")
        or MeasureForm(prefix="measure", initial={"currency": debt.currency}),
        "deposits": [
            (d, bound.get(f"deposit:{d.pk}") or DepositForm(instance=d, prefix=f"d{d.pk}"))
            for d in deposits
        ],
        "deposit_form": bound.get("deposit")
        or DepositForm(prefix="deposit", initial={"currency": debt.currency}),
        "documents": case.documents.select_related("uploaded_by"),
        "document_form": bound.get("document") or DocumentForm(),
        "changes": case.changes.select_related("changed_by"),
    }
    return render(request, "legal/case_detail.html", context, status=status)


def _refused(request, case, form, key, exc: ApplicationError, **kwargs):
    """The service said no: the message goes next to its field and nothing changed."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    return _page(request, case, status=400, bound={key: form}, **kwargs)


def _check_may_work(request, case):
    if not case_may_work(user=request.user, case=case):
        raise Http404


@login_required
@require_GET
def case_detail_view(request, pk):
    case = _case(request, pk)
    # The case page shows the debtor's full identity document and address (Ley 1581: logged).
    debtor_data_access_record(
        user=request.user,
        debtor_ids=[case.debt.debtor_id],
        data=DebtorDataAccess.Data.DOCUMENT,
        via=DebtorDataAccess.Via.LEGAL,
        ip_address=client_ip(request),
        purpose=f"legal case {case.pk}",
    )
    return _page(request, case)


@login_required
@require_POST
def case_update_view(request, pk):
    case = _case(request, pk)
    _check_may_work(request, case)
    form = CaseUpdateForm(request.POST)
    if not form.is_valid():
        return _page(request, case, status=400, bound={"update": form})
    fields = {name: form.cleaned_data[name] for name in UPDATABLE_FIELDS}
    try:
        case_update(user=request.user, case=case, note=form.cleaned_data["note"], **fields)
    except ApplicationError as exc:
        return _refused(request, case, form, "update", exc)
    messages.success(request, _("Case updated."))
    return redirect(_back(case))


@login_required
@require_POST
def case_transition_view(request, pk):
    case = _case(request, pk)
    _check_may_work(request, case)
    name = request.POST.get("transition", "")
    if name not in TRANSITION_LABELS:
        messages.error(request, _("Unknown step."))
        return _page(request, case, status=400)
    form = TransitionForm(request.POST, prefix=name, needs=TRANSITION_FIELDS.get(name, ()))
    key = f"transition:{name}"
    if not form.is_valid():
        return _page(request, case, status=400, bound={key: form}, open_transition=name)
    data = form.cleaned_data
    try:
        case_transition(
            user=request.user,
            case=case,
            transition=name,
            note=data["note"],
            as_of=business_today(),
            outcome=data["outcome"],
            **{field: data[field] for field in TRANSITION_FIELDS.get(name, ()) if field in data},
        )
    except ApplicationError as exc:
        if exc.field == "transition":
            # The step is not possible now (the page may be stale): say so above the steps.
            messages.error(request, exc.message)
            return _page(request, case, status=400)
        return _refused(request, case, form, key, exc, open_transition=name)
    messages.success(request, _("Step recorded: %(step)s.") % {"step": TRANSITION_LABELS[name]})
    return redirect(_back(case, "steps"))


@login_required
@require_POST
def measure_save_view(request, pk, measure_pk=None):
    case = _case(request, pk)
    _check_may_work(request, case)
    measure = None
    if measure_pk is not None:
        measure = case.measures.filter(pk=measure_pk).first()
        if measure is None:
            raise Http404
    prefix = f"m{measure.pk}" if measure else "measure"
    key = f"measure:{measure.pk}" if measure else "measure"
    form = MeasureForm(request.POST, prefix=prefix, instance=measure)
    if not form.is_valid():
        return _page(request, case, status=400, bound={key: form})
    try:
        # The form's instance is the same object the service saves: send the cleaned values.
        measure_save(user=request.user, case=case, measure=measure, **form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, case, form, key, exc)
    messages.success(request, _("Measure saved."))
    return redirect(_back(case, "measures"))


@login_required
@require_POST
def deposit_save_view(request, pk, deposit_pk=None):
    case = _case(request, pk)
    _check_may_work(request, case)
    deposit = None
    if deposit_pk is not None:
        deposit = case.deposits.filter(pk=deposit_pk).first()
        if deposit is None:
            raise Http404
    prefix = f"d{deposit.pk}" if deposit else "deposit"
    key = f"deposit:{deposit.pk}" if deposit else "deposit"
    form = DepositForm(request.POST, prefix=prefix, instance=deposit)
    if not form.is_valid():
        return _page(request, case, status=400, bound={key: form})
    try:
        deposit_save(user=request.user, case=case, deposit=deposit, **form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, case, form, key, exc)
    messages.success(request, _("Court deposit saved."))
    return redirect(_back(case, "deposits"))


@login_required
@require_POST
def document_upload_view(request, pk):
    case = _case(request, pk)
    _check_may_work(request, case)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, case, status=400, bound={"document": form})
    try:
        document_add(
            user=request.user,
            case=case,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as exc:
        return _refused(request, case, form, "document", exc)
    messages.success(request, _("Document added."))
    return redirect(_back(case, "documents"))
