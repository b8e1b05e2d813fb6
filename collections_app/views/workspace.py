"""Pages of the collector workspace: the work queue, the case panel's actions, my tasks,
bulk assignment and the managers' approvals queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from collections_app.forms import (
    AssignForm,
    AssignOneForm,
    InteractionForm,
    LegalRequestForm,
)
from collections_app.hooks import segment_choices
from collections_app.selectors.calls import call_statuses
from collections_app.selectors.case_panel import case_panel_context, interaction_confirmation
from collections_app.selectors.workspace import (
    assignment_preview,
    legal_request_rows,
    my_tasks,
    pre_legal_candidates,
    queue_per_row,
    work_queue_base,
    work_queue_next,
    work_queue_page,
    work_queue_position,
)
from collections_app.services.transitions import debt_transition
from collections_app.services.workspace import (
    assignment_plan,
    collectors_queryset,
    debts_assign,
    interaction_log,
    legal_request,
)
from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.http import query_without_blanks
from portfolio.filters import DebtFilter
from portfolio.models import OPEN_STAGES, Product, Stage, Task
from portfolio.panels import debt_page_refresh
from portfolio.selectors import creditor_list, debt_detail_get, debt_list_totals, debt_queryset
from portfolio.services.tasks import task_complete

PAGE_SIZE = 25
SHORTCUTS = [
    ("n", gettext_lazy("Next case (top of the queue)")),
    ("/", gettext_lazy("Search")),
    ("l", gettext_lazy("Log a contact (case page)")),
]


def _filter_choices(request) -> dict:
    """The creditors and segments the filters offer (read once: for a collector, the creditors
    come from their cases, and the segments are those creditors')."""
    creditors = list(creditor_list(user=request.user).order_by("name"))
    segments = segment_choices.call_one(creditor_ids=[c.pk for c in creditors])
    return {"creditors": creditors, "segments": list(segments)}


def _cities(request, filterset, limit: int = 300) -> list[str]:
    """The cities of the debtors of the creditors the manager may see (of the creditor chosen
    in the filters, if any): the suggestions of the bulk assignment's city filter."""
    from portfolio.models import Debtor

    creditors = creditor_list(user=request.user)
    code = filterset.form.data.get("creditor")
    if code:
        creditors = creditors.filter(code=code)
    rows = (
        Debtor.objects.filter(creditor__in=creditors)
        .exclude(city="")
        .values("city")
        .annotate(n=Count("id"))
        .order_by("-n", "city")[:limit]
    )
    # The filter ignores case: "BOGOTÁ" and "Bogotá" are one suggestion, the commoner spelling.
    spelling: dict[str, str] = {}
    for row in rows:
        spelling.setdefault(row["city"].strip().casefold(), row["city"].strip())
    return sorted(spelling.values(), key=str.casefold)


def _queue(request):
    query = query_without_blanks(request.GET)
    query.pop("page", None)
    filterset = DebtFilter(query, queryset=work_queue_base(user=request.user))
    return query, filterset


@login_required
@require_GET
def queue_view(request):
    """Mi cartera de hoy: the cases to work now, highest priority first."""
    as_of = business_today()
    query, filterset = _queue(request)
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        number = 1
    # One ranking query gives the page's ids and the tier counts (the total included).
    rows, counts, number = work_queue_page(
        qs=filterset.qs,
        as_of=as_of,
        number=number,
        per_page=PAGE_SIZE,
        per_row=queue_per_row(user=request.user),
    )
    paginator = Paginator([], PAGE_SIZE)
    paginator.count = counts["total"]
    page = Page(rows, number, paginator)
    # The rows' labels from one lookup table per page: get_FOO_display() would build the
    # choices dict (translating every label) again for each row and field.
    stage_labels, product_labels = dict(Stage.choices), dict(Product.choices)
    # May each row's debtor be called now (the page's rows only, with shared reads).
    calls = call_statuses(debts=rows)
    for debt in rows:
        debt.dpd = debt.days_past_due(as_of)
        debt.stage_label = stage_labels.get(debt.stage, debt.stage)
        debt.product_label = product_labels.get(debt.product, debt.product)
        debt.call = calls[debt.pk]
    return render(
        request,
        "collections_app/workspace/queue.html",
        status=400 if filterset.errors else 200,
        context={
            "filter": filterset,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "rows": rows,
            "counts": counts,
            "query": query.urlencode(),
            "stages": Stage.choices,
            "products": Product.choices,
            **_filter_choices(request),
            "shortcuts": SHORTCUTS,
            "as_of": as_of,
        },
    )


@login_required
@require_GET
def next_case_view(request):
    """Open the top case of the queue (with the same filters)."""
    query, filterset = _queue(request)
    if filterset.errors:
        # The queue page shows what is wrong with the filters.
        return redirect(f"{reverse('collections:queue')}?{query.urlencode()}")
    top, _counts, _number = work_queue_page(
        qs=filterset.qs,
        as_of=business_today(),
        number=1,
        per_page=1,
        per_row=queue_per_row(user=request.user),
    )
    if not top:
        messages.info(request, _("No cases left in your queue."))
        return redirect("collections:queue")
    return redirect(reverse("portfolio:debt-detail", args=[top[0].pk]))


def _debt_for(request, pk):
    debt = debt_detail_get(user=request.user, pk=pk)
    if debt is None:
        raise Http404
    return debt


# The debt page's panels a logged contact can change, refreshed with the work panel: the case
# timeline, the escalation panel (a dispute's hold) and the agreements panel (a promise, a
# callback task); the page header (last contact, holds, promise) always comes with them.
CONTACT_PANELS = ("collections.timeline", "collections.escalation", "agreements")


def _panel(request, debt, *, refresh: bool = False, **kwargs):
    html = render_to_string(
        "collections_app/workspace/_case_panel.html",
        case_panel_context(request=request, debt=debt, **kwargs),
        request=request,
    )
    if refresh:
        html += debt_page_refresh(request=request, debt=debt, panels=CONTACT_PANELS)
    return HttpResponse(html)


def _back(debt):
    return redirect(reverse("portfolio:debt-detail", args=[debt.pk]))


def _next_case(request, *, debt, queue, as_of, position, confirmation):
    """After "save and next": the case that follows this one in the collector's queue, with
    the confirmation of what was just logged (naming the case it was logged on)."""
    next_id = work_queue_next(
        qs=queue,
        as_of=as_of,
        after=position,
        exclude_id=debt.pk,
        per_row=queue_per_row(user=request.user),
    )
    messages.success(
        request,
        _("%(ref)s · %(name)s: %(confirmation)s")
        % {"ref": debt.debt_ref, "name": debt.debtor.full_name, "confirmation": confirmation},
    )
    if next_id is None:
        messages.info(request, _("No cases left in your queue after this one."))
        url = reverse("collections:queue")
    else:
        url = reverse("portfolio:debt-detail", args=[next_id])
    if request.htmx:
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_POST
def interaction_new_view(request, pk):
    """Log a contact from the work panel of the debt page.

    htmx: the panel comes back with the confirmation inside it and every panel the contact
    changed refreshed out of band (no message left for a later page); "save and next" goes on
    to the next case of the user's queue. A plain POST redirects back to the case."""
    debt = _debt_for(request, pk)
    form = InteractionForm(request.POST, debt=debt)
    go_next = bool(request.POST.get("next"))
    as_of = business_today()
    if form.is_valid():
        data = form.cleaned_data
        minutes = data.get("duration_minutes")
        queue = work_queue_base(user=request.user)
        # Where the case stood in the queue before this contact moves it down ("next" goes on
        # from there).
        position = (
            work_queue_position(
                qs=queue, as_of=as_of, debt_id=debt.pk, per_row=queue_per_row(user=request.user)
            )
            if go_next
            else None
        )
        try:
            interaction = interaction_log(
                user=request.user,
                debt=debt,
                channel=data["channel"],
                outcome=data["outcome"],
                as_of=as_of,
                note=data.get("note", ""),
                duration_seconds=minutes * 60 if minutes is not None else None,
                nonpayment_reason=data.get("nonpayment_reason") or "",
                promise_amount=data.get("promise_amount"),
                promise_date=data.get("promise_date"),
                callback_at=data.get("callback_at"),
                dispute_reason=data.get("dispute_reason") or "",
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            confirmation = interaction_confirmation(interaction)
            if go_next:
                return _next_case(
                    request,
                    debt=debt,
                    queue=queue,
                    as_of=as_of,
                    position=position,
                    confirmation=confirmation,
                )
            if request.htmx:
                # Read again: the panels show the case as the contact left it.
                response = _panel(
                    request, _debt_for(request, pk), refresh=True, confirmation=confirmation
                )
                response["HX-Trigger"] = "contact-logged"
                return response
            messages.success(request, confirmation)
            return _back(debt)
    if request.htmx:
        return _panel(request, debt, form=form)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return _back(debt)


@login_required
@require_POST
def legal_request_view(request, pk):
    debt = _debt_for(request, pk)
    form = LegalRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the case should go to legal."))
        return _back(debt)
    try:
        legal_request(
            user=request.user, debt=debt, reason=form.cleaned_data["reason"], as_of=business_today()
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Legal escalation requested: a manager will review it."))
    return _back(debt)


@manager_required
@require_POST
def assign_one_view(request, pk):
    debt = _debt_for(request, pk)
    form = AssignOneForm(request.POST, collectors=collectors_queryset())
    if not form.is_valid():
        messages.error(request, _("Choose a collector."))
        return _back(debt)
    try:
        debts_assign(
            user=request.user,
            plan={form.cleaned_data["collector"].pk: [debt.pk]},
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Case assigned."))
    return _back(debt)


@login_required
@require_GET
def tasks_view(request):
    now = timezone.now()
    page = Paginator(my_tasks(user=request.user), 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for task in rows:
        task.overdue = task.due_at < now
    return render(
        request,
        "collections_app/workspace/tasks.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "rows": rows,
            "now": now,
        },
    )


@login_required
@require_POST
def task_done_view(request, pk):
    task = get_object_or_404(Task.objects.filter(debt__in=debt_queryset(user=request.user)), pk=pk)
    try:
        task_complete(task=task, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Task done."))
    return redirect("collections:tasks")


@manager_required
def assign_view(request):
    """Bulk assignment by filter: choose, preview who gets how many, confirm."""
    query = query_without_blanks(request.GET)
    open_debts = debt_queryset(user=request.user).filter(stage__in=OPEN_STAGES)
    filterset = DebtFilter(query, queryset=open_debts)
    debts = filterset.qs
    collectors = collectors_queryset()
    form = AssignForm(request.POST or None, collectors=collectors)
    preview = None
    totals = debt_list_totals(queryset=debts)
    summary = {"count": sum(t["debts"] for t in totals), "totals": totals}
    if request.method == "POST" and filterset.errors:
        form.add_error(None, _("Correct the filters first: nothing was assigned."))
    elif request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["collectors"])
        rows = list(debts.order_by("pk").values_list("pk", "currency", "balance"))
        try:
            plan = assignment_plan(debts=rows, collectors=chosen, mode=form.cleaned_data["mode"])
            if request.POST.get("confirm"):
                expected = int(request.POST.get("expected") or -1)
                moved = debts_assign(
                    user=request.user,
                    plan=plan,
                    reason=form.cleaned_data["reason"],
                    expected=expected,
                )
                messages.success(
                    request,
                    ngettext("%(count)s debt assigned.", "%(count)s debts assigned.", moved)
                    % {"count": moved},
                )
                return redirect(f"{reverse('collections:assign')}?{query.urlencode()}")
        except (ApplicationError, ValueError) as exc:
            form.add_error(None, getattr(exc, "message", str(exc)))
        else:
            preview = assignment_preview(plan=plan, debts=rows, collectors=chosen)
    return render(
        request,
        "collections_app/workspace/assign.html",
        status=400 if filterset.errors else 200,
        context={
            "filter": filterset,
            "form": form,
            "summary": summary,
            "preview": preview,
            "query": query.urlencode(),
            "stages": Stage.choices,
            "products": Product.choices,
            **_filter_choices(request),
            "cities": _cities(request, filterset),
        },
    )


@manager_required
@require_GET
def approvals_view(request):
    from agreements.forms import decision_forms_attach
    from agreements.selectors import approval_queue

    as_of = business_today()
    pending = approval_queue(user=request.user)
    return render(
        request,
        "collections_app/workspace/approvals.html",
        {
            "agreements": decision_forms_attach(pending[:25]),
            "agreement_count": pending.count(),
            "requests": legal_request_rows(user=request.user, as_of=as_of),
            "candidates": pre_legal_candidates(user=request.user, as_of=as_of),
            "as_of": as_of,
        },
    )


@manager_required
@require_POST
def legal_approve_view(request, pk):
    debt = get_object_or_404(debt_queryset(user=request.user), pk=pk)
    reason = (request.POST.get("reason") or "").strip()
    try:
        debt_transition(
            debt=debt,
            transition_name="escalate_to_legal",
            user=request.user,
            as_of=business_today(),
            reason=reason,
        )
    except ApplicationError as exc:
        messages.error(request, f"{debt.debt_ref}: {exc.message}")
    else:
        Task.objects.filter(debt=debt, kind=Task.Kind.LEGAL_REVIEW, status=Task.Status.OPEN).update(
            status=Task.Status.DONE, done_at=timezone.now()
        )
        messages.success(request, _("%(ref)s handed to legal.") % {"ref": debt.debt_ref})
    return redirect("collections:approvals")
