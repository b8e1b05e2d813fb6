"""Segments for the demo: segment-scoped policies, 120 days of collection figures, one run."""

import datetime

from django.utils.translation import gettext as _

from analytics.services.nightly import nightly_run
from analytics.services.rules import segment_ensure_defaults
from analytics.services.snapshots import collection_days_backfill
from collections_app.models import EscalationPolicy
from collections_app.services.policies import policy_create, policy_ensure_defaults
from portfolio.models import Creditor, Stage

# "Early, small, good payer" → light digital reminders, no calls or letters.
LIGHT_CADENCE = {
    Stage.CURRENT: [
        {"days_before_due": [3], "channels": ["email"], "template": "pre_due_reminder"},
    ],
    Stage.FRIENDLY_REMINDER: [
        {"dpd": [3, 10], "channels": ["email", "whatsapp"], "template": "friendly"},
    ],
    Stage.FIRM_NOTICE: [
        {"on_entry": True, "channels": ["email"], "template": "firm_notice"},
        {"every_days": 14, "channels": ["whatsapp"], "template": "firm_weekly"},
    ],
    Stage.PRE_LEGAL: [
        {"on_entry": True, "channels": ["email", "letter"], "template": "pre_legal_notice"},
    ],
    Stage.LEGAL: [],
}
# "Late, large (broken promises)" → pre-legal calls every few days (field visits: collector
# tasks, once the agreements issue's Task model lands).
PRE_LEGAL_CADENCE = {
    Stage.CURRENT: [],
    Stage.FRIENDLY_REMINDER: [
        {"dpd": [1, 5], "channels": ["sms", "whatsapp"], "template": "friendly"},
    ],
    Stage.FIRM_NOTICE: [
        {"on_entry": True, "channels": ["email", "letter", "voice"], "template": "firm_notice"},
        {"every_days": 5, "channels": ["voice"], "template": "firm_call"},
    ],
    Stage.PRE_LEGAL: [
        {"on_entry": True, "channels": ["email", "letter"], "template": "pre_legal_notice"},
        {"every_days": 4, "channels": ["voice"], "template": "pre_legal_call"},
    ],
    Stage.LEGAL: [],
}
SEGMENT_POLICIES = [
    ("early-small-good", _("Light digital reminders"), LIGHT_CADENCE),
    ("late-large", _("Pre-legal calls"), PRE_LEGAL_CADENCE),
    ("late-large-broken", _("Pre-legal calls and field visit"), PRE_LEGAL_CADENCE),
]


def demo_segments(*, creditor_codes, as_of: datetime.date, history_days: int = 120) -> None:
    """Idempotent: policies only where missing; the run replaces the date's snapshots."""
    segment_ensure_defaults()
    creditors = list(Creditor.objects.filter(code__in=creditor_codes))
    policy_ensure_defaults(creditors=creditors)
    for creditor in creditors:
        for code, name, cadence in SEGMENT_POLICIES:
            if EscalationPolicy.objects.filter(
                creditor=creditor, segment=code, product="", is_active=True
            ).exists():
                continue
            policy_create(
                creditor=creditor, name=str(name), segment=code, values={"cadence": cadence}
            )
    collection_days_backfill(start=as_of - datetime.timedelta(days=history_days), end=as_of)
    nightly_run(as_of=as_of)
