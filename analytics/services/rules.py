"""Segment definitions as the engine reads them, and the defaults every install starts with."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from analytics.models.segments import PaymentBehaviour, SegmentDefinition, SegmentRule

CATCH_ALL_CODE = "general"
# Default segments whose strategy includes a field visit (a task per debt, where lawful).
FIELD_VISIT_SEGMENTS = frozenset({"late-large-broken"})


def segment_catch_all() -> SegmentDefinition:
    """The catch-all segment (created when missing)."""
    segment = SegmentDefinition.objects.filter(is_catch_all=True).first()
    if segment is None:
        segment_ensure_defaults()
        segment = SegmentDefinition.objects.get(is_catch_all=True)
    return segment


def rules_in_order(*, creditor_ids=None) -> list[dict]:
    """Every active rule in evaluation order: segment priority, segment id, rule position."""
    qs = SegmentRule.objects.filter(
        segment__is_active=True, segment__is_catch_all=False
    ).select_related("segment")
    if creditor_ids is not None:
        qs = qs.filter(segment__creditor_id__in=list(creditor_ids)) | qs.filter(
            segment__creditor__isnull=True
        )
    rules = []
    for rule in qs.order_by("segment__priority", "segment_id", "position", "id"):
        rules.append(
            {
                "id": rule.id,
                "segment_id": rule.segment_id,
                "creditor_id": rule.segment.creditor_id,
                "aging_buckets": list(rule.aging_buckets or []),
                "currency": rule.currency,
                "balance_min": rule.balance_min,
                "balance_max": rule.balance_max,
                "products": list(rule.products or []),
                "countries": list(rule.countries or []),
                "regions": list(rule.regions or []),
                "payment_behaviour": rule.payment_behaviour,
                "score_min": rule.score_min,
                "score_max": rule.score_max,
            }
        )
    return rules


# (code, name, strategy, priority, rules). Balance bands are per currency: COP, MXN, USD.
_SMALL = {"COP": Decimal("2000000"), "MXN": Decimal("10000"), "USD": Decimal("500")}
_LARGE = {"COP": Decimal("10000000"), "MXN": Decimal("50000"), "USD": Decimal("2500")}
DEFAULT_SEGMENTS = [
    (
        "late-large-broken",
        _("Late, large, broken promises"),
        _("Pre-legal calls and a field visit; a manager reviews the case."),
        10,
        [
            {
                "aging_buckets": ["91-180", "181-360", "360+"],
                "currency": cur,
                "balance_min": _LARGE[cur],
                "payment_behaviour": PaymentBehaviour.BROKEN_PROMISE,
            }
            for cur in ("COP", "MXN", "USD")
        ]
        + [
            {
                "aging_buckets": ["91-180", "181-360", "360+"],
                "currency": cur,
                "balance_min": _LARGE[cur],
                "payment_behaviour": PaymentBehaviour.BROKEN_AGREEMENT,
            }
            for cur in ("COP", "MXN", "USD")
        ],
    ),
    (
        "late-large",
        _("Late and large"),
        _("Pre-legal notices and calls; offer a payment agreement."),
        20,
        [
            {
                "aging_buckets": ["91-180", "181-360", "360+"],
                "currency": cur,
                "balance_min": _LARGE[cur],
            }
            for cur in ("COP", "MXN", "USD")
        ],
    ),
    (
        "early-small-good",
        _("Early, small, good payer"),
        _("Light digital reminders (e-mail, WhatsApp); no calls."),
        30,
        [
            {
                "aging_buckets": ["current", "1-30"],
                "currency": cur,
                "balance_max": _SMALL[cur],
                "score_min": 60,
            }
            for cur in ("COP", "MXN", "USD")
        ],
    ),
    (
        "early",
        _("Early delinquency"),
        _("Reminders on every consented channel; a call from 16 days past due."),
        40,
        [{"aging_buckets": ["current", "1-30", "31-60"]}],
    ),
    (
        "never-paid",
        _("Never paid, late"),
        _("Firm notices and calls; verify contact data."),
        50,
        [
            {
                "aging_buckets": ["61-90", "91-180", "181-360", "360+"],
                "payment_behaviour": "never_paid",
            }
        ],
    ),
]


def segment_ensure_defaults() -> int:
    """Create the catch-all and the default global segments when missing; returns how many.

    Idempotent: an existing code (edited or not) is left alone, so managers' edits survive.
    Names are data, written in the operation's language (Spanish first), whoever runs it.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _ensure_defaults()


@transaction.atomic
def _ensure_defaults() -> int:
    created = 0
    if not SegmentDefinition.objects.filter(is_catch_all=True).exists():
        SegmentDefinition.objects.get_or_create(
            creditor=None,
            code=CATCH_ALL_CODE,
            defaults={
                "name": str(_("General")),
                "strategy": str(_("The default escalation policy.")),
                "priority": 1000,
                "is_catch_all": True,
            },
        )
        created += 1
    have = set(
        SegmentDefinition.objects.filter(creditor__isnull=True).values_list("code", flat=True)
    )
    for code, name, strategy, priority, rules in DEFAULT_SEGMENTS:
        if code in have:
            continue
        segment = SegmentDefinition.objects.create(
            creditor=None,
            code=code,
            name=str(name),
            strategy=str(strategy),
            priority=priority,
            field_visits=code in FIELD_VISIT_SEGMENTS,
        )
        SegmentRule.objects.bulk_create(
            SegmentRule(segment=segment, position=n, **rule) for n, rule in enumerate(rules, 1)
        )
        created += 1
    return created
