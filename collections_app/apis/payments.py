"""REST `payments`: the ledger, scoped to the user; POST records one payment idempotently, and
POST `{id}/reverse/` reverses one (idempotently too)."""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from collections_app.services.payments import payment_record
from collections_app.services.reversals import payment_reverse
from core.api import AwareDateTimeField
from core.dates import business_today
from core.exceptions import ApplicationError
from core.filters import IdFilter, IsoDateTimeFilter
from core.roles import ADMIN, MANAGER, user_role
from ledger.models import PaymentReversal, ReversalReason, ReversalSource
from portfolio.models import Payment
from portfolio.selectors import creditor_list, debt_queryset, payment_queryset


class PaymentFilter(django_filters.FilterSet):
    debt = IdFilter(field_name="debt_id", label=gettext_lazy("Debt"))
    debt_ref = django_filters.CharFilter(
        field_name="debt__debt_ref", label=gettext_lazy("Debt ref")
    )
    creditor = django_filters.CharFilter(
        field_name="creditor__code", label=gettext_lazy("Creditor code")
    )
    method = django_filters.MultipleChoiceFilter(choices=Payment.Method.choices)
    source = django_filters.MultipleChoiceFilter(choices=Payment.Source.choices)
    currency = django_filters.CharFilter(field_name="currency", lookup_expr="iexact")
    paid_from = IsoDateTimeFilter(
        field_name="paid_at", lookup_expr="gte", label=gettext_lazy("Paid at or after")
    )
    paid_to = IsoDateTimeFilter(
        field_name="paid_at", lookup_expr="lte", label=gettext_lazy("Paid at or before")
    )

    class Meta:
        model = Payment
        fields = []


class PaymentReversalSerializer(serializers.ModelSerializer):
    reversed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = PaymentReversal
        fields = ["reason", "note", "source", "business_date", "reversed_at", "reversed_by"]
        read_only_fields = fields


class PaymentOutputSerializer(serializers.ModelSerializer):
    debt_ref = serializers.CharField(source="debt.debt_ref", read_only=True)
    # null while the payment stands.
    reversal = PaymentReversalSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "debt",
            "debt_ref",
            "amount",
            "currency",
            "paid_at",
            "method",
            "source",
            "reference",
            "allocated_fees",
            "allocated_interest",
            "allocated_principal",
            "recorded_by",
            "created_at",
            "reversed_at",
            "reversal",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="List payments", responses=PaymentOutputSerializer(many=True)),
    retrieve=extend_schema(summary="Retrieve a payment", responses=PaymentOutputSerializer),
)
class PaymentViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = PaymentFilter
    ordering_fields = ["paid_at", "amount", "created_at"]
    ordering = ["-paid_at", "-id"]
    search_fields = ["reference", "debt__debt_ref"]
    serializer_class = PaymentOutputSerializer

    class InputSerializer(serializers.Serializer):
        debt = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=2**63 - 1,
            help_text="Debt id (or give debt_ref).",
        )
        debt_ref = serializers.CharField(required=False, max_length=64)
        creditor = serializers.CharField(
            required=False, help_text="Creditor code; needed with debt_ref for several creditors."
        )
        amount = serializers.DecimalField(max_digits=18, decimal_places=2)
        currency = serializers.CharField(max_length=3)
        paid_at = AwareDateTimeField()
        method = serializers.ChoiceField(choices=Payment.Method.choices)
        reference = serializers.CharField(max_length=100)

        class Meta:
            ref_name = "PaymentInput"

        def validate(self, attrs):
            if not attrs.get("debt") and not attrs.get("debt_ref"):
                raise serializers.ValidationError({"debt": _("Give the debt id or its debt_ref.")})
            return attrs

    class ReverseInputSerializer(serializers.Serializer):
        reason = serializers.ChoiceField(choices=ReversalReason.choices)
        note = serializers.CharField(max_length=5000, required=False, allow_blank=True)

        class Meta:
            ref_name = "PaymentReverseInput"

    def get_queryset(self):
        return payment_queryset(user=self.request.user).select_related(
            "debt", "reversal__reversed_by"
        )

    @extend_schema(
        summary="Record a payment",
        request=InputSerializer,
        responses={
            201: OpenApiResponse(PaymentOutputSerializer, description="Payment recorded."),
            200: OpenApiResponse(
                PaymentOutputSerializer,
                description="Same reference and data already recorded: the existing payment.",
            ),
            400: OpenApiResponse(description="Field errors; nothing written."),
            403: OpenApiResponse(description="Only admins and the creditor's managers may post."),
        },
    )
    def create(self, request, *args, **kwargs):
        if user_role(request.user) not in (ADMIN, MANAGER):
            raise PermissionDenied(_("Only managers and administrators may record payments."))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        debt = None
        if data.get("debt"):
            # Only debts this user may see; others look exactly like unknown ones.
            debt = debt_queryset(user=request.user).select_related("creditor")
            debt = debt.filter(pk=data["debt"]).first()
            if debt is None:
                raise ApplicationError(_("Unknown debt."), field="debt")
            creditor = debt.creditor
        else:
            creditors = creditor_list(user=request.user)
            if data.get("creditor"):
                creditor = creditors.filter(code=data["creditor"]).first()
                if creditor is None:
                    raise ApplicationError(_("Unknown creditor."), field="creditor")
            else:
                found = list(creditors[:2])
                if len(found) != 1:
                    raise ApplicationError(
                        _("Give the creditor code: you work for several creditors."),
                        field="creditor",
                    )
                creditor = found[0]

        payment, created = payment_record(
            creditor=creditor,
            debt=debt,
            debt_ref=None if debt else data["debt_ref"],
            amount=data["amount"],
            currency=data["currency"],
            paid_at=data["paid_at"],
            method=data["method"],
            reference=data["reference"],
            source=Payment.Source.API,
            user=request.user,
        )
        return Response(
            PaymentOutputSerializer(payment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Reverse a payment",
        description=(
            "Undo a payment (bounced transfer, chargeback, mistake): its allocations go back on "
            "the debt, agreements, promises and the stage follow. Idempotent: a payment already "
            "reversed answers 200 with its reversal."
        ),
        request=ReverseInputSerializer,
        responses={
            201: OpenApiResponse(PaymentOutputSerializer, description="Payment reversed."),
            200: OpenApiResponse(
                PaymentOutputSerializer, description="Already reversed: the payment as it is."
            ),
            400: OpenApiResponse(description="Unknown reason or a note too long; nothing written."),
            403: OpenApiResponse(
                description="Only admins and the creditor's managers may reverse."
            ),
            404: OpenApiResponse(description="No such payment among those you may see."),
        },
    )
    @action(detail=True, methods=["post"], url_path="reverse", url_name="reverse")
    def reverse_payment(self, request, pk=None):
        payment = self.get_object()
        if user_role(request.user) not in (ADMIN, MANAGER):
            raise PermissionDenied(_("Only managers and administrators may reverse payments."))
        serializer = self.ReverseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _reversal, created = payment_reverse(
            payment_id=payment.pk,
            reason=serializer.validated_data["reason"],
            note=serializer.validated_data.get("note", ""),
            source=ReversalSource.API,
            user=request.user,
            business_date=business_today(),
        )
        payment = self.get_queryset().get(pk=payment.pk)
        return Response(
            PaymentOutputSerializer(payment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
