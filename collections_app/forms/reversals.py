"""The corrections page's filters: reversals or write-offs, creditor, dates, reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.forms import DateInput
from core.forms import BoundedDateField
from ledger.models import ReversalReason, WriteOffReason

ANY = [("", _("Any"))]


class CorrectionFilterForm(forms.Form):
    """What the list shows; a value it cannot apply is a 400 with the field's message."""

    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("reversals", _("Reversed payments")), ("write_offs", _("Write-offs"))],
    )
    creditor = forms.ModelChoiceField(label=_("Creditor"), required=False, queryset=None)
    date_from = BoundedDateField(label=_("From"), required=False, widget=DateInput)
    date_to = BoundedDateField(label=_("To"), required=False, widget=DateInput)
    reason = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[
            *ANY,
            (_("Reversal"), ReversalReason.choices),
            (_("Write-off"), WriteOffReason.choices),
        ],
    )

    def __init__(self, *args, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors
        self.fields["creditor"].empty_label = _("Any")

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or "reversals"
        data["kind"] = kind
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end comes before the start."))
        reason = data.get("reason")
        codes = ReversalReason.values if kind == "reversals" else WriteOffReason.values
        if reason and reason not in codes:
            self.add_error("reason", _("That reason is not one of this list's."))
        return data
