"""The "try a contact" tool on the rules page: what the engine decides for a made-up contact."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from collections_app.models import Hold
from messaging.compliance.engine import rules_for
from messaging.compliance.planning import first_lawful_moment, lawful_slots
from messaging.compliance.timeutil import zone
from messaging.compliance.types import Contact
from portfolio.models import Channel, Country, Stage

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
