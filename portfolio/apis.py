"""REST API for debtors and debts: scoped reads, assignment, history and document access."""

import datetime

import django_filters
from django import forms
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api import IsManagerOrAdmin, StrictOrderingFilter, StrictSearchFilter
from core.dates import business_today
from core.forms import BoundedDateField
from core.http import client_ip
from core.reasons import reason_decode
from portfolio.filters import DebtFilter
from portfolio.models import Debt, DebtorDataAccess, Language
from portfolio.selectors import debt_queryset, debtor_queryset, prefetch_open_holds
from portfolio.serializers import (
    DebtAssignSerializer,
    DebtorDetailSerializer,
    DebtorDocumentSerializer,
    DebtorListSerializer,
    DebtSerializer,
    HistoryRecordSerializer,
    history_value,
)
from portfolio.services.data_access import debtor_data_access_record
from portfolio.services.debts import collector_get, debt_assign
from portfolio.services.documents import debtor_document_reveal

AS_OF_PARAMETER = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description=gettext_lazy("Business date for days_past_due (default: today)."),
)


def as_of_param(request) -> datetime.date:
    """The `as_of` query parameter as a date, today's business date when absent."""
    raw = request.query_params.get("as_of")
    if not raw:
        return business_today()
    try:
        return BoundedDateField().clean(raw)
    except forms.ValidationError as exc:
        raise ValidationError({"as_of": list(exc.messages)}) from exc


class DebtorFilter(django_filters.FilterSet):
    creditor = django_filters.CharFilter(
        field_name="creditor__code", label=gettext_lazy("Creditor code")
    )
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact", max_length=2)
    language = django_filters.ChoiceFilter(choices=Language.choices)


class DocumentQuerySerializer(serializers.Serializer):
    purpose = serializers.CharField(max_length=100, required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(summary="List debtors (document numbers masked)"),
    retrieve=extend_schema(summary="A debtor with contact points and visible debt ids"),
)
class DebtorViewSet(viewsets.ReadOnlyModelViewSet):
    filter_backends = [DjangoFilterBackend, StrictSearchFilter, StrictOrderingFilter]
    filterset_class = DebtorFilter
    search_fields = ["full_name", "document_number__compact", "=debtor_ref"]
    ordering_fields = ["full_name", "debtor_ref", "created_at"]
    ordering = ["full_name", "id"]

    def get_queryset(self):
        qs = debtor_queryset(user=self.request.user).select_related("creditor")
        if self.action == "retrieve":
            visible = debt_queryset(user=self.request.user).only("id", "debtor_id").order_by("id")
            qs = qs.prefetch_related(
                "contact_points", Prefetch("debts", queryset=visible, to_attr="visible_debts")
            )
        return qs

    def retrieve(self, request, *args, **kwargs):
        debtor = self.get_object()
        # The answer holds the debtor's address and contact points.
        debtor_data_access_record(
            user=request.user,
            debtor_ids=[debtor.pk],
            data=DebtorDataAccess.Data.CONTACTS,
            via=DebtorDataAccess.Via.API,
            ip_address=client_ip(request),
            purpose=request.path,
        )
        return Response(self.get_serializer(debtor).data)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return DebtorDetailSerializer
        if self.action == "document":
            return DebtorDocumentSerializer
        return DebtorListSerializer

    @extend_schema(
        summary="The full document number (managers/admins; the access is logged)",
        parameters=[OpenApiParameter("purpose", OpenApiTypes.STR)],
        responses=DebtorDocumentSerializer,
    )
    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated, IsManagerOrAdmin])
    def document(self, request, pk=None):
        query = DocumentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        debtor = self.get_object()
        debtor_document_reveal(
            debtor=debtor,
            user=request.user,
            via=DebtorDataAccess.Via.API,
            ip_address=client_ip(request),
            purpose=query.validated_data.get("purpose", ""),
        )
        return Response(DebtorDocumentSerializer(debtor).data)


@extend_schema_view(
    list=extend_schema(summary="List debts visible to you"),
    retrieve=extend_schema(summary="A debt", parameters=[AS_OF_PARAMETER]),
)
class DebtViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DebtSerializer
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = DebtFilter
    ordering_fields = ["due_date", "balance", "debt_ref", "stage"]
    ordering = ["due_date", "id"]

    def get_queryset(self):
        return prefetch_open_holds(
            debt_queryset(user=self.request.user).select_related(
                "creditor", "portfolio", "debtor", "assigned_to"
            )
        )

    def get_permissions(self):
        if self.action == "partial_update":
            return [IsAuthenticated(), IsManagerOrAdmin()]
        return super().get_permissions()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "request", None) is not None and not getattr(
            self, "swagger_fake_view", False
        ):
            context["as_of"] = as_of_param(self.request)
        return context

    @extend_schema(
        summary="Assign the debt to a collector (managers/admins)",
        request=DebtAssignSerializer,
        responses=DebtSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        debt = self.get_object()
        data = DebtAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        collector_id = data.validated_data["assigned_to"]
        collector = collector_get(user_id=collector_id) if collector_id is not None else None
        debt_assign(debt=debt, collector=collector, actor=request.user)
        debt = self.get_queryset().get(pk=debt.pk)
        return Response(self.get_serializer(debt).data)

    @extend_schema(
        summary="Change history of the debt, newest first",
        responses=HistoryRecordSerializer(many=True),
        filters=False,  # one debt's records: the debt list's filters do not apply to them
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        debt = self.get_object()
        records = list(
            Debt.history.filter(id=debt.pk)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        rows, previous = [], None
        for record in records:
            changes = []
            if previous is not None:
                delta = record.diff_against(previous, excluded_fields=["created_at", "updated_at"])
                changes = [
                    {
                        "field": change.field,
                        "old": history_value(change.old),
                        "new": history_value(change.new),
                    }
                    for change in delta.changes
                ]
            rows.append(
                {
                    "history_id": record.history_id,
                    "history_date": record.history_date,
                    "history_type": record.history_type,
                    "history_user": record.history_user,
                    "history_change_reason": (
                        reason_decode(record.history_change_reason)
                        if record.history_change_reason is not None
                        else None
                    ),
                    "changes": changes,
                }
            )
            previous = record
        rows.reverse()
        return Response(HistoryRecordSerializer(rows, many=True).data)
