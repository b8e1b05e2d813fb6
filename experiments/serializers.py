"""API payloads of experiments (Input/Output, documented in the OpenAPI schema)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.forms import ID_MAX
from experiments.models import (
    Arm,
    ArmRole,
    Experiment,
    ExperimentChange,
    Metric,
    Subject,
)


def record_id(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


PCT = {
    "max_digits": 5,
    "decimal_places": 2,
    "min_value": Decimal("0.01"),
    "max_value": Decimal("99.99"),
}


# --- output ------------------------------------------------------------------------------------


class ArmOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Arm
        fields = [
            "id",
            "code",
            "name",
            "role",
            "weight",
            "status",
            "policy_version",
            "template_version",
            "offer",
            "send_from_hour",
            "send_to_hour",
            "stopped_at",
            "stopped_reason",
        ]
        read_only_fields = fields


class ChangeOutputSerializer(serializers.ModelSerializer):
    changed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ExperimentChange
        fields = ["action", "arm", "note", "changed_by", "changed_at"]
        read_only_fields = fields


class ExperimentOutputSerializer(serializers.ModelSerializer):
    """An experiment with its arms nested."""

    arms = ArmOutputSerializer(many=True, read_only=True)
    creditor_code = serializers.CharField(source="creditor.code", read_only=True)
    guardrails = serializers.DictField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Experiment
        fields = [
            "id",
            "name",
            "creditor",
            "creditor_code",
            "segment",
            "subject",
            "primary_metric",
            "hypothesis",
            "starts_on",
            "ends_on",
            "baseline_rate",
            "minimum_lift",
            "guardrails",
            "status",
            "started_at",
            "ended_at",
            "winner",
            "promoted_version_id",
            "arms",
        ]
        read_only_fields = fields


class ExperimentDetailOutputSerializer(ExperimentOutputSerializer):
    """An experiment with its arms and its change history."""

    changes = ChangeOutputSerializer(many=True, read_only=True)

    class Meta(ExperimentOutputSerializer.Meta):
        fields = [*ExperimentOutputSerializer.Meta.fields, "changes"]
        read_only_fields = fields


class CalculatorOutputSerializer(serializers.Serializer):
    per_arm = serializers.IntegerField(help_text=_("Accounts each arm needs."))
    smallest_share_pct = serializers.IntegerField(allow_null=True)
    days_to_supply = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Days until the smallest arm has them (0: already; null: the segment has no "
            "inflow and not enough debtors today, or no creditor was given)."
        ),
    )


# --- input -------------------------------------------------------------------------------------


class OfferInputSerializer(serializers.Serializer):
    max_instalments = serializers.IntegerField(min_value=1, max_value=360, required=False)
    min_down_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), required=False
    )
    early_payment_discount_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), required=False
    )


class ArmInputSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=20)
    name = serializers.CharField(max_length=120)
    role = serializers.ChoiceField(choices=ArmRole.choices)
    weight = serializers.IntegerField(min_value=1, max_value=99, help_text=_("Share in %."))
    policy_version = record_id(required=False, allow_null=True)
    template_version = record_id(required=False, allow_null=True)
    offer = OfferInputSerializer(required=False)
    send_from_hour = serializers.IntegerField(
        min_value=0, max_value=23, required=False, allow_null=True
    )
    send_to_hour = serializers.IntegerField(
        min_value=1, max_value=24, required=False, allow_null=True
    )


class GuardrailsInputSerializer(serializers.Serializer):
    complaints_per_1000 = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal(0), required=False
    )
    opt_out_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), required=False
    )
    suppressed_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), required=False
    )
    contacts_per_payment = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal(0), required=False
    )


class ExperimentInputSerializer(serializers.Serializer):
    creditor = record_id()
    segment = record_id(required=False, allow_null=True)
    name = serializers.CharField(max_length=120)
    hypothesis = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    subject = serializers.ChoiceField(choices=Subject.choices)
    primary_metric = serializers.ChoiceField(choices=Metric.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    baseline_rate = serializers.DecimalField(required=False, allow_null=True, **PCT)
    minimum_lift = serializers.DecimalField(required=False, allow_null=True, **PCT)
    guardrails = GuardrailsInputSerializer(required=False)
    arms = ArmInputSerializer(many=True, min_length=2, max_length=10)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class StopArmInputSerializer(serializers.Serializer):
    arm = record_id()
    reason = serializers.CharField(max_length=500)


class PromoteInputSerializer(serializers.Serializer):
    arm = record_id()
    note = serializers.CharField(max_length=500)


class CalculatorInputSerializer(serializers.Serializer):
    baseline_pct = serializers.DecimalField(**PCT)
    lift_pct = serializers.DecimalField(**PCT)
    alpha = serializers.FloatField(min_value=0.001, max_value=0.5, required=False, default=0.05)
    power = serializers.FloatField(min_value=0.5, max_value=0.999, required=False, default=0.8)
    creditor = record_id(required=False)
    segment = record_id(required=False)
    share_pct = serializers.IntegerField(min_value=1, max_value=99, required=False, default=50)
