import json

from django import forms
from django.utils.translation import gettext_lazy as _

from collections_app.models import EscalationPolicyVersion
from collections_app.services.transitions import MANUAL_TRANSITIONS
from portfolio.models import Hold, Product

CADENCE_HELP = _(
    "One entry per stage with a list of rules. Each rule has exactly one trigger — "
    '"dpd": [1, 5, 10] (days past due), "on_entry": true, "every_days": 7 (since the stage '
    'began) or "days_before_due": [3] — plus "channels" (email, sms, whatsapp, voice, letter) '
    'and a "template" code.'
)


class PrettyJSONField(forms.JSONField):
    def prepare_value(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return value
        return json.dumps(value, indent=2, ensure_ascii=False)


class PolicyVersionForm(forms.ModelForm):
    """The editable rules of a policy; saving creates a new version, never edits one."""

    cadence = PrettyJSONField(
        label=_("Reminder cadence"),
        help_text=CADENCE_HELP,
        widget=forms.Textarea(attrs={"rows": 18, "class": "code", "spellcheck": "false"}),
    )
    change_note = forms.CharField(
        label=_("What changed and why"),
        max_length=255,
        help_text=_("Shown in the policy's version history."),
    )

    class Meta:
        model = EscalationPolicyVersion
        fields = [
            "friendly_dpd",
            "firm_dpd",
            "pre_legal_dpd",
            "legal_dpd",
            "legal_min_balance",
            "legal_notice_days",
            "grace_days",
            "cadence",
            "change_note",
        ]


class PolicyCreateForm(PolicyVersionForm):
    """A new policy for one product and/or segment of a creditor."""

    name = forms.CharField(label=_("Name"), max_length=120)
    creditor = forms.ModelChoiceField(label=_("Creditor"), queryset=None)
    product = forms.ChoiceField(
        label=_("Product"), choices=[("", _("Any product"))] + list(Product.choices), required=False
    )
    segment = forms.CharField(label=_("Segment code"), max_length=40, required=False)

    def __init__(self, *args, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors
        self.fields["change_note"].required = False
        self.order_fields(["name", "creditor", "product", "segment"])


class TransitionForm(forms.Form):
    transition = forms.ChoiceField(choices=[(t, t) for t in MANUAL_TRANSITIONS])
    reason = forms.CharField(
        label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class HoldForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Hold.Kind.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class HoldCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Hold.Outcome.choices)
    note = forms.CharField(
        label=_("Note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContactActionFilterForm(forms.Form):
    date = forms.DateField(
        label=_("Business date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    template = forms.CharField(label=_("Template"), required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        from portfolio.models import Channel, Stage

        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("All"))] + list(Channel.choices)
        self.fields["stage"].choices = [("", _("All"))] + list(Stage.choices)
