"""Forms of the remittance pages: the statements list's filters, a new statement, voiding one,
and a commission rate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import INPUT_DATE_MAX, INPUT_DATE_MIN
from core.forms import BoundedDateField
from core.money import CURRENCIES
from ledger.models import CommissionBasis, RemittanceStatus
from ledger.services.remittance import VOID_REASON_MAX
from portfolio.models import Stage

ANY = [("", _("Any"))]
DATE_ATTRS = {"min": INPUT_DATE_MIN, "max": INPUT_DATE_MAX}


class DateInput(forms.DateInput):
    input_type = "date"


class ServiceErrorMixin:
    def add_service_error(self, exc) -> None:
        """Show a refusal of the service at the field it names (or above the form)."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


def _currency(value: str) -> str:
    value = (value or "").strip().upper()
    if value and value not in CURRENCIES:
        raise forms.ValidationError(_("Enter an ISO 4217 currency code."))
    return value


class RemittanceFilterForm(forms.Form):
    """The statements list's filters; a value it cannot apply is a 400 with the field's message."""

    creditor = forms.ModelChoiceField(label=_("Creditor"), required=False, queryset=None)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[*ANY, *RemittanceStatus.choices]
    )
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    period_from = BoundedDateField(
        label=_("Period from"), required=False, widget=DateInput(attrs=DATE_ATTRS)
    )
    period_to = BoundedDateField(
        label=_("Period to"), required=False, widget=DateInput(attrs=DATE_ATTRS)
    )

    def __init__(self, *args, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors
        self.fields["creditor"].empty_label = _("Any")

    def clean_currency(self):
        return _currency(self.cleaned_data["currency"])


class RemittancePrepareForm(ServiceErrorMixin, forms.Form):
    """A creditor the manager manages, a currency and the period the statement covers."""

    creditor = forms.ModelChoiceField(label=_("Creditor"), queryset=None)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="COP")
    period_start = BoundedDateField(label=_("From"), widget=DateInput(attrs=DATE_ATTRS))
    period_end = BoundedDateField(
        label=_("To"),
        help_text=_("The period's last day; it cannot be later than today."),
        widget=DateInput(attrs=DATE_ATTRS),
    )

    def __init__(self, *args, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors

    def clean_currency(self):
        value = _currency(self.cleaned_data["currency"])
        if not value:
            raise forms.ValidationError(_("Enter an ISO 4217 currency code."))
        return value


class RemittanceVoidForm(ServiceErrorMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why"), max_length=VOID_REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class CommissionRateForm(ServiceErrorMixin, forms.Form):
    """One rate of a creditor's commission: by stage, or by a bucket of days past due."""

    creditor = forms.ModelChoiceField(label=_("Creditor"), queryset=None)
    valid_from = BoundedDateField(
        label=_("Valid from"),
        help_text=_("Collections from this day on use the rates set from this day."),
        widget=DateInput(attrs=DATE_ATTRS),
    )
    basis = forms.ChoiceField(label=_("Basis"), choices=CommissionBasis.choices)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", "—"), *Stage.choices])
    min_dpd = forms.IntegerField(
        label=_("From days past due"), required=False, min_value=0, max_value=36_500
    )
    max_dpd = forms.IntegerField(
        label=_("To days past due"),
        required=False,
        min_value=0,
        max_value=36_500,
        help_text=_("Leave empty for no upper limit."),
    )
    percent = forms.DecimalField(
        label=_("Commission (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )

    def __init__(self, *args, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors
