"""The legal KPIs' filters (shared by the page and `GET /api/v1/legal-cases/kpis/`): the period
(`from`, `to`), a creditor by code, a law firm by id."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField
from legal.selectors.cases import firms_for_user
from portfolio.selectors import creditor_list

DEFAULT_DAYS = 365
MAX_DAYS = 5 * 366


class _SafeChoiceField(forms.ModelChoiceField):
    """Text the database cannot even compare (NUL, huge) is a bad choice, not a 500."""

    def to_python(self, value):
        if isinstance(value, str) and ("\x00" in value or len(value) > 100):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class LegalKpisFilterForm(forms.Form):
    creditor = _SafeChoiceField(
        queryset=None, required=False, to_field_name="code", label=_("Creditor")
    )
    firm = _SafeChoiceField(queryset=None, required=False, label=_("Law firm"))

    def __init__(self, *args, user, as_of: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.as_of = as_of
        self.fields["creditor"].queryset = creditor_list(user=user).order_by("name")
        self.fields["creditor"].empty_label = _("All")
        self.fields["firm"].queryset = firms_for_user(user).order_by("name")
        self.fields["firm"].empty_label = _("All")
        # The query names (`from`, `to`) are Python keywords: declared here.
        date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = BoundedDateField(required=False, label=_("From"), widget=date)
        self.fields["to"] = BoundedDateField(required=False, label=_("To"), widget=date)
        self.order_fields(["from", "to", "creditor", "firm"])

    def clean(self):
        data = super().clean()
        if "from" in self.errors or "to" in self.errors:
            return data
        date_to = data.get("to") or self.as_of
        date_from = data.get("from") or date_to - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if date_from > date_to:
            self.add_error("from", _("The start date is after the end date."))
        elif (date_to - date_from).days + 1 > MAX_DAYS:
            self.add_error("from", _("At most %(days)s days at a time.") % {"days": MAX_DAYS})
        data["from"], data["to"] = date_from, date_to
        return data

    def selector_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "date_from": data["from"],
            "date_to": data["to"],
            "creditor_id": data["creditor"].pk if data.get("creditor") else None,
            "firm_id": data["firm"].pk if data.get("firm") else None,
        }
