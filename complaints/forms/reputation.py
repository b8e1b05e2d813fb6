"""The reputation page's filters (shared by the page, its exports and `GET
/api/v1/complaints/kpis/`): the period (`from`, `to`), a creditor by code, a quarter."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.selectors.redeco import quarter_of, quarter_parse
from complaints.selectors.reputation import ReputationFilters
from core.forms import BoundedDateField
from portfolio.selectors import creditor_list

MAX_DAYS = 366
DEFAULT_DAYS = 90


class _CreditorField(forms.ModelChoiceField):
    """A creditor by code; text the database cannot even compare (NUL, huge) is a bad choice."""

    def to_python(self, value):
        if isinstance(value, str) and ("\x00" in value or len(value) > 100):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ReputationFilterForm(forms.Form):
    creditor = _CreditorField(
        queryset=None, required=False, to_field_name="code", label=_("Creditor")
    )

    def __init__(self, *args, user, as_of: datetime.date, quarter: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.as_of = as_of
        self.creditors = creditor_list(user=user).order_by("name")
        self.fields["creditor"].queryset = self.creditors
        self.fields["creditor"].empty_label = _("All")
        # The query names of the API (`from`, `to`) are Python keywords: declared here.
        date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = BoundedDateField(required=False, label=_("From"), widget=date)
        self.fields["to"] = BoundedDateField(required=False, label=_("To"), widget=date)
        self.order_fields(["from", "to", "creditor"])
        if quarter:
            self.fields["quarter"] = forms.CharField(
                required=False, max_length=7, label=_("Quarter"), help_text="2026Q4"
            )

    def clean_quarter(self):
        value = self.cleaned_data.get("quarter") or quarter_of(self.as_of)
        if quarter_parse(value) is None:
            raise forms.ValidationError(
                _("A quarter as YYYYQn, e.g. %(example)s.") % {"example": quarter_of(self.as_of)}
            )
        return value.upper().replace("-", "")

    def clean(self):
        data = super().clean()
        date_to = data.get("to") or self.as_of
        date_from = data.get("from") or date_to - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if "from" in self.errors or "to" in self.errors:
            return data
        if date_from > date_to:
            self.add_error("from", _("The start date is after the end date."))
        elif (date_to - date_from).days + 1 > MAX_DAYS:
            self.add_error("from", _("At most %(days)s days at a time.") % {"days": MAX_DAYS})
        data["from"], data["to"] = date_from, date_to
        return data

    def filters(self) -> ReputationFilters:
        data = self.cleaned_data
        creditor_ids = (data["creditor"].pk,) if data.get("creditor") else None
        if "quarter" in data:
            date_from, date_to = quarter_parse(data["quarter"])
        else:
            date_from, date_to = data["from"], data["to"]
        return ReputationFilters(
            date_from=date_from, date_to=date_to, as_of=self.as_of, creditor_ids=creditor_ids
        )
