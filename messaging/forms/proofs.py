"""The letter's proof of receipt, as staff upload it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField


class LetterProofForm(forms.Form):
    file = forms.FileField(
        label=_("Receipt (acuse de recibo)"),
        help_text=_("The post's signed receipt: PDF, PNG or JPG, up to 5 MB."),
        allow_empty_file=False,
    )
    received_on = BoundedDateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    signed_by = forms.CharField(label=_("Signed by"), required=False, max_length=200)
    tracking_number = forms.CharField(label=_("Tracking number"), required=False, max_length=80)
