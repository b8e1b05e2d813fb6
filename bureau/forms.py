"""Staff forms of the bureau pages: the runs list's filters and a new run."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bureau.models.runs import Bureau, RunStatus
from core.dates import INPUT_DATE_MAX, INPUT_DATE_MIN
from core.forms import BoundedDateField

ANY = [("", _("Any"))]


class DateInput(forms.DateInput):
    input_type = "date"


class RunFilterForm(forms.Form):
    """The runs list's filters; a value it cannot apply is a 400 with the field's message."""

    creditor = forms.ModelChoiceField(label=_("Creditor"), required=False, queryset=None)
    bureau = forms.ChoiceField(label=_("Bureau"), required=False, choices=[*ANY, *Bureau.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[*ANY, *RunStatus.choices]
    )

    def __init__(self, *args, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors
        self.fields["creditor"].empty_label = _("Any")


class RunCreateForm(forms.Form):
    """A creditor (one the manager manages), a bureau and the cut-off the run reports as of."""

    creditor = forms.ModelChoiceField(label=_("Creditor"), queryset=None)
    bureau = forms.ChoiceField(label=_("Bureau"), choices=Bureau.choices)
    cut_off = BoundedDateField(
        label=_("Cut-off date"),
        help_text=_("The date the accounts are reported as of (usually the month's last day)."),
        widget=DateInput(attrs={"min": INPUT_DATE_MIN, "max": INPUT_DATE_MAX}),
    )

    def __init__(self, *args, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors

    def add_service_error(self, exc) -> None:
        """Show a refusal of the service at the field it names (or above the form)."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)
