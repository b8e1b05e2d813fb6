"""REST API of logged contacts: /api/v1/interactions/ (list scoped to the user, create)."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from collections_app.models import Interaction
from collections_app.services.workspace import interaction_log
from core.api import AwareDateTimeField, BusinessDateField
from core.dates import business_today
from core.exceptions import ApplicationError
from core.filters import IdFilter, IsoDateTimeFilter
from portfolio.selectors import debt_queryset


class InteractionOutputSerializer(serializers.ModelSerializer):
    debt_ref = serializers.CharField(source="debt.debt_ref", read_only=True)
    collector = serializers.CharField(
        source="collector.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Interaction
        fields = [
            "id",
            "debt",
            "debt_ref",
            "debtor",
            "collector",
            "channel",
            "outcome",
            "note",
            "nonpayment_reason",
            "occurred_at",
            "duration_seconds",
            "promise",
            "task",
            "hold",
            "created_at",
        ]


class InteractionInputSerializer(serializers.Serializer):
    debt = serializers.IntegerField(min_value=1)
    channel = serializers.ChoiceField(choices=Interaction.Channel.choices)
    outcome = serializers.ChoiceField(choices=Interaction.Outcome.choices)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    occurred_at = AwareDateTimeField(required=False)
    duration_seconds = serializers.IntegerField(
        min_value=0, max_value=4 * 3600, required=False, allow_null=True
    )
    nonpayment_reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    promise_amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    promise_date = serializers.DateField(required=False, allow_null=True)
    callback_at = AwareDateTimeField(required=False, allow_null=True)
    as_of = BusinessDateField(required=False)


class InteractionFilter(django_filters.FilterSet):
    debt = IdFilter(field_name="debt_id")
    debtor = IdFilter(field_name="debtor_id")
    channel = django_filters.ChoiceFilter(choices=Interaction.Channel.choices)
    outcome = django_filters.ChoiceFilter(choices=Interaction.Outcome.choices)
    occurred_from = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_to = IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte")

    class Meta:
        model = Interaction
        fields = []


class InteractionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Contact attempts on the debts the user may see (collector: their cases)."""

    permission_classes = [IsAuthenticated]
    serializer_class = InteractionOutputSerializer
    filterset_class = InteractionFilter
    ordering_fields = ["occurred_at"]
    ordering = ["-occurred_at", "-id"]

    def get_queryset(self):
        return Interaction.objects.filter(
            debt__in=debt_queryset(user=self.request.user)
        ).select_related("debt", "collector")

    @extend_schema(
        summary="Log a contact attempt (a promise, callback task or dispute hold with it)",
        request=InteractionInputSerializer,
        responses={
            201: InteractionOutputSerializer,
            400: OpenApiResponse(description="Field errors or a compliance refusal; no write."),
        },
    )
    def create(self, request):
        serializer = InteractionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        debt = debt_queryset(user=request.user).filter(pk=data["debt"]).first()
        if debt is None:
            raise ApplicationError(_("Unknown debt."), field="debt")
        interaction = interaction_log(
            user=request.user,
            debt=debt,
            channel=data["channel"],
            outcome=data["outcome"],
            as_of=data.get("as_of") or business_today(),
            note=data["note"],
            occurred_at=data.get("occurred_at"),
            duration_seconds=data.get("duration_seconds"),
            nonpayment_reason=data["nonpayment_reason"],
            promise_amount=data.get("promise_amount"),
            promise_date=data.get("promise_date"),
            callback_at=data.get("callback_at"),
        )
        output = self.get_queryset().get(pk=interaction.pk)
        return Response(InteractionOutputSerializer(output).data, status=status.HTTP_201_CREATED)
