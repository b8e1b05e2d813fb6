"""Forms of the legal stage's pages: a case's costs, the creditor's legal rules, settling."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import PaymentAgreement
from legal.models import CostKind, LegalSettings


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CostForm(forms.Form):
    """A cost a lawyer or manager records on a case (the receipt a PDF, PNG or JPG)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=CostKind.choices)
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2, min_value=0)
    incurred_on = forms.DateField(label=_("Incurred on"), widget=DateInput())
    description = forms.CharField(label=_("Description"), max_length=255)
    receipt = forms.FileField(label=_("Receipt"), required=False)


class CostDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=(("1", _("Approve")), ("0", _("Reject"))), coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class LegalSettingsForm(forms.ModelForm):
    class Meta:
        model = LegalSettings
        fields = [
            "cost_approval_limit",
            "chargeable_ceiling_pct",
            "fixed_fee",
            "success_fee_pct",
            "costs_disclosed",
        ]

    def clean(self):
        data = super().clean()
        for name in ("chargeable_ceiling_pct", "success_fee_pct"):
            value = data.get(name)
            if value is not None and not 0 <= value <= 100:
                self.add_error(name, _("A percentage between 0 and 100."))
        for name in ("cost_approval_limit", "fixed_fee"):
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("Cannot be negative."))
        return data


class SettlementForm(forms.Form):
    """The terms of a settlement in legal (the agreements engine validates and prices them)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=PaymentAgreement.Kind.choices,
        initial=PaymentAgreement.Kind.SETTLEMENT,
    )
    instalment_count = forms.IntegerField(label=_("Instalments"), min_value=1, initial=1)
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=PaymentAgreement.Frequency.choices,
        initial=PaymentAgreement.Frequency.MONTHLY,
    )
    first_due_date = forms.DateField(label=_("First due date"), widget=DateInput())
    agreed_total = forms.DecimalField(
        label=_("Agreed total"), max_digits=18, decimal_places=2, required=False
    )
    down_payment = forms.DecimalField(
        label=_("Down payment"), max_digits=18, decimal_places=2, required=False
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)
