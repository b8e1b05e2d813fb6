"""REST `messages`: the outbox, read-only, scoped to the user."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from core.filters import DateFilter, IdFilter
from core.http import client_ip
from messaging.models import Message, MessageDebt
from messaging.selectors import message_queryset
from portfolio.models import Channel, DebtorDataAccess
from portfolio.services.data_access import debtor_data_access_record


class MessageFilter(django_filters.FilterSet):
    debt = IdFilter(method="filter_debt", label=_("Debt"))
    debtor = IdFilter(field_name="debtor_id", label=_("Debtor"))
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, label=_("Channel"))
    status = django_filters.MultipleChoiceFilter(choices=Message.Status.choices)
    template = django_filters.CharFilter(field_name="template", label=_("Template code"))
    date = DateFilter(field_name="business_date", label=_("Business date"))
    date_from = DateFilter(field_name="business_date", lookup_expr="gte")
    date_to = DateFilter(field_name="business_date", lookup_expr="lte")
    creditor = django_filters.CharFilter(field_name="creditor__code", label=_("Creditor code"))

    class Meta:
        model = Message
        fields = []

    def filter_debt(self, queryset, name, value):
        return queryset.filter(
            id__in=MessageDebt.objects.filter(debt_id=value).values("message_id")
        )


class MessageOutputSerializer(serializers.ModelSerializer):
    debts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    # In the request's language; the code and its params for machines.
    suppression_reason = serializers.CharField(source="suppression_display", read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "channel",
            "template",
            "to",
            "planned_for",
            "sent_at",
            "delivered_at",
            "status",
            "suppression_reason",
            "suppression_rule",
            "suppression_code",
            "suppression_params",
            "debtor",
            "debts",
            "stage",
            "purpose",
            "business_date",
            "language",
            "subject",
            "body",
            "provider_message_id",
            "attempts",
            "last_error",
            "idempotency_key",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="List outbox messages", responses=MessageOutputSerializer(many=True)
    ),
    retrieve=extend_schema(summary="Retrieve a message", responses=MessageOutputSerializer),
)
class MessageViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MessageOutputSerializer
    filterset_class = MessageFilter
    ordering_fields = ["planned_for", "sent_at", "business_date", "created_at"]
    ordering = ["-planned_for", "-id"]
    search_fields = ["to", "template", "suppression_rule"]

    def get_queryset(self):
        return message_queryset(user=self.request.user).prefetch_related("debts")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        results = response.data.get("results", []) if isinstance(response.data, dict) else []
        self._record(request, results)
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        self._record(request, [response.data])
        return response

    def _record(self, request, messages):
        # `to` is the debtor's phone number or e-mail address: a view of their contact data.
        debtor_data_access_record(
            user=request.user,
            debtor_ids=[m["debtor"] for m in messages],
            data=DebtorDataAccess.Data.CONTACTS,
            via=DebtorDataAccess.Via.API,
            ip_address=client_ip(request),
            purpose=request.get_full_path()[:100],
        )
