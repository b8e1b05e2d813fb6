"""Filtering templates and writing a new version (for which creditor, when editing a default)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.services.template_approval import APPROVAL_ACTIONS
from portfolio.models import Channel, Language


def _creditor_field(*, creditors, allow_default: bool, label, required: bool, help_text=""):
    # Admins may pick the shipped default (the blank choice); a manager always picks a creditor.
    return forms.ModelChoiceField(
        label=label,
        queryset=creditors,
        required=required,
        empty_label=_("Shipped default (every creditor)") if allow_default else None,
        help_text=help_text,
    )


class TemplateFilterForm(forms.Form):
    code = forms.CharField(label=_("Code"), required=False, max_length=60)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All"))] + list(Channel.choices)
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All"))] + list(Language.choices)
    )

    def __init__(self, *args, creditors, allow_default: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "creditor": _creditor_field(
                creditors=creditors,
                allow_default=allow_default,
                label=_("Creditor"),
                required=False,  # not chosen: the view picks the first one
            ),
            **self.fields,
        }


class TemplateVersionForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), required=False, max_length=255)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 14}))
    change_note = forms.CharField(label=_("Change note"), required=False, max_length=255)
    debt = forms.IntegerField(
        label=_("Preview with debt (id)"), required=False, min_value=1, max_value=2**63 - 1
    )

    def __init__(self, *args, creditors=None, allow_default: bool = False, **kwargs):
        """`creditors`: when editing a shipped default, the creditors the text may be saved for."""
        super().__init__(*args, **kwargs)
        if creditors is not None:
            self.fields = {
                "creditor": _creditor_field(
                    creditors=creditors,
                    allow_default=allow_default,
                    label=_("For the creditor"),
                    required=not allow_default,
                    help_text=_(
                        "The creditor whose debtors receive this text. The shipped default and "
                        "other creditors' texts do not change."
                    ),
                ),
                **self.fields,
            }


class ProviderTemplateForm(forms.Form):
    """A WhatsApp version's Twilio Content SID and its variables, one `number = name` a line."""

    provider_template_id = forms.CharField(
        label=_("Twilio Content SID"),
        required=False,
        max_length=34,
        help_text=_(
            "HX followed by 32 hexadecimal characters, from Twilio's Content Template Builder."
        ),
    )
    provider_variables = forms.CharField(
        label=_("Variables"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "1 = first_name\n2 = amount"}),
        help_text=_("One line per Twilio variable: its number, “=”, and a placeholder name."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def clean_provider_variables(self):
        mapping = {}
        for number, line in enumerate(self.cleaned_data["provider_variables"].splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            key, sep, name = line.partition("=")
            if not sep:
                key, sep, name = line.partition(":")
            if not sep or not key.strip() or not name.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write “number = name”, e.g. “1 = first_name”.") % {"n": number}
                )
            if key.strip() in mapping:
                raise forms.ValidationError(
                    _("Line %(n)s: variable %(key)s is given twice.")
                    % {"n": number, "key": key.strip()}
                )
            mapping[key.strip()] = name.strip()
        return mapping

    @staticmethod
    def lines(mapping: dict) -> str:
        return "\n".join(f"{key} = {name}" for key, name in (mapping or {}).items())


class ApprovalForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in APPROVAL_ACTIONS])
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
