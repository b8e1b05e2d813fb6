"""The journal's filters; a value it cannot apply is a 400 with the field's message."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import INPUT_DATE_MAX, INPUT_DATE_MIN
from core.forms import BoundedDateField
from ledger.models import EntryKind

ANY = [("", _("Any"))]


class DateInput(forms.DateInput):
    input_type = "date"


class JournalFilterForm(forms.Form):
    creditor = forms.ModelChoiceField(label=_("Creditor"), required=False, queryset=None)
    currency = forms.RegexField(
        label=_("Currency"),
        required=False,
        regex=r"^[A-Za-z]{3}$",
        error_messages={"invalid": _("Enter a three-letter currency code, such as COP.")},
        widget=forms.TextInput(attrs={"size": 4, "maxlength": 3}),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[*ANY, *EntryKind.choices])
    date_from = BoundedDateField(
        label=_("From"), required=False,
        widget=DateInput(attrs={"min": INPUT_DATE_MIN, "max": INPUT_DATE_MAX}),
    )  # fmt: skip
    date_to = BoundedDateField(
        label=_("To"), required=False,
        widget=DateInput(attrs={"min": INPUT_DATE_MIN, "max": INPUT_DATE_MAX}),
    )  # fmt: skip
    debt_ref = forms.CharField(label=_("Debt reference"), required=False, max_length=64)

    def __init__(self, *args, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors
        self.fields["creditor"].empty_label = _("Any")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def selector_filters(self) -> dict:
        filters = dict(self.cleaned_data)
        if filters.get("creditor"):
            filters["creditor"] = filters["creditor"].pk
        return filters
