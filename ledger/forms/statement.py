"""The statement's period (`from`, `to`, both optional), shared by the page, its CSV and PDF and
`GET /api/v1/debts/{id}/statement/`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField


class StatementPeriodForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # `from` and `to` are Python keywords: the fields are declared here.
        date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = BoundedDateField(required=False, label=_("From"), widget=date)
        self.fields["to"] = BoundedDateField(required=False, label=_("To"), widget=date)

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("from"), data.get("to")
        if date_from and date_to and date_from > date_to:
            self.add_error("from", _("The start date is after the end date."))
        return data

    def period(self) -> dict:
        """The selector's arguments: date_from and date_to (None when open)."""
        return {"date_from": self.cleaned_data.get("from"), "date_to": self.cleaned_data.get("to")}

    def error_text(self) -> str:
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items())
