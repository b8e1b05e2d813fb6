"""REST API of the KPIs and segments: the same selector as the dashboard page."""

import datetime
from decimal import Decimal

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.cache import kpi_dashboard_cached
from analytics.forms import KpiFilterForm
from analytics.models import SegmentDefinition
from analytics.selectors.segments import segment_counts
from collections_app.models import Interaction
from core.api import IsManagerOrAdmin
from core.dates import business_today
from portfolio.selectors import creditor_list


def jsonable(value):
    """Money and rates as exact decimal strings (never floats), dates as ISO strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


KPI_PARAMS = [
    OpenApiParameter(
        "as_of", OpenApiTypes.DATE, description="End of the period, YYYY-MM-DD (default today)"
    ),
    OpenApiParameter(
        "date_from", OpenApiTypes.DATE, description="Start of the period (default: 30 days)"
    ),
    OpenApiParameter("creditor", str, description="Creditor code"),
    OpenApiParameter("portfolio", int, description="Portfolio id"),
    OpenApiParameter("segment", int, description="Segment id"),
    OpenApiParameter("collector", int, description="Collector (user) id"),
    OpenApiParameter("currency", str, description="ISO 4217 code"),
    OpenApiParameter(
        "channel",
        str,
        description="Contact channel (call, inbound_call, whatsapp, sms, email, visit): "
        "narrows the contact figures only",
    ),
]


def kpi_form_from_query(request) -> KpiFilterForm:
    data = request.query_params.copy()
    if "as_of" in data and "date_to" not in data:
        data["date_to"] = data["as_of"]
    form = KpiFilterForm(data, user=request.user, default_to=business_today())
    if not form.is_valid():
        raise ValidationError({k: list(v) for k, v in form.errors.items()})
    return form


def _rate(help_text: str):
    return serializers.DecimalField(
        max_digits=6, decimal_places=4, allow_null=True, help_text=help_text
    )


class _ContactCounts(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217 of the debts contacted")
    interactions = serializers.IntegerField(help_text="Contacts logged (any channel)")
    cases_worked = serializers.IntegerField(
        help_text="Distinct debts with a contact logged, counted once per day"
    )
    attempts = serializers.IntegerField(help_text="Outbound calls and field visits")
    reached = serializers.IntegerField(help_text="Attempts that reached any person")
    rpc = serializers.IntegerField(help_text="Attempts that reached the debtor (RPC)")
    promises = serializers.IntegerField(help_text="Attempts ending in a promise to pay")
    contact_rate = _rate("reached / attempts")
    rpc_rate = _rate("rpc / attempts")
    promise_rate = _rate("promises / rpc")


class ContactChannelOut(_ContactCounts):
    channel = serializers.ChoiceField(choices=Interaction.Channel.choices)


class CollectorDayOut(_ContactCounts):
    collector_id = serializers.IntegerField()
    collector = serializers.CharField()
    date = serializers.DateField()
    collected = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        allow_null=True,
        help_text="Payments received on the collector's assigned debts",
    )
    payments = serializers.IntegerField()
    promises_kept = serializers.IntegerField(help_text="Promises on assigned debts due then")
    promises_broken = serializers.IntegerField()
    promise_kept_rate = _rate("promises_kept / (promises_kept + promises_broken)")


class CollectorProductivityOut(CollectorDayOut):
    date = None
    days_worked = serializers.IntegerField(help_text="Days with a contact logged")
    promises_made = serializers.IntegerField(help_text="Promises recorded on assigned debts")


class KpiApi(APIView):
    """The dashboard's figures: headline per currency, aging, roll rates, collectors..."""

    permission_classes = [IsManagerOrAdmin]

    @extend_schema(
        parameters=KPI_PARAMS,
        responses=inline_serializer(
            "Kpis",
            {
                "as_of": serializers.DateField(allow_null=True),
                "date_from": serializers.DateField(),
                "date_to": serializers.DateField(),
                "headline": serializers.ListField(
                    child=serializers.DictField(),
                    help_text="Per currency. Contacts: contacts_logged, cases_worked, attempts, "
                    "attempts_reached, rpcs, contact_promises, contact_rate, rpc_rate, "
                    "promise_rate, each rate with _previous and _change (vs the previous "
                    "period of the same length).",
                ),
                "aging": serializers.ListField(child=serializers.DictField()),
                "collected_per_day": serializers.ListField(child=serializers.DictField()),
                "roll_rates": serializers.ListField(child=serializers.DictField()),
                "leaderboard": serializers.ListField(child=serializers.DictField()),
                "collector_productivity": CollectorProductivityOut(many=True),
                "collector_days": CollectorDayOut(many=True),
                "contact_channels": ContactChannelOut(many=True),
                "channel_effectiveness": serializers.ListField(child=serializers.DictField()),
                "template_effectiveness": serializers.ListField(child=serializers.DictField()),
                "message_funnel": serializers.ListField(child=serializers.DictField()),
                "suppressions": serializers.ListField(child=serializers.DictField()),
                "cumulative_recovery": serializers.ListField(child=serializers.DictField()),
                "segments": serializers.ListField(child=serializers.DictField()),
                "segment_migrations": serializers.ListField(child=serializers.DictField()),
                "pending": serializers.ListField(child=serializers.DictField()),
            },
        ),
        tags=["kpis"],
        description=(
            "Amounts are decimal strings, always per currency; rates are ratios (0.1234 = "
            "12.34 %) or null when there is nothing to divide by. Definitions: KPIS.md."
        ),
    )
    def get(self, request):
        form = kpi_form_from_query(request)
        return Response(jsonable(kpi_dashboard_cached(filters=form.filters())))


class SegmentSerializer(serializers.ModelSerializer):
    # null: a segment for every creditor.
    creditor = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    open_debts = serializers.SerializerMethodField()
    rules = serializers.SerializerMethodField()

    class Meta:
        model = SegmentDefinition
        fields = [
            "id",
            "code",
            "name",
            "creditor",
            "strategy",
            "priority",
            "is_catch_all",
            "is_active",
            "open_debts",
            "rules",
        ]

    def get_open_debts(self, obj) -> int:
        return self.context["counts"].get(obj.id, 0)

    def get_rules(self, obj) -> list[dict]:
        return [
            {
                "position": r.position,
                "aging_buckets": r.aging_buckets,
                "currency": r.currency,
                "balance_min": str(r.balance_min) if r.balance_min is not None else None,
                "balance_max": str(r.balance_max) if r.balance_max is not None else None,
                "products": r.products,
                "countries": r.countries,
                "regions": r.regions,
                "payment_behaviour": r.payment_behaviour,
                "score_min": r.score_min,
                "score_max": r.score_max,
            }
            for r in obj.rules.all()
        ]


class SegmentListApi(APIView):
    """Segments that apply to your creditors, in evaluation order, with open debts in each."""

    permission_classes = [IsManagerOrAdmin]

    @extend_schema(
        parameters=[OpenApiParameter("creditor", str, description="Creditor code")],
        responses=SegmentSerializer(many=True),
        tags=["kpis"],
    )
    def get(self, request):
        creditors = creditor_list(user=request.user)
        code = request.query_params.get("creditor")
        if code:
            if "\x00" in code or len(code) > 40:
                raise ValidationError({"creditor": ["Unknown creditor."]})
            creditors = creditors.filter(code=code)
            if not creditors.exists():
                raise ValidationError({"creditor": ["Unknown creditor."]})
        segments = (
            SegmentDefinition.objects.filter(Q(creditor__isnull=True) | Q(creditor__in=creditors))
            .select_related("creditor")
            .prefetch_related("rules")
            .order_by("priority", "id")
        )
        counts = segment_counts(creditor_ids=list(creditors.values_list("id", flat=True)))
        return Response(SegmentSerializer(segments, many=True, context={"counts": counts}).data)
