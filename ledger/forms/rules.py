"""Forms of the book rules and usury rate pages (the services validate the business rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField
from ledger.models import ApplicationOrder, CreditType, DayCount, RateBasis
from ledger.services.rules import FEE_STAGES
from portfolio.models import Country, Product, Stage

RATE = {"max_digits": 9, "decimal_places": 4, "min_value": 0, "max_value": 1000}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ServiceErrorMixin:
    def add_service_error(self, exc) -> None:
        """Show a refusal of the service at the field it names (or above the form)."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class LedgerSettingsForm(ServiceErrorMixin, forms.Form):
    country = forms.ChoiceField(label=_("Debtors of"), choices=Country.choices)
    application_order = forms.ChoiceField(
        label=_("Application order"), choices=ApplicationOrder.choices
    )
    max_late_rate = forms.DecimalField(
        label=_("Maximum late interest rate (% a year)"), required=False,
        help_text=_("Mexico and the US: the ceiling. Colombia: the usury rate, or this if lower."),
        **RATE,
    )  # fmt: skip


class AccrualRuleForm(ServiceErrorMixin, forms.Form):
    product = forms.ChoiceField(label=_("Product"), choices=Product.choices)
    valid_from = BoundedDateField(label=_("Valid from"), widget=DateInput())
    annual_rate = forms.DecimalField(label=_("Late interest rate (% a year)"), **RATE)
    rate_basis = forms.ChoiceField(label=_("Rate basis"), choices=RateBasis.choices)
    day_count = forms.ChoiceField(label=_("Day count"), choices=DayCount.choices)
    grace_days = forms.IntegerField(label=_("Grace days"), min_value=0, max_value=3650, initial=0)
    credit_type = forms.ChoiceField(
        label=_("Credit type (Colombia's usury ceiling)"), choices=CreditType.choices
    )


class FeeRuleForm(ServiceErrorMixin, forms.Form):
    country = forms.ChoiceField(label=_("Debtors of"), choices=Country.choices)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[(s, label) for s, label in Stage.choices if s in FEE_STAGES]
    )
    percent = forms.DecimalField(
        label=_("Fee (% of principal and interest)"), max_digits=5, decimal_places=2,
        min_value=0, max_value=100,
    )  # fmt: skip
    max_amount = forms.DecimalField(
        label=_("At most (amount)"), max_digits=18, decimal_places=2, min_value=0, required=False
    )
    disclosed_on = BoundedDateField(label=_("Disclosed to debtors on"), widget=DateInput())
    disclosure = forms.CharField(
        label=_("How it was disclosed"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class FeeRuleDeactivateForm(ServiceErrorMixin, forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500)
    confirm = forms.BooleanField(
        label=_("I confirm: this fee is no longer charged (fees already charged stay)."),
        required=True,
    )


class UsuryRateForm(ServiceErrorMixin, forms.Form):
    credit_type = forms.ChoiceField(label=_("Credit type"), choices=CreditType.choices)
    valid_from = BoundedDateField(label=_("Valid from"), widget=DateInput())
    valid_to = BoundedDateField(label=_("Valid to"), widget=DateInput())
    bank_current_rate = forms.DecimalField(
        label=_("Bank current rate (% E.A.)"), max_digits=9, decimal_places=4, min_value=0,
        max_value=666,
    )  # fmt: skip
    resolution = forms.CharField(label=_("Certifying resolution"), max_length=120, required=False)


class UsuryCsvForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: credit_type, valid_from, valid_to, bank_current_rate, resolution."),
    )
