from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    AgreementStatus,
    NegotiationChannel,
    NegotiationPolicy,
    PaymentAgreement,
)
from core.forms import BusinessDateFormField
from core.money import format_money

MONEY = {"max_digits": 18, "decimal_places": 2, "min_value": 0, "required": False}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DebtChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _("%(ref)s · %(product)s · %(balance)s · %(stage)s") % {
            "ref": obj.debt_ref,
            "product": obj.get_product_display(),
            "balance": format_money(obj.balance, obj.currency),
            "stage": obj.get_stage_display(),
        }


class AgreementForm(forms.Form):
    """The terms a collector offers; the service validates and prices them."""

    debts = DebtChoiceField(
        label=_("Debts"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Open debts of this debtor in the same currency."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=PaymentAgreement.Kind.choices)
    discount_pct = forms.DecimalField(
        label=_("Discount %"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=99,
        required=False,
        help_text=_("On the balance less waivers. Leave empty to give the total instead."),
    )
    agreed_total = forms.DecimalField(
        label=_("Agreed total"), help_text=_("Empty: computed from the discount."), **MONEY
    )
    interest_waived = forms.DecimalField(label=_("Interest waived"), **MONEY)
    fees_waived = forms.DecimalField(label=_("Fees waived"), **MONEY)
    down_payment = forms.DecimalField(
        label=_("Down payment"), help_text=_("Due on the first due date (instalment 0)."), **MONEY
    )
    instalment_count = forms.IntegerField(
        label=_("Number of instalments"), min_value=1, max_value=360, initial=3
    )
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=PaymentAgreement.Frequency.choices,
        initial=PaymentAgreement.Frequency.MONTHLY,
    )
    first_due_date = forms.DateField(label=_("First due date"), widget=DateInput())
    grace_days = forms.IntegerField(
        label=_("Grace days"), min_value=0, max_value=60, required=False
    )
    channel = forms.ChoiceField(label=_("Negotiated through"), choices=NegotiationChannel.choices)
    accrual_frozen = forms.BooleanField(
        label=_("Late interest frozen while the agreement is active"),
        required=False,
        initial=True,
        help_text=_("Part of the terms: no late interest accrues on these debts while it holds."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, debts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["debts"].queryset = debts

    def terms(self) -> dict:
        data = self.cleaned_data
        terms = {
            name: data[name]
            for name in (
                "kind",
                "instalment_count",
                "frequency",
                "first_due_date",
                "channel",
                "discount_pct",
                "agreed_total",
                "interest_waived",
                "fees_waived",
                "down_payment",
                "grace_days",
            )
        }
        return {k: v for k, v in terms.items() if v is not None}


class AgreementFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + AgreementStatus.choices
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All"))] + PaymentAgreement.Kind.choices
    )


class DecisionForm(forms.Form):
    """Approve, reject or cancel: always with a reason, recorded with who decided."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why: a reason is required.")},
    )


def decision_forms_attach(agreements, *, bound: dict | None = None) -> list:
    """Give each agreement of a queue page its own decision form (`agreement.decision_form`,
    ids unique on the page); `bound` maps an agreement id to the form just posted with errors."""
    bound = bound or {}
    agreements = list(agreements)
    for agreement in agreements:
        agreement.decision_form = bound.get(agreement.pk) or DecisionForm(
            auto_id=f"id_%s_{agreement.pk}"
        )
    return agreements


class PromiseForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=18, decimal_places=2, min_value=Decimal("0.01")
    )
    promised_date = BusinessDateFormField(
        kind="promised_date", label=_("Promised date"), widget=DateInput()
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=NegotiationChannel.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)


class NegotiationPolicyForm(forms.ModelForm):
    class Meta:
        model = NegotiationPolicy
        fields = [
            "collector_max_discount_pct",
            "collector_max_instalments",
            "collector_min_down_pct",
            "max_instalments",
            "self_service_max_instalments",
            "self_service_min_down_pct",
            "early_payment_discount_pct",
            "early_payment_days",
            "default_grace_days",
            "promise_grace_days",
            "reminder_days_before",
        ]
