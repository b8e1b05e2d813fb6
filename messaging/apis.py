"""REST `messages` (the outbox, read-only) and `inbound-messages` (the team inbox, with its
mark-handled action), scoped to the user; `message-template-versions`: the templates' versions
with their WhatsApp provider template and its approval."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api import IsManagerOrAdmin
from core.filters import DateFilter, IdFilter, IsoDateTimeFilter
from core.http import client_ip
from messaging.models import (
    ApprovalStatus,
    InboundChannel,
    InboundMessage,
    InboundStatus,
    MatchStatus,
    Message,
    MessageDebt,
    MessageTemplateVersion,
)
from messaging.selectors import message_queryset, template_version_queryset
from messaging.selectors.inbound import inbound_queryset
from messaging.services.inbox import inbound_mark_handled
from messaging.services.template_approval import (
    APPROVAL_ACTIONS,
    template_version_approval,
    template_version_provider_set,
)
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


class ContactsSeenMixin:
    """A read-only viewset whose rows show debtors' phone numbers or e-mail addresses (a
    message's `to`, an inbound's `address`): each answer records a view of their contact data
    (Ley 1581, portfolio.services.data_access), one row per debtor."""

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        results = response.data.get("results", []) if isinstance(response.data, dict) else []
        self._contacts_seen(request, results)
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        self._contacts_seen(request, [response.data])
        return response

    def _contacts_seen(self, request, rows):
        debtor_data_access_record(
            user=request.user,
            debtor_ids=[row["debtor"] for row in rows if row["debtor"]],
            data=DebtorDataAccess.Data.CONTACTS,
            via=DebtorDataAccess.Via.API,
            ip_address=client_ip(request),
            purpose=request.get_full_path()[:100],
        )


@extend_schema_view(
    list=extend_schema(
        summary="List outbox messages", responses=MessageOutputSerializer(many=True)
    ),
    retrieve=extend_schema(summary="Retrieve a message", responses=MessageOutputSerializer),
)
class MessageViewSet(ContactsSeenMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MessageOutputSerializer
    filterset_class = MessageFilter
    ordering_fields = ["planned_for", "sent_at", "business_date", "created_at"]
    ordering = ["-planned_for", "-id"]
    search_fields = ["to", "template", "suppression_rule"]

    def get_queryset(self):
        return message_queryset(user=self.request.user).prefetch_related("debts")


# --- inbound messages: the team inbox --------------------------------------------------------


class InboundMessageFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=InboundStatus.choices)
    channel = django_filters.MultipleChoiceFilter(choices=InboundChannel.choices)
    match_status = django_filters.MultipleChoiceFilter(choices=MatchStatus.choices)
    debtor = IdFilter(field_name="debtor_id", label=_("Debtor"))
    debt = IdFilter(field_name="debt_id", label=_("Debt"))
    assigned_to = IdFilter(field_name="assigned_to_id", label=_("Assigned to (user id)"))
    # A choice, not a BooleanFilter: that one reads any other value as "no filter".
    unassigned = django_filters.ChoiceFilter(
        choices=[("true", _("Yes")), ("false", _("No"))],
        method="unassigned_filter",
        label=_("Unassigned"),
    )
    received_from = IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_to = IsoDateTimeFilter(field_name="received_at", lookup_expr="lte")
    creditor = django_filters.CharFilter(field_name="creditor__code", label=_("Creditor code"))

    class Meta:
        model = InboundMessage
        fields = []

    def unassigned_filter(self, queryset, name, value):
        return queryset.filter(assigned_to__isnull=value == "true")


class InboundMessageOutputSerializer(serializers.ModelSerializer):
    assigned_to = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    handled_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    in_reply_to = serializers.SlugRelatedField(
        slug_field="idempotency_key", read_only=True, allow_null=True
    )

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
class InboundMessageViewSet(ContactsSeenMixin, viewsets.ReadOnlyModelViewSet):
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

    @extend_schema(
        summary="Mark an inbound message handled (who and when are recorded; idempotent)",
        request=None,
        responses=InboundMessageOutputSerializer,
    )
    @action(detail=True, methods=["post"], url_path="mark-handled")
    def mark_handled(self, request, pk=None):
        inbound = inbound_mark_handled(inbound=self.get_object(), actor=request.user)
        return Response(InboundMessageOutputSerializer(inbound).data)


class TemplateVersionFilter(django_filters.FilterSet):
    template = IdFilter(field_name="template_id", label=_("Template"))
    code = django_filters.CharFilter(field_name="template__code", label=_("Template code"))
    channel = django_filters.MultipleChoiceFilter(
        field_name="template__channel", choices=Channel.choices, label=_("Channel")
    )
    approval_status = django_filters.MultipleChoiceFilter(
        choices=ApprovalStatus.choices, label=_("Approval status")
    )

    class Meta:
        model = MessageTemplateVersion
        fields = []


class TemplateVersionOutputSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="template.code")
    channel = serializers.CharField(source="template.channel")
    language = serializers.CharField(source="template.language")
    creditor = serializers.IntegerField(source="template.creditor_id", allow_null=True)
    approval_status_display = serializers.CharField(source="get_approval_status_display")
    approval_changed_by = serializers.CharField(
        source="approval_changed_by.username", allow_null=True, default=None
    )

    class Meta:
        model = MessageTemplateVersion
        fields = [
            "id",
            "template",
            "code",
            "channel",
            "language",
            "creditor",
            "number",
            "subject",
            "body",
            "is_active",
            "created_at",
            "provider_template_id",
            "provider_variables",
            "approval_status",
            "approval_status_display",
            "approval_changed_at",
            "approval_changed_by",
        ]
        read_only_fields = fields


class ProviderTemplateInputSerializer(serializers.Serializer):
    provider_template_id = serializers.CharField(
        max_length=34, allow_blank=True, trim_whitespace=True
    )
    provider_variables = serializers.JSONField(
        help_text=_('Twilio variable number -> context name, e.g. {"1": "first_name"}.')
    )
    note = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")


class ApprovalInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(APPROVAL_ACTIONS))
    note = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")


@extend_schema_view(
    list=extend_schema(
        summary="List template versions with their provider template and approval",
        responses=TemplateVersionOutputSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="Retrieve a template version", responses=TemplateVersionOutputSerializer
    ),
)
class TemplateVersionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TemplateVersionOutputSerializer
    filterset_class = TemplateVersionFilter
    ordering_fields = ["created_at", "number"]
    ordering = ["template_id", "-number"]
    permission_classes = [IsAuthenticated, IsManagerOrAdmin]

    def get_queryset(self):
        return template_version_queryset(user=self.request.user)

    def _output(self, pk):
        return Response(TemplateVersionOutputSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        summary="Set a WhatsApp version's Twilio Content SID and variables (back to draft)",
        request=ProviderTemplateInputSerializer,
        responses={
            200: TemplateVersionOutputSerializer,
            400: OpenApiResponse(description="Field errors; nothing written."),
        },
    )
    @action(detail=True, methods=["post"], url_path="provider-template")
    def provider_template(self, request, pk=None):
        version = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = ProviderTemplateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template_version_provider_set(
            version=version,
            user=request.user,
            provider_template_id=data["provider_template_id"],
            provider_variables=data["provider_variables"],
            note=data["note"],
        )
        return self._output(pk)

    @extend_schema(
        summary="Move a WhatsApp version's approval: submit, approve, reject, pause, revise",
        request=ApprovalInputSerializer,
        responses={
            200: TemplateVersionOutputSerializer,
            400: OpenApiResponse(description="Not allowed from its status; nothing written."),
        },
    )
    @action(detail=True, methods=["post"])
    def approval(self, request, pk=None):
        version = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = ApprovalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template_version_approval(
            version=version, user=request.user, action=data["action"], note=data["note"]
        )
        return self._output(pk)
