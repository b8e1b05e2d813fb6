"""The outbox's filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField
from messaging.models import Message
from portfolio.models import Channel


class OutboxFilterForm(forms.Form):
    date = BoundedDateField(
        label=_("Business date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All"))] + list(Channel.choices)
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(Message.Status.choices),
    )
    template = forms.CharField(label=_("Template"), required=False, max_length=60)
    q = forms.CharField(label=_("Recipient or rule"), required=False, max_length=100)
    stuck = forms.BooleanField(
        label=_("Stuck only"),
        required=False,
        help_text=_("Sent, with no delivery news after the channel's usual time."),
    )
