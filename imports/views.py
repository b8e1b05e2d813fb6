"""Manager HTML pages for file imports: history, upload, result with its row errors."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods

from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.exports import export_csv_stream_response
from imports.forms import ImportFilterForm, ImportUploadForm
from imports.models import ImportBatch
from imports.selectors import batch_suspense_summary, import_batch_queryset, import_error_rows
from imports.services.portfolio_file import import_batch_create
from imports.tasks import import_batch_run_task

PAGE_SIZE = 25
ERRORS_PAGE_SIZE = 50


@manager_required
@require_GET
def import_list(request):
    form = ImportFilterForm(request.GET or None, user=request.user)
    batches = import_batch_queryset(user=request.user)
    if form.is_valid():
        if form.cleaned_data["creditor"]:
            batches = batches.filter(creditor=form.cleaned_data["creditor"])
        if form.cleaned_data["status"]:
            batches = batches.filter(status=form.cleaned_data["status"])
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "imports/import_list.html",
        {"form": form, "page": page, "query": keep.urlencode()},
    )


@manager_required
@require_http_methods(["GET", "POST"])
def import_create(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                batch = import_batch_create(
                    kind=data["kind"],
                    creditor=data["creditor"],
                    uploaded_file=data["file"],
                    portfolio_name=data["portfolio"] or None,
                    strict=data["strict"],
                    dry_run=data["dry_run"],
                    user=request.user,
                    source="web",
                )
                # The upload returns at once; a worker runs the file after the commit.
                import_batch_run_task.delay_on_commit(batch.id)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("imports:import-detail", pk=batch.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "imports/import_form.html", {"form": form}, status=status)


@manager_required
@require_GET
def import_detail(request, pk: int):
    batch = get_object_or_404(import_batch_queryset(user=request.user), pk=pk)
    errors = Paginator(batch.row_errors.order_by("row", "id"), ERRORS_PAGE_SIZE)
    context = {
        "batch": batch,
        "errors": errors.get_page(request.GET.get("page")),
        "in_progress": batch.status in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING),
        # Money the file could not apply: held, not rejected (docs/ledger/suspense.md).
        "held": batch_suspense_summary(batch=batch),
    }
    # htmx polls the status block while the worker runs the file.
    if request.htmx and request.htmx.target == "import-status":
        response = render(request, "imports/_import_status.html", context)
        if not context["in_progress"]:
            # Finished: reload the whole page so the error table appears too.
            response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/import_detail.html", context)


@manager_required
@require_GET
def import_errors_csv(request, pk: int):
    batch = get_object_or_404(import_batch_queryset(user=request.user), pk=pk)
    language = translation.get_language() or settings.LANGUAGE_CODE
    return export_csv_stream_response(
        request=request,
        export="imports:errors",
        file_name=f"import-{batch.pk}-errors.csv",
        headers=["row", "column", "reason", "value"],
        # `value` is the raw text of the uploaded file: neutralised like any other text cell.
        rows=import_error_rows(batch=batch, language=language),
        row_count=batch.row_errors.count(),
        filters={"import": batch.pk},
    )
