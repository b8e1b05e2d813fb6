"""`GET /api/v1/debts/{id}/statement/`: a debt's account statement from the ledger.

Served by the ledger (portfolio, which owns the debts API, sits below it) under the debts path,
with the same scoped lookup: a debt the user may not see is a 404, like a missing one.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.http import query_without_blanks
from ledger.forms.statement import StatementPeriodForm
from ledger.selectors.statement import debt_statement
from portfolio.selectors import debt_queryset

MONEY = {"max_digits": 18, "decimal_places": 2}


class ComponentsOutput(serializers.Serializer):
    principal = serializers.DecimalField(**MONEY)
    interest = serializers.DecimalField(**MONEY)
    fees = serializers.DecimalField(**MONEY)
    balance = serializers.DecimalField(**MONEY)


class ApplicationOutput(serializers.Serializer):
    """How a payment was applied, and whether it was reversed."""

    id = serializers.IntegerField(source="payment.pk")
    reference = serializers.CharField(source="payment.reference")
    paid_at = serializers.DateTimeField(source="payment.paid_at")
    amount = serializers.DecimalField(**MONEY)
    to_interest = serializers.DecimalField(**MONEY)
    to_principal = serializers.DecimalField(**MONEY)
    to_fees = serializers.DecimalField(**MONEY)
    recovery = serializers.BooleanField()
    reversed = serializers.BooleanField()
    reversed_on = serializers.DateField(allow_null=True)


class WriteOffOutput(serializers.Serializer):
    business_date = serializers.DateField()
    reason = serializers.CharField()
    principal = serializers.DecimalField(**MONEY)
    interest = serializers.DecimalField(**MONEY)
    fees = serializers.DecimalField(**MONEY)
    amount = serializers.DecimalField(**MONEY)


class LineOutput(serializers.Serializer):
    kind = serializers.CharField(
        help_text="An entry kind (accrual, fee, payment, recovery, reversal, forgiveness, "
        "adjustment) or write_off, an event that moves no balance."
    )
    label = serializers.CharField()
    posted_on = serializers.DateField()
    entry_id = serializers.IntegerField(allow_null=True)
    principal = serializers.DecimalField(source="delta.principal", **MONEY)
    interest = serializers.DecimalField(source="delta.interest", **MONEY)
    fees = serializers.DecimalField(source="delta.fees", **MONEY)
    amount = serializers.DecimalField(**MONEY)
    balance = ComponentsOutput()
    memo = serializers.CharField()
    recorded_by = serializers.SerializerMethodField()
    payment = ApplicationOutput(source="application", allow_null=True)
    write_off = WriteOffOutput(allow_null=True)

    def get_recorded_by(self, line) -> str | None:
        user = line.user
        return None if user is None else user.username


class StatementOutput(serializers.Serializer):
    debt = serializers.IntegerField(source="debt.pk")
    currency = serializers.CharField()
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    brought_forward = ComponentsOutput()
    opening = ComponentsOutput()
    lines = LineOutput(many=True)
    closing = ComponentsOutput()


class DebtStatementApi(APIView):
    """GET: the debt's statement for a period (both ends optional)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="A debt's account statement from the ledger",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First business day"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last business day"),
        ],
        responses=StatementOutput,
        description=(
            "The balance brought forward (what the creditor handed over and imports set), the "
            "opening balance on `from`, every entry in (business date, id) order with its "
            "principal, interest and fees and the running balance, how each payment was "
            "applied (reversals against their payment), the write-off as an event, and the "
            "closing balance on `to` (without `to`: the debt's balance today). Amounts are "
            "decimal strings in the debt's currency. An unreadable date, or `from` after `to`, "
            "is a 400 naming the field."
        ),
        tags=["debts"],
    )
    def get(self, request, pk):
        debt = get_object_or_404(
            debt_queryset(user=request.user).select_related("debtor", "creditor"), pk=pk
        )
        form = StatementPeriodForm(query_without_blanks(request.query_params))
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        statement = debt_statement(debt=debt, **form.period())
        return Response(StatementOutput(statement).data)
