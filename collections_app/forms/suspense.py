"""Forms of the suspense queue: its filters, applying an item to a debt, refunding it."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField
from core.money import format_money
from ledger.models import SuspenseReason, SuspenseStatus

ANY = [("", _("Any"))]


class DateInput(forms.DateInput):
    input_type = "date"


class SuspenseFilterForm(forms.Form):
    """The queue's filters; a value it cannot apply is a 400 with the field's message."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Reference")}),
    )
    creditor = forms.TypedChoiceField(label=_("Creditor"), required=False, coerce=int)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[*ANY, *SuspenseStatus.choices]
    )
    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[*ANY, *SuspenseReason.choices]
    )
    currency = forms.RegexField(
        label=_("Currency"),
        required=False,
        regex=r"^[A-Za-z]{3}$",
        max_length=3,
        error_messages={"invalid": _("Give a three-letter currency code.")},
    )
    # Bounded: a date outside the window a person may type is the field's own error.
    received_from = BoundedDateField(label=_("Received from"), required=False, widget=DateInput)
    received_to = BoundedDateField(label=_("Received to"), required=False, widget=DateInput)

    def __init__(self, *args, creditors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].choices = [*ANY, *[(c.pk, c.name) for c in creditors]]

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end comes before the start."))
        return data


class _ServiceErrors(forms.Form):
    def add_service_error(self, exc) -> None:
        """Show a refusal of the service at the field it names (or above the form)."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


AMOUNT = {"max_digits": 18, "decimal_places": 2, "min_value": Decimal("0.01")}


class SuspenseApplyForm(_ServiceErrors):
    """Apply to one of the debtor's open debts, or (unknown payer) a debt by its reference."""

    debt = forms.TypedChoiceField(label=_("Debt"), coerce=int, required=False)
    debt_ref = forms.CharField(label=_("Debt reference"), max_length=64, required=False)
    amount = forms.DecimalField(label=_("Amount"), **AMOUNT)

    def __init__(self, *args, debts=(), by_reference=False, **kwargs):
        kwargs.setdefault("auto_id", "apply_%s")
        super().__init__(*args, **kwargs)
        self.by_reference = by_reference
        if by_reference:
            del self.fields["debt"]
            self.fields["debt_ref"].required = True
        else:
            del self.fields["debt_ref"]
            self.fields["debt"].required = True
            self.fields["debt"].choices = [
                (d.pk, f"{d.debt_ref} · {format_money(d.balance, d.currency)}") for d in debts
            ]


class SuspenseRefundForm(_ServiceErrors):
    amount = forms.DecimalField(label=_("Amount"), **AMOUNT)
    refund_reference = forms.CharField(
        label=_("Refund reference"),
        max_length=100,
        help_text=_("The transfer or voucher that paid the money back."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "refund_%s")
        super().__init__(*args, **kwargs)
