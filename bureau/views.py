"""Staff pages of credit-bureau reporting: the runs, a new run, its preview and its steps.

Managers and administrators only (core.decorators.manager_required), each seeing the runs of
the creditors they manage: someone else's run is a 404, exactly like a missing one. Views are
thin: a step is one call to bureau.services.runs; its refusal (ApplicationError) comes back on
the page with a 400 and nothing changed, a success redirects (post/redirect/get) with a message.
"""

from collections import Counter

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bureau import selectors
from bureau.files import run_file_response
from bureau.forms import RunCreateForm, RunFilterForm
from bureau.models import RunStatus
from bureau.selectors.eligibility import ELIGIBLE, REASONS
from bureau.selectors.pages import run_counts
from bureau.services import runs as services
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.paging import list_page, list_query, valid_filters
from portfolio.selectors import creditor_list

PAGE_SIZE = 50
ELIGIBILITY_PAGE_SIZE = 50

# Each step of a run: its service and what the manager is told when it is done.
STEPS = {
    "validate": (services.run_validate, gettext_lazy("The run was checked.")),
    "generate": (services.run_generate, gettext_lazy("The file was generated.")),
    "submit": (services.run_submit, gettext_lazy("The run is marked as submitted to the bureau.")),
    "cancel": (services.run_cancel, gettext_lazy("The run was cancelled.")),
}


def _creditors(request):
    return creditor_list(user=request.user).order_by("name")


@manager_required
@require_GET
def run_list_view(request):
    """The runs of the manager's creditors, newest cut-off first."""
    query = list_query(request)
    form = RunFilterForm(query or None, creditors=_creditors(request))
    filters = valid_filters(form)
    if filters.get("creditor"):
        filters["creditor"] = filters["creditor"].pk
    runs = selectors.runs(user=request.user, filters=filters).order_by("-cut_off", "-id")
    context = list_page(request, form=form, queryset=runs, query=query, size=PAGE_SIZE)
    return render(request, "bureau/runs.html", context, status=400 if context["invalid"] else 200)


@manager_required
@require_http_methods(["GET", "POST"])
def run_new(request):
    """A creditor, a bureau and a cut-off: the run is created as a draft and previewed."""
    creditors = _creditors(request)
    if request.method == "GET":
        form = RunCreateForm(initial=request.GET.dict() or None, creditors=creditors)
        return render(request, "bureau/new.html", {"form": form})
    form = RunCreateForm(request.POST, creditors=creditors)
    if form.is_valid():
        try:
            run = services.run_create(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The run was created: check its preview."))
            return redirect("bureau:run-detail", pk=run.pk)
    return render(request, "bureau/new.html", {"form": form}, status=400)


def _run_or_404(request, pk):
    run = selectors.run_get(user=request.user, run_id=pk)
    if run is None:
        raise Http404  # someone else's run looks exactly like a missing one
    return run


def _eligibility(request, run):
    """Who may be reported at the run's cut-off and why the others may not: the reasons
    counted (the eligible first), and one page of the debts."""
    frame = selectors.eligibility(creditor=run.creditor, cut_off=run.cut_off, user=request.user)
    frame = frame.astype(object).where(frame.notna(), None)  # NaT / NaN: "no date"
    rows = frame.to_dict("records")
    counts = Counter(row["reason_code"] for row in rows)
    order = list(REASONS)
    reasons = [
        {"eligible": code == ELIGIBLE, "code": code, "reason": REASONS.get(code, code), "count": n}
        for code, n in sorted(
            counts.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99
        )
    ]
    paginator = Paginator(rows, ELIGIBILITY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return {
        "eligible_count": counts.get(ELIGIBLE, 0),
        "debt_count": len(rows),
        "reasons": reasons,
        "page": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }


def _detail(request, run, *, error=None, status=200):
    context = {
        "run": run,
        "counts": run_counts(run),
        "error": error,
        **_eligibility(request, run),
    }
    return render(request, "bureau/detail.html", context, status=status)


@manager_required
@require_GET
def run_detail(request, pk):
    """The run's preview: what it reports, who is eligible and why not, its findings and file."""
    return _detail(request, _run_or_404(request, pk))


@manager_required
@require_POST
def run_step(request, pk, step):
    run = _run_or_404(request, pk)
    if step not in STEPS:
        raise Http404
    service, done = STEPS[step]
    try:
        run = service(run=run, user=request.user)
    except ApplicationError as exc:
        run.refresh_from_db()
        return _detail(request, run, error=exc.message, status=400)
    if step == "validate" and run.status != RunStatus.VALIDATED:
        # The checks ran and found errors: kept on the run, shown on its page.
        messages.warning(request, _("The checks found errors: correct them and check again."))
    else:
        messages.success(request, str(done))
    return redirect("bureau:run-detail", pk=run.pk)


@manager_required
@require_GET
def run_download(request, pk):
    """The generated file, as kept (its SHA-256 in a header, to check against the page)."""
    return run_file_response(_run_or_404(request, pk))
