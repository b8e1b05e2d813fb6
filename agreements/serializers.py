"""API payloads of agreements and promises (Input/Output, documented in the OpenAPI schema)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.models import (
    AgreementChange,
    AgreementDebt,
    AgreementStatus,
    Forgiveness,
    Instalment,
    NegotiationChannel,
    PaymentAgreement,
    PromiseToPay,
)
from core.api import BusinessDateField

MAX_ID = 2**63 - 1


def money(**kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=2, **kwargs)


class AgreementInputSerializer(serializers.Serializer):
    debts = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=50,
        help_text="Ids of the debts (same debtor, same currency).",
    )
    kind = serializers.ChoiceField(choices=PaymentAgreement.Kind.choices)
    agreed_total = money(
        required=False, help_text="Total to pay; default: the balance less waivers and discount."
    )
    discount_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        required=False,
        min_value=0,
        max_value=Decimal("99.99"),
        help_text="Discount on the balance less waivers, when no agreed_total is given.",
    )
    interest_waived = money(required=False, min_value=0)
    fees_waived = money(required=False, min_value=0)
    down_payment = money(
        required=False, min_value=0, help_text="Instalment 0, due on the first due date."
    )
    instalment_count = serializers.IntegerField(min_value=1, max_value=360)
    frequency = serializers.ChoiceField(choices=PaymentAgreement.Frequency.choices)
    first_due_date = serializers.DateField()
    grace_days = serializers.IntegerField(min_value=0, max_value=60, required=False)
    channel = serializers.ChoiceField(choices=NegotiationChannel.choices)
    accrual_frozen = serializers.BooleanField(
        required=False,
        default=True,
        help_text="The terms freeze late interest on the debts while the agreement is active.",
    )
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    as_of = BusinessDateField(required=False, help_text="Business date (default: today).")

    class Meta:
        ref_name = "AgreementInput"


class ScheduleLineSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    amount = money()


class AgreementPreviewSerializer(serializers.Serializer):
    kind = serializers.CharField()
    currency = serializers.CharField()
    balance = money()
    interest_waived = money()
    fees_waived = money()
    agreed_total = money()
    discount_amount = money()
    discount_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    down_payment = money()
    instalment_count = serializers.IntegerField()
    frequency = serializers.CharField()
    first_due_date = serializers.DateField()
    grace_days = serializers.IntegerField()
    early_total = money(allow_null=True)
    early_deadline = serializers.DateField(allow_null=True)
    needs_approval = serializers.BooleanField()
    approval_reasons = serializers.ListField(child=serializers.CharField())
    schedule = ScheduleLineSerializer(many=True)


class InstalmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instalment
        fields = ["number", "due_date", "amount", "paid_amount", "paid_at", "status"]
        read_only_fields = fields


class AgreementDebtSerializer(serializers.ModelSerializer):
    debt_ref = serializers.CharField(source="debt.debt_ref", read_only=True)
    stage = serializers.CharField(source="debt.stage", read_only=True)

    class Meta:
        model = AgreementDebt
        fields = ["debt", "debt_ref", "stage", "stage_at_start", "balance_at_start", "share"]
        read_only_fields = fields


class AgreementChangeSerializer(serializers.ModelSerializer):
    from_status = serializers.SerializerMethodField(
        help_text="null on the first change: the agreement had no status before it."
    )
    actor = serializers.SerializerMethodField()
    # In the request's language; the code and its params for machines.
    reason = serializers.CharField(source="reason_display", read_only=True)
    reason_code = serializers.CharField(read_only=True)
    reason_params = serializers.JSONField(read_only=True)

    class Meta:
        model = AgreementChange
        fields = [
            "from_status",
            "to_status",
            "actor",
            "reason",
            "reason_code",
            "reason_params",
            "business_date",
            "occurred_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=AgreementStatus.choices, allow_null=True))
    def get_from_status(self, obj) -> str | None:
        # Stored blank (the column is not nullable); the API says "none" the JSON way.
        return obj.from_status or None

    def get_actor(self, obj) -> str:
        return obj.actor.username if obj.actor_id else "system"


class ForgivenessSerializer(serializers.ModelSerializer):
    approved_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Forgiveness
        fields = ["debt", "amount", "currency", "approved_by", "business_date"]
        read_only_fields = fields


class AgreementOutputSerializer(serializers.ModelSerializer):
    creditor = serializers.CharField(source="creditor.code", read_only=True)
    debtor_name = serializers.CharField(source="debtor.full_name", read_only=True)
    # null once the user is deleted (and, for decided_by, until a manager decides).
    proposed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    debts = AgreementDebtSerializer(source="lines", many=True, read_only=True)
    instalments = InstalmentSerializer(many=True, read_only=True)
    changes = AgreementChangeSerializer(many=True, read_only=True)
    forgiveness = ForgivenessSerializer(many=True, read_only=True)
    approval_reasons = serializers.ListField(
        source="approval_reason_messages", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = PaymentAgreement
        fields = [
            "id",
            "status",
            "kind",
            "creditor",
            "debtor",
            "debtor_name",
            "currency",
            "balance_at_start",
            "interest_waived",
            "fees_waived",
            "discount_amount",
            "discount_pct",
            "agreed_total",
            "down_payment",
            "instalment_count",
            "frequency",
            "first_due_date",
            "grace_days",
            "early_total",
            "early_deadline",
            "channel",
            "accrual_frozen",
            "notes",
            "proposed_by",
            "proposed_on",
            "approval_reasons",
            "decided_by",
            "activated_on",
            "paid_amount",
            "ended_on",
            "debts",
            "instalments",
            "changes",
            "forgiveness",
            "created_at",
        ]
        read_only_fields = fields


class DecisionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    as_of = BusinessDateField(required=False)

    class Meta:
        ref_name = "AgreementDecisionInput"


class PromiseInputSerializer(serializers.Serializer):
    debt = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    amount = money()
    promised_date = serializers.DateField()
    channel = serializers.ChoiceField(choices=NegotiationChannel.choices)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    as_of = BusinessDateField(required=False)

    class Meta:
        ref_name = "PromiseInput"


class PromiseOutputSerializer(serializers.ModelSerializer):
    debt_ref = serializers.CharField(source="debt.debt_ref", read_only=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = PromiseToPay
        fields = [
            "id",
            "debt",
            "debt_ref",
            "debtor",
            "amount",
            "currency",
            "promised_date",
            "grace_days",
            "channel",
            "note",
            "status",
            "made_on",
            "paid_amount",
            "resolved_on",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields
