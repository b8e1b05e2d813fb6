"""The "try a contact" tool on the rules page: what the engine decides for a made-up contact."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.compliance.engine import rules_for
from messaging.compliance.planning import first_lawful_moment, lawful_slots
from messaging.compliance.timeutil import zone
from messaging.compliance.types import Contact
from portfolio.models import Channel, Country, Hold, Stage

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
    day = forms.DateField(label=_("Local date"), widget=forms.DateInput(attrs={"type": "date"}))
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
    content = forms.CharField(
        label=_("Text (optional: checks the required content)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors


def contact_try(*, data: dict) -> dict:
    """Decision, the first lawful moment within 7 days and that day's lawful hours."""
    tz = zone(data["timezone"])
    at = datetime.datetime.combine(data["day"], data["time"], tzinfo=tz)
    creditor = data["creditor"]
    contact = Contact(
        debtor_id=0,
        creditor_id=creditor.pk,
        country=data["country"],
        region=(data.get("region") or "").strip().upper(),
        timezone=data["timezone"],
        channel=data["channel"],
        at=at,
        stage=data["stage"],
        purpose=data["purpose"],
        consented=data["consented"],
        holds=frozenset(data.get("holds") or ()),
        has_active_agreement=data["has_active_agreement"],
        content=data.get("content") or None,
        creditor_name=creditor.name,
    )
    rules = rules_for(country=contact.country, region=contact.region, creditor_id=creditor.pk)
    decision = rules.check(contact, [])
    first = first_lawful_moment(contact=contact, history=[], rules=rules, not_before=at)
    slots = lawful_slots(contact=contact, day=data["day"], rules=rules)
    return {
        "decision": decision,
        "at": at,
        "first": first.astimezone(tz) if first else None,
        "slots": [(a.astimezone(tz), b.astimezone(tz)) for a, b in slots],
        "rule_ids": rules.ids(),
    }


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
    as_of = forms.DateField(label=_("Report date"), widget=forms.DateInput(attrs={"type": "date"}))
    balance = forms.DecimalField(
        label=_("Balance owed"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    arrears_start = forms.DateField(
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
                    out.append(datetime.date.fromisoformat(part.strip()))
                except ValueError as exc:
                    raise forms.ValidationError(
                        _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": part.strip()}
                    ) from exc
        return out


def bureau_try(*, data: dict):
    from messaging.compliance.bureau import bureau_report_allowed

    return bureau_report_allowed(
        country=data["b_country"],
        notices_sent=data["notices"],
        as_of=data["as_of"],
        balance=data.get("balance"),
        arrears_start=data.get("arrears_start"),
        spoke_with_consumer=data.get("spoke_with_consumer", False),
    )
