"""The contact-rules forms: a creditor's stricter override of a rule, and the "try a contact" tool.

The override form has typed fields for the rule's type, checked against the legal bound.
"""

import datetime

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import BoundedDateField, InputWindowValidator
from messaging.services.compliance.overrides import (
    overridable_rules,
    override_problems,
    parse_window_text,
)
from portfolio.models import Channel, Country, Hold, Stage

WINDOW_HELP = _("HH:MM-HH:MM, several separated by commas; empty = no contact")
DAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FIELDS_BY_TYPE = {
    "window": DAY_FIELDS,
    "rest": ("rest_weekdays",),
    "cap": ("max_count", "period_days"),
    "channels": ("max_channels", "period_days"),
    "cooldown": ("cooldown_days",),
}
# override_problems key -> form field
PROBLEM_FIELDS = {
    "weekdays": "rest_weekdays",
    "max": "max_count",
    "max_channels": "max_channels",
    "period_days": "period_days",
    "days": "cooldown_days",
}


def rule_choices():
    return [(rid, f"{rid} · {rule.label}") for rid, rule in sorted(overridable_rules().items())]


class OverrideStartForm(forms.Form):
    """Step 1: which creditor and which rule."""

    creditor = forms.ModelChoiceField(label=_("Creditor"), queryset=None)
    rule_id = forms.ChoiceField(label=_("Rule"), choices=())

    def __init__(self, *args, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors
        self.fields["rule_id"].choices = rule_choices()


class OverrideForm(forms.Form):
    """Step 2: the stricter parameters for one rule (prefilled with the current values)."""

    mon = forms.CharField(label=WEEKDAYS[0], required=False)
    tue = forms.CharField(label=WEEKDAYS[1], required=False)
    wed = forms.CharField(label=WEEKDAYS[2], required=False)
    thu = forms.CharField(label=WEEKDAYS[3], required=False)
    fri = forms.CharField(label=WEEKDAYS[4], required=False)
    sat = forms.CharField(label=WEEKDAYS[5], required=False)
    sun = forms.CharField(label=WEEKDAYS[6], required=False)
    rest_weekdays = forms.TypedMultipleChoiceField(
        label=_("Rest days (no contact)"),
        choices=[(i, WEEKDAYS[i]) for i in range(7)],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_count = forms.IntegerField(label=_("Maximum contacts"), min_value=0, max_value=1000)
    max_channels = forms.IntegerField(label=_("Maximum channels"), min_value=1, max_value=5)
    period_days = forms.IntegerField(label=_("Period (days)"), min_value=1, max_value=366)
    cooldown_days = forms.IntegerField(label=_("Cool-down (days)"), min_value=1, max_value=366)
    note = forms.CharField(
        label=_("Why (shown in the audit trail)"), max_length=300, required=False
    )
    is_active = forms.BooleanField(
        label=pgettext_lazy("compliance rule", "Active"), required=False, initial=True
    )

    def __init__(self, *args, rule, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule
        keep = set(FIELDS_BY_TYPE[rule.type]) | {"note", "is_active"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name in DAY_FIELDS:
            if name in self.fields:
                self.fields[name].help_text = _(
                    "HH:MM-HH:MM, several separated by commas; empty = no contact"
                )

    @staticmethod
    def initial_for(rule) -> dict:
        """Form values showing `rule`'s parameters (legal or already overridden)."""
        p = rule.params
        if rule.type == "window":
            return {
                name: ", ".join(f"{a}-{b}" for a, b in day)
                for name, day in zip(DAY_FIELDS, p["weekly"], strict=True)
            }
        if rule.type == "rest":
            return {"rest_weekdays": list(p.get("weekdays", ()))}
        if rule.type == "cap":
            return {"max_count": p["max"], "period_days": p["period_days"]}
        if rule.type == "channels":
            return {"max_channels": p["max_channels"], "period_days": p["period_days"]}
        if rule.type == "cooldown":
            return {"cooldown_days": p["days"]}
        return {}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        t = self.rule.type
        if t == "window":
            weekly = []
            for name in DAY_FIELDS:
                try:
                    weekly.append([list(pair) for pair in parse_window_text(data.get(name, ""))])
                except ValueError:
                    self.add_error(name, _("Write time ranges like 08:00-18:00."))
                    weekly.append([])
            params = {"weekly": weekly}
        elif t == "rest":
            params = {"weekdays": sorted(data.get("rest_weekdays") or []), "holidays": True}
        elif t == "cap":
            params = {"max": data["max_count"], "period_days": data["period_days"]}
        elif t == "channels":
            params = {"max_channels": data["max_channels"], "period_days": data["period_days"]}
        else:
            params = {"days": data["cooldown_days"]}
        if self.errors:
            return data
        for key, message in override_problems(self.rule, params):
            field = PROBLEM_FIELDS.get(key)
            if key and key.startswith("weekly:"):
                field = DAY_FIELDS[int(key.split(":")[1])]
            self.add_error(field if field in self.fields else None, message)
        data["params"] = params
        return data


OTHER_COUNTRY = "ZZ"
ZONES = (
    "America/Bogota",
    "America/Mexico_City",
    "America/Cancun",
    "America/Tijuana",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "Europe/Madrid",
)
PURPOSES = (
    ("collection", _("Collection")),
    ("agreement", _("Agreement")),
    ("dispute", _("Dispute")),
    ("transactional", _("Transactional")),
    ("validation", _("Validation notice (US)")),
)


class ContactTryForm(forms.Form):
    creditor = forms.ModelChoiceField(label=_("Creditor"), queryset=None)
    country = forms.ChoiceField(
        label=_("Debtor's country"),
        choices=[*Country.choices, (OTHER_COUNTRY, _("Other country (default rules)"))],
    )
    region = forms.CharField(
        label=_("State / region"), max_length=10, required=False, help_text=_("e.g. MA")
    )
    timezone = forms.ChoiceField(label=_("Debtor's time zone"), choices=[(z, z) for z in ZONES])
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    day = BoundedDateField(label=_("Local date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Local time"), widget=forms.TimeInput(attrs={"type": "time"}))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=PURPOSES)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.FIRM_NOTICE)
    consented = forms.BooleanField(label=_("Debtor consents to the channel"), required=False)
    holds = forms.MultipleChoiceField(
        label=_("Holds"),
        choices=Hold.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    has_active_agreement = forms.BooleanField(label=_("Active agreement"), required=False)
    time_barred = forms.BooleanField(
        label=_("Time-barred debt (US: past its state's limitation period)"), required=False
    )
    content = forms.CharField(
        label=_("Text (optional: checks the required content)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors


class BureauTryForm(forms.Form):
    """May a negative report go to the credit bureau? (CO-BUREAU / US-BUREAU)"""

    b_country = forms.ChoiceField(
        label=_("Debtor's country"),
        choices=[*Country.choices, (OTHER_COUNTRY, _("Other country (default rules)"))],
    )
    notices = forms.CharField(
        label=_("Notice dates"),
        required=False,
        help_text=_("YYYY-MM-DD, separated by commas"),
    )
    as_of = BoundedDateField(label=_("Report date"), widget=forms.DateInput(attrs={"type": "date"}))
    balance = forms.DecimalField(
        label=_("Balance owed"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    arrears_start = BoundedDateField(
        label=_("Arrears began on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    spoke_with_consumer = forms.BooleanField(
        label=_("We spoke with the consumer about the debt (US)"), required=False
    )

    def clean_notices(self):
        out = []
        for part in (self.cleaned_data.get("notices") or "").replace(";", ",").split(","):
            if part.strip():
                try:
                    day = datetime.date.fromisoformat(part.strip())
                except ValueError as exc:
                    raise forms.ValidationError(
                        _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": part.strip()}
                    ) from exc
                InputWindowValidator()(day)
                out.append(day)
        return out
