"""REST `agreements` and `promises`: thin views over the agreements services and selectors."""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from agreements.models import AgreementStatus, PaymentAgreement, PromiseToPay
from agreements.selectors import agreement_detail_queryset, promise_queryset
from agreements.serializers import (
    AgreementInputSerializer,
    AgreementOutputSerializer,
    AgreementPreviewSerializer,
    DecisionInputSerializer,
    PromiseInputSerializer,
    PromiseOutputSerializer,
)
from agreements.services.lifecycle import (
    agreement_approve,
    agreement_cancel,
    agreement_create,
    agreement_preview,
    agreement_reject,
)
from agreements.services.promises import promise_create
from core.api import IsManagerOrAdmin
from core.dates import business_today
from core.exceptions import ApplicationError
from core.filters import DateFilter, IdFilter
from portfolio.selectors import debt_queryset

TERM_FIELDS = (
    "kind",
    "agreed_total",
    "discount_pct",
    "interest_waived",
    "fees_waived",
    "down_payment",
    "instalment_count",
    "frequency",
    "first_due_date",
    "grace_days",
    "channel",
)


class AgreementFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=AgreementStatus.choices)
    kind = django_filters.MultipleChoiceFilter(choices=PaymentAgreement.Kind.choices)
    creditor = django_filters.CharFilter(
        field_name="creditor__code", label=gettext_lazy("Creditor code")
    )
    debtor = IdFilter(field_name="debtor_id", label=gettext_lazy("Debtor"))
    debt = IdFilter(field_name="lines__debt_id", label=gettext_lazy("Debt"), distinct=True)
    proposed_from = DateFilter(field_name="proposed_on", lookup_expr="gte")
    proposed_to = DateFilter(field_name="proposed_on", lookup_expr="lte")

    class Meta:
        model = PaymentAgreement
        fields = []


def _terms(data) -> dict:
    return {name: data[name] for name in TERM_FIELDS if name in data}


@extend_schema_view(
    list=extend_schema(summary="List agreements", responses=AgreementOutputSerializer(many=True)),
    retrieve=extend_schema(
        summary="An agreement with its debts, instalments, changes and forgiveness",
        responses=AgreementOutputSerializer,
    ),
)
class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = AgreementOutputSerializer
    filterset_class = AgreementFilter
    ordering_fields = ["created_at", "agreed_total", "first_due_date", "proposed_on"]
    ordering = ["-created_at", "-id"]
    search_fields = ["debtor__full_name", "lines__debt__debt_ref"]

    def get_queryset(self):
        return agreement_detail_queryset(user=self.request.user)

    def _input(self, request):
        serializer = AgreementInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        summary="Propose an agreement (active within the limits, else pending approval)",
        request=AgreementInputSerializer,
        responses={
            201: AgreementOutputSerializer,
            400: OpenApiResponse(description="Field errors; nothing written."),
        },
    )
    def create(self, request):
        data = self._input(request)
        agreement = agreement_create(
            user=request.user,
            debt_ids=data["debts"],
            as_of=data.get("as_of") or business_today(),
            notes=data["notes"],
            accrual_frozen=data["accrual_frozen"],
            **_terms(data),
        )
        output = self.get_queryset().get(pk=agreement.pk)
        return Response(AgreementOutputSerializer(output).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Price proposed terms and show the exact schedule (nothing is written)",
        request=AgreementInputSerializer,
        responses={200: AgreementPreviewSerializer},
    )
    @action(detail=False, methods=["post"])
    def preview(self, request):
        data = self._input(request)
        terms = agreement_preview(
            user=request.user,
            debt_ids=data["debts"],
            as_of=data.get("as_of") or business_today(),
            **_terms(data),
        )
        return Response(AgreementPreviewSerializer(terms).data)

    def _decide(self, request, pk, service, *, reason_required: bool):
        agreement = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if reason_required and not data["reason"].strip():
            raise ApplicationError(_("Say why: a reason is required."), field="reason")
        service(
            agreement=agreement,
            user=request.user,
            as_of=data.get("as_of") or business_today(),
            reason=data["reason"],
        )
        return Response(AgreementOutputSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        summary="Approve an agreement pending approval, with a reason (managers of the creditor)",
        request=DecisionInputSerializer,
        responses=AgreementOutputSerializer,
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, IsManagerOrAdmin])
    def approve(self, request, pk=None):
        return self._decide(request, pk, agreement_approve, reason_required=True)

    @extend_schema(
        summary="Reject an agreement pending approval, with a reason",
        request=DecisionInputSerializer,
        responses=AgreementOutputSerializer,
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, IsManagerOrAdmin])
    def reject(self, request, pk=None):
        return self._decide(request, pk, agreement_reject, reason_required=True)

    @extend_schema(
        summary="Cancel an open agreement, with a reason (an active one returns its debts)",
        request=DecisionInputSerializer,
        responses=AgreementOutputSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._decide(request, pk, agreement_cancel, reason_required=True)


class PromiseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=PromiseToPay.Status.choices)
    debt = IdFilter(field_name="debt_id", label=gettext_lazy("Debt"))
    debtor = IdFilter(field_name="debtor_id", label=gettext_lazy("Debtor"))
    promised_from = DateFilter(field_name="promised_date", lookup_expr="gte")
    promised_to = DateFilter(field_name="promised_date", lookup_expr="lte")

    class Meta:
        model = PromiseToPay
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary="List promises to pay", responses=PromiseOutputSerializer(many=True)
    ),
    retrieve=extend_schema(summary="A promise to pay", responses=PromiseOutputSerializer),
)
class PromiseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = PromiseOutputSerializer
    filterset_class = PromiseFilter
    ordering_fields = ["promised_date", "amount", "created_at"]
    ordering = ["-promised_date", "-id"]
    search_fields = ["debt__debt_ref", "debtor__full_name"]

    def get_queryset(self):
        return promise_queryset(user=self.request.user).select_related("debt", "created_by")

    @extend_schema(
        summary="Record a promise to pay (the daily cycle marks it kept or broken)",
        request=PromiseInputSerializer,
        responses={201: PromiseOutputSerializer},
    )
    def create(self, request):
        serializer = PromiseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        debt = debt_queryset(user=request.user).filter(pk=data["debt"]).first()
        if debt is None:
            raise ApplicationError(_("Unknown debt."), field="debt")
        promise = promise_create(
            user=request.user,
            debt=debt,
            amount=data["amount"],
            promised_date=data["promised_date"],
            channel=data["channel"],
            note=data["note"],
            as_of=data.get("as_of") or business_today(),
        )
        return Response(
            PromiseOutputSerializer(self.get_queryset().get(pk=promise.pk)).data,
            status=status.HTTP_201_CREATED,
        )
