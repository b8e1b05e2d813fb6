"""REST API for the escalation ladder: a debt's transitions and holds (disputes included)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from collections_app.models import EscalationPolicyVersion
from collections_app.selectors.escalation import stage_changes_for_debt
from collections_app.services.holds import hold_place
from collections_app.services.transitions import (
    MANUAL_TRANSITIONS,
    available_transitions,
    debt_transition,
)
from core.api import BusinessDateField, IsManagerOrAdmin
from core.dates import business_today
from ledger.models import WriteOffReason
from portfolio.apis import as_of_param
from portfolio.models import Debt, Hold, Stage
from portfolio.selectors import debt_queryset, holds_for_debt
from portfolio.services.holds import hold_close


def _visible_debt(request, pk) -> Debt:
    # Scoped lookup: a debt the user may not see is a 404, exactly like one that does not exist.
    return get_object_or_404(debt_queryset(user=request.user), pk=pk)


class StageChangeSerializer(serializers.Serializer):
    from_stage = serializers.CharField()
    to_stage = serializers.CharField()
    transition = serializers.CharField()
    actor = serializers.SerializerMethodField()
    business_date = serializers.DateField()
    occurred_at = serializers.DateTimeField()
    # In the request's language; the code and its params for machines.
    reason = serializers.CharField(source="reason_display")
    reason_code = serializers.CharField()
    reason_params = serializers.JSONField()
    policy_version = serializers.SerializerMethodField()

    def get_actor(self, obj) -> str:
        return obj.actor.username if obj.actor_id else "system"

    def get_policy_version(self, obj) -> str | None:
        # stage_changes_for_debt attaches the versions; a single new change looks its up.
        version = getattr(obj, "policy_version", None)
        if version is None and obj.policy_version_id:
            version = (
                EscalationPolicyVersion.objects.select_related("policy")
                .filter(pk=obj.policy_version_id)
                .first()
            )
        return f"{version.policy.name} v{version.number}" if version else None


class ReasonCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class AvailableTransitionSerializer(serializers.Serializer):
    transition = serializers.CharField()
    target = serializers.CharField()
    allowed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    reason_required = serializers.BooleanField()
    reason_codes = ReasonCodeSerializer(
        many=True, help_text="The codes to say why (a write-off's write_off_reason)."
    )


class HoldSerializer(serializers.ModelSerializer):
    # null for a hold the system placed, and closed_by until the hold is closed.
    opened_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    is_open = serializers.BooleanField(read_only=True)
    scope = serializers.SerializerMethodField()

    class Meta:
        model = Hold
        fields = [
            "id",
            "kind",
            "scope",
            "debt",
            "debtor",
            "reason",
            "source",
            "opened_by",
            "opened_at",
            "is_open",
            "closed_by",
            "closed_at",
            "outcome",
            "resolution_note",
        ]

    def get_scope(self, obj) -> str:
        return "debt" if obj.debt_id else "debtor"


class TransitionInput(serializers.Serializer):
    transition = serializers.ChoiceField(choices=MANUAL_TRANSITIONS)
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    write_off_reason = serializers.ChoiceField(
        choices=WriteOffReason.choices,
        required=False,
        help_text="Required for write_off: why the creditor takes the debt off its books.",
    )
    as_of = BusinessDateField(required=False)


class DebtTransitionsApi(APIView):
    """GET: the debt's stage history and the transitions you may run. POST: run one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("as_of", str, description="Business date (YYYY-MM-DD)")],
        responses=inline_serializer(
            "DebtTransitions",
            {
                "stage": serializers.ChoiceField(choices=Stage.choices),
                "available": AvailableTransitionSerializer(many=True),
                "history": StageChangeSerializer(many=True),
            },
        ),
        tags=["debts"],
    )
    def get(self, request, pk):
        debt = _visible_debt(request, pk)
        as_of = as_of_param(request)
        return Response(
            {
                "stage": debt.stage,
                "available": available_transitions(debt=debt, user=request.user, as_of=as_of),
                "history": StageChangeSerializer(stage_changes_for_debt(debt=debt), many=True).data,
            }
        )

    @extend_schema(
        request=TransitionInput,
        responses={201: StageChangeSerializer},
        tags=["debts"],
    )
    def post(self, request, pk):
        debt = _visible_debt(request, pk)
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        change = debt_transition(
            debt=debt,
            transition_name=data.validated_data["transition"],
            user=request.user,
            as_of=data.validated_data.get("as_of") or business_today(),
            reason=data.validated_data["reason"],
            write_off_reason=data.validated_data.get("write_off_reason", ""),
        )
        return Response(StageChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class HoldInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Hold.Kind.choices, required=False)
    reason = serializers.CharField(max_length=5000)


class DebtHoldsApi(APIView):
    """GET: every hold touching the debt. POST: place a hold (a dispute under /disputes/)."""

    permission_classes = [IsAuthenticated]
    fixed_kind: str | None = None

    @extend_schema(responses=HoldSerializer(many=True), tags=["debts"])
    def get(self, request, pk):
        debt = _visible_debt(request, pk)
        holds = holds_for_debt(debt=debt)
        if self.fixed_kind:
            holds = holds.filter(kind=self.fixed_kind)
        return Response(HoldSerializer(holds, many=True).data)

    @extend_schema(request=HoldInput, responses={201: HoldSerializer}, tags=["debts"])
    def post(self, request, pk):
        debt = _visible_debt(request, pk)
        data = HoldInput(data=request.data)
        data.is_valid(raise_exception=True)
        kind = self.fixed_kind or data.validated_data.get("kind")
        if not kind:
            raise serializers.ValidationError({"kind": ["This field is required."]})
        hold = hold_place(
            debt=debt,
            kind=kind,
            reason=data.validated_data["reason"],
            source=Hold.Source.API,
            user=request.user,
            channel="api",
        )
        return Response(HoldSerializer(hold).data, status=status.HTTP_201_CREATED)


class DebtDisputesApi(DebtHoldsApi):
    """GET: the debt's disputes. POST: open a dispute (stops contact and escalation)."""

    fixed_kind = Hold.Kind.DISPUTE


class HoldCloseInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Hold.Outcome.choices)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class HoldCloseApi(APIView):
    """POST: a manager resolves a dispute or lifts a hold, with an outcome."""

    permission_classes = [IsAuthenticated, IsManagerOrAdmin]

    @extend_schema(request=HoldCloseInput, responses=HoldSerializer, tags=["debts"])
    def post(self, request, pk):
        visible_debtors = debt_queryset(user=request.user).values("debtor_id")
        hold = get_object_or_404(Hold.objects.filter(debtor_id__in=visible_debtors), pk=pk)
        data = HoldCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        hold = hold_close(
            hold=hold,
            user=request.user,
            outcome=data.validated_data["outcome"],
            note=data.validated_data["note"],
        )
        return Response(HoldSerializer(hold).data)
