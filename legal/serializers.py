"""API payloads of legal cases (Input/Output, documented in the OpenAPI schema)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import BusinessDateField
from legal.models import CaseOutcome, CaseState, LegalCase, LegalCaseChange, LegalDocument
from legal.services.cases import CASE_NUMBER_MAX, NOTE_MAX, TEXT_LIMITS, TRANSITION_FIELDS
from portfolio.models import Payment

# --- output ------------------------------------------------------------------------------------


class LegalCaseOutputSerializer(serializers.ModelSerializer):
    """A case as the lists show it."""

    debt_ref = serializers.CharField(source="debt.debt_ref", read_only=True)
    debtor_name = serializers.CharField(source="debt.debtor.full_name", read_only=True)
    creditor_code = serializers.CharField(source="creditor.code", read_only=True)
    firm_name = serializers.CharField(source="firm.name", read_only=True)
    lawyer_username = serializers.CharField(
        source="lawyer.username", read_only=True, default=None, allow_null=True
    )
    balance = serializers.DecimalField(
        source="debt.balance", max_digits=18, decimal_places=2, read_only=True
    )
    currency = serializers.CharField(source="debt.currency", read_only=True)
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices, allow_blank=True, read_only=True)
    state = serializers.ChoiceField(choices=CaseState.choices, read_only=True)

    class Meta:
        model = LegalCase
        fields = [
            "id",
            "state",
            "outcome",
            "debt",
            "debt_ref",
            "debtor_name",
            "creditor",
            "creditor_code",
            "firm",
            "firm_name",
            "lawyer",
            "lawyer_username",
            "balance",
            "currency",
            "court",
            "court_city",
            "case_number",
            "filed_on",
            "payment_order_on",
            "next_action",
            "next_action_on",
            "next_hearing_on",
            "prescription_basis",
            "handed_over_on",
            "closed_on",
        ]
        read_only_fields = fields


class LegalCaseDebtSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    debt_ref = serializers.CharField()
    debtor_name = serializers.CharField(source="debtor.full_name")
    stage = serializers.CharField()
    due_date = serializers.DateField()
    balance = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = serializers.CharField()


class LegalDocumentOutputSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = LegalDocument
        fields = [
            "id",
            "kind",
            "name",
            "content_type",
            "size",
            "sha256",
            "note",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_download_url(self, obj) -> str:
        return reverse("legal:document-download", args=[obj.case_id, obj.pk])


class LegalCaseChangeOutputSerializer(serializers.ModelSerializer):
    changed_by_username = serializers.CharField(
        source="changed_by.username", read_only=True, default=None, allow_null=True
    )
    from_state = serializers.ChoiceField(
        choices=CaseState.choices, allow_blank=True, read_only=True
    )
    to_state = serializers.ChoiceField(choices=CaseState.choices, allow_blank=True, read_only=True)

    class Meta:
        model = LegalCaseChange
        fields = [
            "id",
            "from_state",
            "to_state",
            "transition",
            "note",
            "changed_by",
            "changed_by_username",
            "changed_at",
        ]
        read_only_fields = fields


class LegalCasePaymentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "amount", "currency", "paid_at", "method", "reference"]
        read_only_fields = fields


class LegalCaseDetailOutputSerializer(LegalCaseOutputSerializer):
    """A case with its debt, files, record and the payments since the hand-off."""

    debt_summary = LegalCaseDebtSerializer(source="debt", read_only=True)
    documents = LegalDocumentOutputSerializer(many=True, read_only=True)
    changes = LegalCaseChangeOutputSerializer(many=True, read_only=True)
    payments = LegalCasePaymentOutputSerializer(
        many=True,
        read_only=True,
        source="payments_since_handover",
        help_text=_("Payments on the debt since it was handed over (the ledger's)."),
    )
    handover_note = serializers.CharField(read_only=True)

    class Meta(LegalCaseOutputSerializer.Meta):
        fields = [
            *LegalCaseOutputSerializer.Meta.fields,
            "handover_note",
            "debt_summary",
            "documents",
            "changes",
            "payments",
        ]
        read_only_fields = fields


# --- input -------------------------------------------------------------------------------------


class LegalCaseUpdateInputSerializer(serializers.Serializer):
    """The court details and the plan a lawyer or manager keeps up to date (all optional)."""

    court = serializers.CharField(max_length=TEXT_LIMITS["court"], allow_blank=True, required=False)
    court_city = serializers.CharField(
        max_length=TEXT_LIMITS["court_city"], allow_blank=True, required=False
    )
    case_number = serializers.CharField(
        max_length=CASE_NUMBER_MAX,
        allow_blank=True,
        required=False,
        help_text=_("Colombia: the 23-digit radicado (spaces and dashes are ignored)."),
    )
    next_action = serializers.CharField(
        max_length=TEXT_LIMITS["next_action"], allow_blank=True, required=False
    )
    next_action_on = serializers.DateField(allow_null=True, required=False)
    next_hearing_on = serializers.DateField(allow_null=True, required=False)


def _date_field(**kwargs):
    # The service holds the date to its window (hand-off to as_of) and names the field.
    return serializers.DateField(**kwargs)


class LegalCaseTransitionInputSerializer(serializers.Serializer):
    """A step of the court's: why (required) and the business date it is recorded on."""

    note = serializers.CharField(max_length=NOTE_MAX, help_text=_("Why: what the court did."))
    as_of = BusinessDateField(required=False, help_text=_("Business date (default: today)."))


class LegalCaseFileInputSerializer(LegalCaseTransitionInputSerializer):
    case_number = serializers.CharField(
        max_length=CASE_NUMBER_MAX,
        help_text=_("Colombia: the 23-digit radicado (spaces and dashes are ignored)."),
    )
    filed_on = _date_field(help_text=_("The filing date (from the hand-off to as_of)."))


class LegalCaseOrderPaymentInputSerializer(LegalCaseTransitionInputSerializer):
    payment_order_on = _date_field(help_text=_("The date of the payment order."))


class LegalCaseCloseInputSerializer(LegalCaseTransitionInputSerializer):
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices)


TRANSITION_INPUTS = {
    "file": LegalCaseFileInputSerializer,
    "order_payment": LegalCaseOrderPaymentInputSerializer,
    "close": LegalCaseCloseInputSerializer,
}
assert set(TRANSITION_INPUTS) == set(TRANSITION_FIELDS)


def transition_input(name: str) -> type[serializers.Serializer]:
    return TRANSITION_INPUTS.get(name, LegalCaseTransitionInputSerializer)


# --- KPIs --------------------------------------------------------------------------------------


class _LegalMoney(serializers.Serializer):
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=2)


class _LegalRatio(serializers.Serializer):
    currency = serializers.CharField()
    ratio = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        allow_null=True,
        help_text=_("Costs per unit recovered (null when nothing was recovered)."),
    )


class _LegalKpiRow(serializers.Serializer):
    creditor = serializers.IntegerField()
    creditor_name = serializers.CharField()
    cases = serializers.IntegerField(help_text=_("Cases handed over by the period's end"))
    cases_by_state = serializers.DictField(child=serializers.IntegerField())
    recovered = _LegalMoney(many=True, help_text=_("Paid while the case was open, per currency"))
    costs = _LegalMoney(many=True)
    net = _LegalMoney(many=True, help_text=_("Recovered less costs, per currency"))
    cost_per_recovered = _LegalRatio(many=True)
    median_days_to_payment_order = serializers.DecimalField(
        max_digits=8, decimal_places=1, allow_null=True
    )
    median_days_to_recovery = serializers.DecimalField(
        max_digits=8, decimal_places=1, allow_null=True
    )
    prescriptions_avoided = serializers.IntegerField(
        help_text=_("Cases filed in the period on or before their prescription date")
    )
    prescriptions_lost = serializers.IntegerField(
        help_text=_("Cases closed in the period as prescribed")
    )


class _LegalFirmKpiRow(_LegalKpiRow):
    firm = serializers.IntegerField()
    firm_name = serializers.CharField()


class LegalKpisOutputSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    creditors = _LegalKpiRow(many=True)
    firms = _LegalFirmKpiRow(many=True, help_text=_("Per creditor and law firm"))
