"""REST `messages` (the outbox, read-only) and `inbound-messages` (the team inbox, with its
mark-handled action), scoped to the user."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.filters import DateFilter, IdFilter, IsoDateTimeFilter
from core.http import client_ip
from messaging.models import (
    InboundChannel,
    InboundMessage,
    InboundStatus,
    MatchStatus,
    Message,
    MessageDebt,
)
from messaging.selectors import message_queryset
from messaging.selectors.inbound import inbound_queryset
from messaging.services.inbox import inbound_mark_handled
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


# --- inbound messages: the team inbox --------------------------------------------------------


class InboundMessageFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=InboundStatus.choices)
    channel = django_filters.MultipleChoiceFilter(choices=InboundChannel.choices)
    match_status = django_filters.MultipleChoiceFilter(choices=MatchStatus.choices)
    debtor = IdFilter(field_name="debtor_id", label=_("Debtor"))
    debt = IdFilter(field_name="debt_id", label=_("Debt"))
    assigned_to = IdFilter(field_name="assigned_to_id", label=_("Assigned to (user id)"))
    unassigned = django_filters.BooleanFilter(
        field_name="assigned_to", lookup_expr="isnull", label=_("Unassigned")
    )
    received_from = IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_to = IsoDateTimeFilter(field_name="received_at", lookup_expr="lte")
    creditor = django_filters.CharFilter(field_name="creditor__code", label=_("Creditor code"))

    class Meta:
        model = InboundMessage
        fields = []


class InboundMessageOutputSerializer(serializers.ModelSerializer):
    assigned_to = serializers.SlugRelatedField(slug_field="username", read_only=True)
    handled_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    in_reply_to = serializers.SlugRelatedField(slug_field="idempotency_key", read_only=True)

    class Meta:
        model = InboundMessage
        fields = [
            "id",
            "channel",
            "address",
            "debtor",
            "debt",
            "match_status",
            "candidate_debtor_ids",
            "in_reply_to",
            "subject",
            "body",
            "provider",
            "provider_message_id",
            "received_at",
            "is_opt_out",
            "status",
            "assigned_to",
            "read_at",
            "handled_at",
            "handled_by",
            "complaint_id",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="List inbound messages (the team inbox)",
        responses=InboundMessageOutputSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="Retrieve an inbound message", responses=InboundMessageOutputSerializer
    ),
)
class InboundMessageViewSet(viewsets.ReadOnlyModelViewSet):
    """What debtors wrote back, scoped like the inbox page: a collector their cases', a
    manager their creditors' and the unmatched."""

    serializer_class = InboundMessageOutputSerializer
    filterset_class = InboundMessageFilter
    ordering_fields = ["received_at"]
    ordering = ["-received_at", "-id"]
    search_fields = ["address", "body", "subject", "debtor__full_name"]

    def get_queryset(self):
        return inbound_queryset(user=self.request.user).select_related(
            "assigned_to", "handled_by", "in_reply_to"
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        results = response.data.get("results", []) if isinstance(response.data, dict) else []
        self._record(request, results)
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        self._record(request, [response.data])
        return response

    def _record(self, request, rows):
        # `address` is the debtor's phone number or e-mail address: a view of their contacts.
        debtor_data_access_record(
            user=request.user,
            debtor_ids=[row["debtor"] for row in rows if row["debtor"]],
            data=DebtorDataAccess.Data.CONTACTS,
            via=DebtorDataAccess.Via.API,
            ip_address=client_ip(request),
            purpose=request.get_full_path()[:100],
        )

    @extend_schema(
        summary="Mark an inbound message handled (who and when are recorded; idempotent)",
        request=None,
        responses=InboundMessageOutputSerializer,
    )
    @action(detail=True, methods=["post"], url_path="mark-handled")
    def mark_handled(self, request, pk=None):
        inbound = inbound_mark_handled(inbound=self.get_object(), actor=request.user)
        return Response(InboundMessageOutputSerializer(inbound).data)
