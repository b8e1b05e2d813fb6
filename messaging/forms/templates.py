"""Filtering templates and writing a new version."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portfolio.models import Channel, Language


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
