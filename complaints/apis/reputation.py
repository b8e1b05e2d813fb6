"""`GET /api/v1/complaints/kpis/`: the reputation page's figures (same form, same selector)."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.forms.reputation import ReputationFilterForm
from complaints.selectors.reputation import reputation_report
from core.dates import business_today
from core.roles import handles_complaints


class HandlesComplaints(BasePermission):
    """Complaints officers, managers and administrators (collectors get a 403)."""

    message = gettext_lazy("Only complaints officers, managers and administrators may do this.")

    def has_permission(self, request, view):
        return handles_complaints(request.user)


def _jsonable(value):
    """Rates and per-10,000 figures as exact decimal strings, dates as ISO strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _decimal(help_text: str, places: int = 4):
    return serializers.DecimalField(
        max_digits=12, decimal_places=places, allow_null=True, help_text=help_text
    )


class _Counts(serializers.Serializer):
    received = serializers.IntegerField(help_text="Complaints received in the period")
    answered = serializers.IntegerField(help_text="Of them, answered")
    on_time = serializers.IntegerField(help_text="Answered by the answer date")
    late = serializers.IntegerField(help_text="Answered late, or open past the answer date")
    due = serializers.IntegerField(help_text="Answered, or open past the answer date")
    on_time_rate = _decimal("on_time / due (null when none is due)")
    median_days = _decimal("Median calendar days from received to answered", 1)
    open = serializers.IntegerField(help_text="Of the period's complaints, still open")
    overdue = serializers.IntegerField(help_text="Of the period's complaints, open past due")
    per_10k = _decimal("Complaints per 10,000 accounts worked (or messages sent)", 2)


class _Headline(_Counts):
    accounts_worked = serializers.IntegerField(
        help_text="Distinct debts with a contact logged or a message sent in the period"
    )
    open_now = serializers.IntegerField(help_text="Open now, whenever received")
    overdue_now = serializers.IntegerField(help_text="Open now and past the answer date")


class _Row(_Counts):
    key = serializers.JSONField(
        allow_null=True,
        help_text="The code (type, cause, channel, template) or id (creditor, collector); "
        "null for complaints without one",
    )
    label = serializers.CharField()
    share = _decimal("Share of the period's complaints")
    worked = serializers.IntegerField(
        required=False, help_text="creditor / collector: accounts worked"
    )
    messages_sent = serializers.IntegerField(
        required=False, allow_null=True, help_text="template: messages sent in the period"
    )


class _Month(_Counts):
    month = serializers.DateField(help_text="First day of the month")
    accounts_worked = serializers.IntegerField()


class _Breakdowns(serializers.Serializer):
    kind = _Row(many=True)
    root_cause = _Row(many=True)
    creditor = _Row(many=True)
    collector = _Row(many=True, help_text="The debt's assigned collector")
    channel = _Row(many=True, help_text="The channel the complaint came in through")
    template = _Row(many=True, help_text="The template of the message complained about")


class ReputationKpisOut(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    as_of = serializers.DateField(help_text="The business date open and overdue are read at")
    headline = _Headline()
    breakdowns = _Breakdowns()
    trend = _Month(many=True, help_text="The 12 months up to the period's end")


class ReputationKpisApi(APIView):
    """Complaint KPIs: per 10,000 accounts worked, on-time rate, median days, by type, root
    cause, creditor, collector, channel and template, and the 12-month trend."""

    permission_classes = [HandlesComplaints]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="First day received (default: 90 days)"
            ),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, description="Last day received (default: today)"
            ),
            OpenApiParameter("creditor", str, description="Creditor code"),
        ],
        responses=ReputationKpisOut,
        tags=["complaints"],
        description=(
            "Rates are ratios (0.1234 = 12.34 %) and figures decimal strings, null when there "
            "is nothing to divide by. At most 366 days at a time. Unknown or unreadable "
            "parameters are a 400 naming the field."
        ),
    )
    def get(self, request):
        form = ReputationFilterForm(request.query_params, user=request.user, as_of=business_today())
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        return Response(_jsonable(reputation_report(user=request.user, filters=form.filters())))
