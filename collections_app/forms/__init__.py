"""Forms of collections_app: escalation policies, manual stage moves and holds, and the
collector workspace (log a contact, assign cases, request a legal escalation)."""

from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collections_app.models import EscalationPolicyVersion, Interaction
from collections_app.services.cadence import TRIGGER_LABELS
from collections_app.services.contacts import nonpayment_reason_allowed, visit_rule
from collections_app.services.transitions import MANUAL_TRANSITIONS
from core.forms import BoundedDateField, BusinessDateFormField
from portfolio.models import Hold, Product


class PolicyVersionForm(forms.ModelForm):
    """The editable rules of a policy; saving creates a new version, never edits one."""

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


TRIGGER_CHOICES = list(TRIGGER_LABELS.items())


class CadenceRowForm(forms.Form):
    """One reminder: in which stage, when, on which channel, with which template."""

    stage = forms.ChoiceField(label=_("Stage"))
    trigger = forms.ChoiceField(label=_("When"), choices=TRIGGER_CHOICES)
    day = forms.IntegerField(label=_("Day"), required=False, min_value=0, max_value=3650)
    channel = forms.ChoiceField(label=_("Channel"))
    template = forms.CharField(label=_("Template code"), max_length=60)

    def __init__(self, *args, **kwargs):
        from collections_app.models.policies import LADDER
        from portfolio.models import Channel

        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s.value, s.label) for s in LADDER]
        # Every channel is listed (a stored cadence may name one since disabled); the formset
        # refuses the ones without a sending backend.
        self.fields["channel"].choices = Channel.choices


class BaseCadenceFormSet(forms.BaseFormSet):
    """The cadence as rows; valid rows become the JSON the daily cycle reads (`cadence()`)."""

    def __init__(self, *args, creditor=None, **kwargs):
        self.creditor = creditor
        super().__init__(*args, **kwargs)

    def _rows(self) -> list[tuple[forms.Form, dict]]:
        return [
            (form, form.cleaned_data)
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        from collections_app.services.cadence import cadence_row_problems

        if any(self.errors):
            return
        rows = self._rows()
        problems = cadence_row_problems([data for _f, data in rows], creditor=self.creditor)
        for index, errors in problems.items():
            form = rows[index][0]
            for field, message in errors.items():
                form.add_error(field, message)
        if problems:
            raise forms.ValidationError(_("Correct the reminders marked below."))

    def cadence(self) -> dict:
        from collections_app.services.cadence import cadence_from_rows

        return cadence_from_rows([data for _f, data in self._rows()])


CadenceFormSet = forms.formset_factory(
    CadenceRowForm, formset=BaseCadenceFormSet, extra=0, can_delete=True, max_num=200
)


def cadence_formset(data=None, *, cadence: dict | None, creditor) -> BaseCadenceFormSet:
    """The cadence editor of a policy: its rows (from `cadence`), or the posted ones."""
    from collections_app.services.cadence import cadence_rows

    return CadenceFormSet(
        data, initial=cadence_rows(cadence or {}), prefix="cadence", creditor=creditor
    )


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
    date = BoundedDateField(
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


Outcome = Interaction.Outcome

# The log form's outcomes in the order of their keys (1-8, shown on the buttons): the commonest
# results of a call first.
OUTCOME_KEYS = (
    ("1", Outcome.NO_ANSWER),
    ("2", Outcome.PROMISE_TO_PAY),
    ("3", Outcome.CALLBACK_REQUESTED),
    ("4", Outcome.RIGHT_PARTY_CONTACT),
    ("5", Outcome.REFUSED),
    ("6", Outcome.DISPUTE),
    ("7", Outcome.THIRD_PARTY),
    ("8", Outcome.WRONG_NUMBER),
)
# The fields each outcome asks for, beyond channel and note: a promise its amount and date, a
# callback its time, a dispute what is disputed; no answer nothing. The form shows only these
# and ignores any other value sent with the outcome (a field filled, then hidden again).
OUTCOME_FIELDS = {
    Outcome.NO_ANSWER: (),
    Outcome.WRONG_NUMBER: (),
    Outcome.THIRD_PARTY: (),
    Outcome.RIGHT_PARTY_CONTACT: ("duration_minutes", "nonpayment_reason"),
    Outcome.REFUSED: ("duration_minutes", "nonpayment_reason"),
    Outcome.PROMISE_TO_PAY: ("promise_amount", "promise_date", "duration_minutes"),
    Outcome.CALLBACK_REQUESTED: ("callback_at",),
    Outcome.DISPUTE: ("dispute_reason",),
}
OUTCOME_ONLY_FIELDS = frozenset(name for names in OUTCOME_FIELDS.values() for name in names)
# The service's names for the form's fields, where they differ.
SERVICE_FIELDS = {
    "amount": "promise_amount",
    "promised_date": "promise_date",
    "duration": "duration_minutes",
}


class InteractionForm(forms.Form):
    """Log a contact: channel, outcome (one key each), note, and what the outcome needs: a
    promise's amount and date, a callback's time, what a dispute is about.

    Per the debtor's country: no "reason for non-payment" for Colombia (CO-SCRIPT), and no
    field visit where a compliance rule forbids them (CO-VISIT, DEFAULT-VISIT), the rule named
    under the channel."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Interaction.Channel.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(outcome.value, outcome.label) for _key, outcome in OUTCOME_KEYS],
        error_messages={"required": _("Choose the outcome of the contact.")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    promise_amount = forms.DecimalField(
        label=_("Promised amount"), required=False, min_value=0.01, max_digits=18, decimal_places=2
    )
    promise_date = BusinessDateFormField(
        kind="promised_date",
        label=_("Promised date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    callback_at = forms.DateTimeField(
        label=_("Call back at (the debtor's local time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    dispute_reason = forms.CharField(
        label=_("What the debtor disputes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=0, max_value=240
    )
    nonpayment_reason = forms.CharField(
        label=_("Reason for non-payment"), required=False, max_length=200
    )

    def __init__(self, *args, debt, **kwargs):
        # Its own ids: the debt page has other forms with a channel or a note.
        kwargs.setdefault("auto_id", "log-%s")
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

    def outcome_keys(self):
        """(key, value, label, checked) of each outcome button, in key order."""
        chosen = self["outcome"].value()
        return [(key, o.value, o.label, chosen == o.value) for key, o in OUTCOME_KEYS]

    def outcome_fields(self):
        """The outcome-only fields of the form, each with the outcomes that ask for it."""
        for name in self.fields:
            if name in OUTCOME_ONLY_FIELDS:
                wants = " ".join(o for o, names in OUTCOME_FIELDS.items() if name in names)
                yield self[name], wants

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        wanted = OUTCOME_FIELDS.get(outcome, ())
        # A field the outcome does not ask for is hidden on the page: whatever it still holds
        # (filled for another outcome first) is ignored, errors included.
        for name in OUTCOME_ONLY_FIELDS - set(wanted):
            if name in self.fields:
                self._errors.pop(name, None)
                data[name] = None if name not in ("nonpayment_reason", "dispute_reason") else ""
        if outcome == Outcome.PROMISE_TO_PAY:
            if not data.get("promise_amount") and "promise_amount" not in self._errors:
                self.add_error("promise_amount", _("A promise needs the amount."))
            if not data.get("promise_date") and "promise_date" not in self._errors:
                self.add_error("promise_date", _("A promise needs the date."))
        if (
            outcome == Outcome.CALLBACK_REQUESTED
            and not data.get("callback_at")
            and "callback_at" not in self._errors
        ):
            self.add_error("callback_at", _("When should we call back?"))
        if data.get("callback_at"):
            # The debtor names the hour in their own time zone ("call me at 6 pm"), not ours.
            wall = timezone.make_naive(data["callback_at"])
            data["callback_at"] = timezone.make_aware(wall, self._debtor_zone())
        if outcome == Outcome.DISPUTE and not (data.get("dispute_reason") or "").strip():
            self.add_error("dispute_reason", _("Write what the debtor disputes."))
        return data

    def add_service_error(self, exc) -> None:
        """Show a refusal of the service at the field it names (or above the form)."""
        field = SERVICE_FIELDS.get(exc.field, exc.field)
        self.add_error(field if field in self.fields else None, exc.message)

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
