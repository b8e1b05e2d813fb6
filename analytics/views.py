"""Manager pages of analytics: the KPI dashboard (headline figures, charts, tables,
drill-down, exports) and the segments (the ordered list with a preview, and the editor)."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from analytics.cache import kpi_dashboard_cached
from analytics.exports import extra_tables, kpi_tables
from analytics.forms import KpiFilterForm, SegmentForm, SegmentRuleFormSet
from analytics.models import SegmentDefinition
from analytics.models.kpis import END_STATE_CHOICES
from analytics.models.segments import AGING_BUCKET_CHOICES
from analytics.selectors.kpis import collected_per_week
from analytics.selectors.page_tables import dashboard_tables
from analytics.selectors.segments import segment_counts
from analytics.selectors.today import kpi_today
from analytics.services.segments import (
    segment_delete,
    segment_preview,
    segment_save,
    segment_user_can_edit,
)
from collections_app.models import Interaction
from complaints.selectors.reputation import ReputationFilters, reputation_headline
from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.exports import export_response
from core.roles import is_admin
from portfolio.models import Channel, Stage
from portfolio.selectors import creditor_list


def _form(request) -> KpiFilterForm:
    data = QueryDict(mutable=True)
    for key in request.GET:
        values = [v for v in request.GET.getlist(key) if v.strip()]
        if values:
            data.setlist(key, values)
    return KpiFilterForm(data, user=request.user, default_to=business_today())


def _debt_link(form: KpiFilterForm, *, by_contact=False, **extra) -> str:
    """The debt list filtered like the dashboard, plus the figure's own condition.

    The collector filter means the debts assigned to them, except for contact figures
    (`by_contact`), where it means the contacts they logged.
    """
    data = form.cleaned_data
    query = QueryDict(mutable=True)
    if data.get("creditor"):
        query["creditor"] = data["creditor"].code
    if data.get("portfolio"):
        query["portfolio"] = data["portfolio"].id
    if data.get("segment"):
        query["segment"] = data["segment"].id
    if data.get("collector"):
        query["contacted_by" if by_contact else "assigned_to"] = data["collector"].id
    if by_contact and data.get("channel"):
        query["contact_channel"] = data["channel"]
    if data.get("currency"):
        query["currency"] = data["currency"].upper()
    for key, value in extra.items():
        if isinstance(value, list | tuple):
            query.setlist(key, [str(v) for v in value])
        elif value is not None:
            query[key] = str(value)
    return f"{reverse('portfolio:debt-list')}?{query.urlencode()}"


def _chart_data(data: dict) -> dict:
    """Plain numbers for Chart.js (floats are fine for drawing; tables show exact Decimals):
    one weekly series per currency (one chart each: amounts of two currencies never share
    an axis), and the aging shares."""
    buckets = dict(AGING_BUCKET_CHOICES)
    weekly = collected_per_week(data["collected_per_day"], data["date_from"], data["date_to"])
    aging: dict[str, list[float]] = {}
    for row in data["aging"]:
        aging.setdefault(row["currency"], []).append(float(row["balance"]))
    return {
        "weeks": {
            currency: {
                "labels": [formats.date_format(week, "SHORT_DATE_FORMAT") for week, _v in series],
                "values": [float(value) for _w, value in series],
            }
            for currency, series in weekly.items()
        },
        "buckets": [str(buckets[b]) for b in buckets],
        "aging": aging,
    }


def _contact_link(form: KpiFilterForm, data: dict, kind: str, **extra) -> str:
    """The debts behind a contact figure: a contact of `kind` in the period."""
    return _debt_link(
        form,
        by_contact=True,
        contact=kind,
        contacted_from=data["date_from"].isoformat(),
        contacted_to=data["date_to"].isoformat(),
        **extra,
    )


def _today_band(form: KpiFilterForm) -> dict:
    """Today's live figures with their drill-downs (each link lists what its figure counts)."""
    day = business_today()
    today = kpi_today(filters=form.filters(), today=day)
    iso = day.isoformat()
    today["contacts"]["link"] = _debt_link(
        form, by_contact=True, contact="logged", contacted_from=iso, contacted_to=iso
    )
    for row in today["payments"]:
        row["link"] = _debt_link(form, currency=row["currency"], paid_from=iso, paid_to=iso)
    for row in today["promises"]:
        row["link"] = _debt_link(form, currency=row["currency"], promised_from=iso, promised_to=iso)
    data = form.cleaned_data
    # Messages are counted per creditor: say so when the band is narrowed further.
    today["messages_narrowed"] = any(
        data.get(name) for name in ("portfolio", "segment", "collector", "currency", "channel")
    )
    # The outbox lists the user's creditors' messages: its counts match only unfiltered.
    if not data.get("creditor"):
        for row in today["messages"]:
            query = QueryDict(mutable=True)
            query.update({"date": iso, "status": row["status"]})
            row["link"] = f"{reverse('messaging:outbox')}?{query.urlencode()}"
    return today


def _complaints_card(request, form: KpiFilterForm) -> dict:
    """The complaints figures of the dashboard's period and creditors (issue #18), with the
    link to the reputation page for the same period and creditor."""
    filters = form.filters()
    headline = reputation_headline(
        user=request.user,
        filters=ReputationFilters(
            date_from=filters.date_from,
            date_to=filters.date_to,
            as_of=business_today(),
            creditor_ids=filters.creditor_ids,
        ),
    )
    query = QueryDict(mutable=True)
    query.update({"from": filters.date_from.isoformat(), "to": filters.date_to.isoformat()})
    if form.cleaned_data.get("creditor"):
        query["creditor"] = form.cleaned_data["creditor"].code
    headline["link"] = f"{reverse('complaints:reputation')}?{query.urlencode()}"
    return headline


@manager_required
@require_GET
def dashboard(request):
    form = _form(request)
    context = {"form": form, "data": None}
    if form.is_valid():
        data = kpi_dashboard_cached(filters=form.filters(), collector_days=False)
        as_of = data["as_of"]
        for row in data["aging"]:
            row["link"] = _debt_link(
                form,
                aging=row["bucket"],
                currency=row["currency"],
                state="open",
                as_of=as_of.isoformat() if as_of else None,
            )
        for row in data["headline"]:
            row["collected_link"] = _debt_link(
                form,
                currency=row["currency"],
                paid_from=data["date_from"].isoformat(),
                paid_to=data["date_to"].isoformat(),
            )
            row["open_link"] = _debt_link(form, currency=row["currency"], state="open")
        channels = dict(Channel.choices)
        for row in data["channel_effectiveness"]:
            row["label"] = channels.get(row["channel"], row["channel"])
        for row in data["template_effectiveness"]:
            row["label"] = row["template"]
        for row in data["suppressions"]:
            row["channel_label"] = channels.get(row["channel"], row["channel"])
        for row in data["headline"]:
            for kind in ("attempt", "reached", "rpc", "promise"):
                row[f"{kind}_link"] = _contact_link(form, data, kind, currency=row["currency"])
        contact_channels = dict(Interaction.Channel.choices)
        for row in data["contact_channels"]:
            row["label"] = contact_channels.get(row["channel"], row["channel"])
            row["link"] = _contact_link(
                form, data, "logged", currency=row["currency"], contact_channel=row["channel"]
            )
        for row in data["collector_productivity"]:
            row["link"] = _debt_link(
                form, currency=row["currency"], assigned_to=row["collector_id"]
            )
            row["collected_link"] = _debt_link(
                form,
                currency=row["currency"],
                assigned_to=row["collector_id"],
                paid_from=data["date_from"].isoformat(),
                paid_to=data["date_to"].isoformat(),
            )
            for kind, key in (
                ("logged", "worked_link"),
                ("attempt", "attempts_link"),
                ("rpc", "rpc_link"),
                ("promise", "promises_link"),
            ):
                row[key] = _contact_link(
                    form, data, kind, currency=row["currency"], contacted_by=row["collector_id"]
                )
        for row in data["segments"]:
            row["link"] = _debt_link(
                form, currency=row["currency"], segment=row["segment_id"], state="open"
            )
        states = dict(END_STATE_CHOICES)
        buckets = dict(AGING_BUCKET_CHOICES)
        for block in data["roll_rates"]:
            for matrix_row in block["matrix"]:
                for cell in matrix_row["cells"]:
                    target = cell["to"]
                    where = {"aging": target, "state": "open"}
                    if target == "paid":
                        where = {"stage": [Stage.PAID, Stage.SETTLED]}
                    elif target == "written_off":
                        where = {"stage": [Stage.WRITTEN_OFF]}
                    cell["link"] = _debt_link(
                        form,
                        currency=block["currency"],
                        opening_month=data["month"].isoformat(),
                        opening_bucket=matrix_row["from"],
                        **where,
                    )
        today = _today_band(form)
        context.update(
            {
                "today": today,
                "complaints": _complaints_card(request, form),
                "data": data,
                "chart": _chart_data(data),
                "buckets": buckets,
                "end_states": states,
                "export_query": request.GET.urlencode(),
                "extra_exports": list(extra_tables().values()),
                "tables": dashboard_tables(data, buckets),
                "has_attempts": any(h["attempts"] for h in data["headline"]),
                "has_data": bool(as_of or data["collected_per_day"]),
            }
        )
    return render(request, "analytics/dashboard.html", context, status=400 if form.errors else 200)


@manager_required
@require_GET
def dashboard_export(request, table: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = _form(request)
    if not form.is_valid():
        return HttpResponse(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    extras = extra_tables()
    if table in extras:
        headers, rows = extras[table].build(filters=form.filters())
    else:
        tables = kpi_tables(kpi_dashboard_cached(filters=form.filters()))
        if table not in tables:
            raise Http404
        headers, rows = tables[table]
    name = f"kpis-{table}-{form.cleaned_data['date_to'].isoformat()}.{fmt}"
    return export_response(
        request=request,
        export=f"kpis:{table}",
        file_name=name,
        fmt=fmt,
        title=table,
        headers=headers,
        rows=rows,
    )


def _visible_segments(user):
    creditors = creditor_list(user=user)
    return SegmentDefinition.objects.filter(
        Q(creditor__isnull=True) | Q(creditor__in=creditors)
    ).select_related("creditor")


@manager_required
def segment_list(request):
    creditors = creditor_list(user=request.user)
    creditor_ids = list(creditors.values_list("id", flat=True))
    segments = list(
        _visible_segments(request.user).prefetch_related("rules").order_by("priority", "id")
    )
    counts = segment_counts(creditor_ids=creditor_ids)
    preview = None
    if request.GET.get("preview"):
        preview = segment_preview(creditor_ids=creditor_ids, as_of=business_today())
    for segment in segments:
        segment.open_debts = counts.get(segment.id, 0)
        segment.can_edit = segment_user_can_edit(user=request.user, segment=segment)
        if preview is not None:
            segment.preview = preview["by_segment"].get(segment.id, 0)
            for rule in segment.rules.all():
                rule.preview = preview["by_rule"].get(rule.id, 0)
    return render(
        request,
        "analytics/segment_list.html",
        {"segments": segments, "preview": preview, "unsegmented": counts.get(None, 0)},
    )


def _edit(request, segment: SegmentDefinition | None):
    creditors = creditor_list(user=request.user).order_by("name")
    allow_global = is_admin(request.user)
    instance = segment or SegmentDefinition()
    form = SegmentForm(
        request.POST or None, instance=instance, creditors=creditors, allow_global=allow_global
    )
    formset = SegmentRuleFormSet(request.POST or None, instance=instance, prefix="rules")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = segment_save(user=request.user, form=form, rules_formset=formset)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Segment %(name)s saved. The nightly job applies it to the debts.")
                % {"name": saved.name},
            )
            return redirect("analytics:segment-list")
    return render(
        request,
        "analytics/segment_edit.html",
        {"form": form, "formset": formset, "segment": segment},
    )


@manager_required
@require_http_methods(["GET", "POST"])
def segment_new(request):
    return _edit(request, None)


@manager_required
@require_http_methods(["GET", "POST"])
def segment_edit(request, pk):
    segment = get_object_or_404(_visible_segments(request.user), pk=pk)
    if not segment_user_can_edit(user=request.user, segment=segment):
        raise Http404
    return _edit(request, segment)


@manager_required
@require_POST
def segment_remove(request, pk):
    segment = get_object_or_404(_visible_segments(request.user), pk=pk)
    try:
        segment_delete(user=request.user, segment=segment)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Segment deleted."))
    return redirect("analytics:segment-list")
