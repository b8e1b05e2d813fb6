"""Forms of the collector workspace."""

from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collections_app.models import Interaction
from collections_app.workspace.contacts import nonpayment_reason_allowed, visit_rule


class InteractionForm(forms.Form):
    """Log a contact: channel, outcome, note; a promise or callback from the same form.

    Per the debtor's country: no "reason for non-payment" for Colombia (CO-SCRIPT), and no
    field visit where a compliance rule forbids them (CO-VISIT, DEFAULT-VISIT), the rule named
    under the channel."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Interaction.Channel.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *Interaction.Outcome.choices]
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=0, max_value=240
    )
    nonpayment_reason = forms.CharField(
        label=_("Reason for non-payment"), required=False, max_length=200
    )
    promise_amount = forms.DecimalField(
        label=_("Promised amount"), required=False, min_value=0.01, max_digits=18, decimal_places=2
    )
    promise_date = forms.DateField(
        label=_("Promised date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    callback_at = forms.DateTimeField(
        label=_("Call back at (the debtor's local time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, debt, **kwargs):
        super().__init__(*args, **kwargs)
        self.debt = debt
        self.visit_rule = visit_rule(debt=debt)
        if self.visit_rule is not None:
            channel = self.fields["channel"]
            channel.choices = [
                c for c in Interaction.Channel.choices if c[0] != Interaction.Channel.VISIT
            ]
            refusal = _("No field visits (%(rule)s): %(label)s.") % {
                "rule": self.visit_rule.id,
                "label": self.visit_rule.label,
            }
            channel.help_text = refusal
            channel.error_messages["invalid_choice"] = refusal
        if not nonpayment_reason_allowed(debt=debt):
            del self.fields["nonpayment_reason"]

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == Interaction.Outcome.PROMISE_TO_PAY:
            if not data.get("promise_amount"):
                self.add_error("promise_amount", _("A promise needs the amount."))
            if not data.get("promise_date"):
                self.add_error("promise_date", _("A promise needs the date."))
        if outcome == Interaction.Outcome.CALLBACK_REQUESTED and not data.get("callback_at"):
            self.add_error("callback_at", _("When should we call back?"))
        if data.get("callback_at"):
            # The debtor names the hour in their own time zone ("call me at 6 pm"), not ours.
            wall = timezone.make_naive(data["callback_at"])
            data["callback_at"] = timezone.make_aware(wall, self._debtor_zone())
        if outcome == Interaction.Outcome.DISPUTE and not (data.get("note") or "").strip():
            self.add_error("note", _("Write what the debtor disputes."))
        return data

    def _debtor_zone(self):
        try:
            return ZoneInfo(self.debt.debtor.timezone)
        except (ValueError, KeyError):  # an empty or unknown zone: the operation's own
            return timezone.get_current_timezone()


class AssignForm(forms.Form):
    """Bulk assignment: to which collectors, balanced how."""

    collectors = forms.ModelMultipleChoiceField(
        label=_("Collectors"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    mode = forms.ChoiceField(
        label=_("Balance by"),
        choices=[("count", _("Number of debts")), ("balance", _("Total balance"))],
        initial="count",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, collectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collectors"].queryset = collectors
        self.fields["collectors"].label_from_instance = lambda u: u.get_full_name() or u.username


class AssignOneForm(forms.Form):
    collector = forms.ModelChoiceField(label=_("Assign to"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, collectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].queryset = collectors
        self.fields["collector"].label_from_instance = lambda u: u.get_full_name() or u.username


class LegalRequestForm(forms.Form):
    reason = forms.CharField(label=_("Why legal?"), max_length=5000)
