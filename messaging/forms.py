from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.models import Message
from portfolio.models import Channel, Language


class OutboxFilterForm(forms.Form):
    date = forms.DateField(
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


class TemplateFilterForm(forms.Form):
    code = forms.CharField(label=_("Code"), required=False, max_length=60)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All"))] + list(Channel.choices)
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All"))] + list(Language.choices)
    )


class TemplateVersionForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), required=False, max_length=255)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 14}))
    change_note = forms.CharField(label=_("Change note"), required=False, max_length=255)
    debt = forms.IntegerField(
        label=_("Preview with debt (id)"), required=False, min_value=1, max_value=2**63 - 1
    )
