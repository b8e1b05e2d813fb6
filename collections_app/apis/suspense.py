"""REST `suspense`: money no debt could take, scoped to the user's creditors; apply or refund."""

from decimal import Decimal

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from collections_app.selectors.suspense import suspense_get, suspense_queryset
from collections_app.services.suspense import suspense_apply, suspense_refund
from core.api import IsManagerOrAdmin
from core.dates import business_today
from core.filters import DateFilter, IdFilter
from ledger.models import SuspenseItem, SuspenseMovement, SuspenseReason, SuspenseStatus


class SuspenseFilter(django_filters.FilterSet):
    creditor = IdFilter(field_name="creditor_id", label=gettext_lazy("Creditor id"))
    status = django_filters.ChoiceFilter(choices=SuspenseStatus.choices)
    reason = django_filters.ChoiceFilter(choices=SuspenseReason.choices)
    currency = django_filters.CharFilter(field_name="currency", lookup_expr="iexact")
    received_from = DateFilter(
        field_name="received_at",
        lookup_expr="date__gte",
        label=gettext_lazy("Received on or after"),
    )
    received_to = DateFilter(
        field_name="received_at",
        lookup_expr="date__lte",
        label=gettext_lazy("Received on or before"),
    )

    class Meta:
        model = SuspenseItem
        fields = []


class SuspenseMovementSerializer(serializers.ModelSerializer):
    class Meta:
        model = SuspenseMovement
        fields = [
            "id",
            "kind",
            "amount",
            "payment",
            "refund_reference",
            "note",
            "business_date",
            "created_at",
            "created_by",
        ]
        read_only_fields = fields


class SuspenseItemSerializer(serializers.ModelSerializer):
    remaining = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    movements = SuspenseMovementSerializer(many=True, read_only=True)

    class Meta:
        model = SuspenseItem
        fields = [
            "id",
            "creditor",
            "debtor",
            "debt",
            "amount",
            "currency",
            "received_at",
            "business_date",
            "reference",
            "quoted_reference",
            "method",
            "source",
            "reason",
            "applied_amount",
            "refunded_amount",
            "remaining",
            "status",
            "movements",
        ]
        read_only_fields = fields


class SuspenseApplyInputSerializer(serializers.Serializer):
    debt = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Debt id.")
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0.01"))

    class Meta:
        ref_name = "SuspenseApplyInput"


class SuspenseRefundInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0.01"))
    refund_reference = serializers.CharField(max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    class Meta:
        ref_name = "SuspenseRefundInput"


def _action_schema(summary, request):
    return extend_schema(
        summary=summary,
        request=request,
        responses={
            200: OpenApiResponse(SuspenseItemSerializer, description="The item as it now stands."),
            400: OpenApiResponse(description="Field errors; nothing written."),
            403: OpenApiResponse(description="Only admins and the creditor's managers."),
            404: OpenApiResponse(description="No such item among the user's creditors."),
        },
    )


@extend_schema_view(
    list=extend_schema(
        summary="List money in suspense", responses=SuspenseItemSerializer(many=True)
    ),
    retrieve=extend_schema(summary="Retrieve a suspense item", responses=SuspenseItemSerializer),
)
class SuspenseViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsManagerOrAdmin]
    lookup_value_regex = r"[0-9]+"
    filterset_class = SuspenseFilter
    serializer_class = SuspenseItemSerializer
    ordering_fields = ["received_at", "amount"]
    ordering = ["received_at", "id"]
    search_fields = ["reference", "quoted_reference"]

    def get_queryset(self):
        return suspense_queryset(user=self.request.user).prefetch_related("movements")

    def _done(self, pk):
        return Response(SuspenseItemSerializer(suspense_get(user=self.request.user, pk=pk)).data)

    def _item(self, pk):
        # Another creditor's item looks exactly like a missing one.
        return get_object_or_404(suspense_queryset(user=self.request.user), pk=pk)

    @_action_schema("Apply money in suspense to a debt (a payment of source suspense)",
                    SuspenseApplyInputSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        item = self._item(pk)
        serializer = SuspenseApplyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        suspense_apply(
            item_id=item.pk,
            debt_id=serializer.validated_data["debt"],
            amount=serializer.validated_data["amount"],
            user=request.user,
            business_date=business_today(),
        )
        return self._done(item.pk)

    @_action_schema("Record money in suspense refunded to the payer, with the refund's reference",
                    SuspenseRefundInputSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        item = self._item(pk)
        serializer = SuspenseRefundInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        suspense_refund(
            item_id=item.pk,
            amount=data["amount"],
            refund_reference=data["refund_reference"],
            note=data.get("note", ""),
            user=request.user,
            business_date=business_today(),
        )
        return self._done(item.pk)
