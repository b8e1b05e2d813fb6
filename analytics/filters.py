"""The dashboard's drill-downs as debt filters: every figure links to the debts behind it.

Registered into portfolio's DebtFilter from AnalyticsConfig.ready(), so the debt list, the
queue and the debts API accept them. Each filter reads its filter set as `self.parent`.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreements.models import PromiseToPay
from analytics.models import DebtMonthOpening
from analytics.services.loading import day_bounds
from analytics.services.snapshots_contacts import ATTEMPT_CHANNELS, REACHED_OUTCOMES, RPC_OUTCOMES
from collections_app.models import Interaction
from core.filters import DateFilter, IdFilter
from portfolio.filters import AGING_BUCKETS, debt_filter_register
from portfolio.models import Payment


def _carried(queryset, name, value):
    # A bound that another filter applies together with its partner (from/to, month/bucket).
    return queryset


class _DayRangeFilter(DateFilter):
    """Debts with a row of `rows()` whose `stamp` falls in [<prefix>_from, <prefix>_to]
    (business dates); both bounds are applied together, by the `_from` filter."""

    prefix = ""
    stamp = ""

    def rows(self):
        raise NotImplementedError

    def filter(self, qs, value):
        data = self.parent.form.cleaned_data
        start, end = data.get(f"{self.prefix}_from"), data.get(f"{self.prefix}_to")
        if value is None or (self.field_name == f"{self.prefix}_to" and start is not None):
            return qs
        rows = self.rows()
        if start is not None:
            rows = rows.filter(**{f"{self.stamp}__gte": day_bounds(start)[0]})
        if end is not None:
            rows = rows.filter(**{f"{self.stamp}__lt": day_bounds(end)[1]})
        return qs.filter(id__in=rows.values("debt_id"))


class PaidFilter(_DayRangeFilter):
    """Debts with a payment received in [paid_from, paid_to]."""

    prefix, stamp = "paid", "paid_at"

    def rows(self):
        return Payment.objects.all()


class PromisedFilter(_DayRangeFilter):
    """Debts with a promise to pay made in [promised_from, promised_to]."""

    prefix, stamp = "promised", "created_at"

    def rows(self):
        return PromiseToPay.objects.all()


class OpeningFilter(django_filters.ChoiceFilter):
    """Debts that were in bucket `value` at the start of `opening_month` (its month)."""

    def filter(self, qs, value):
        if not value:
            return qs
        month = self.parent.form.cleaned_data.get("opening_month") or self.parent.business_date
        openings = DebtMonthOpening.objects.filter(month=month.replace(day=1), bucket=value)
        return qs.filter(id__in=openings.values("debt_id"))


class ContactFilter(django_filters.ChoiceFilter):
    """Debts with a contact of kind `value` in [contacted_from, contacted_to] (business dates),
    on `contact_channel`, logged by `contacted_by`: what a contact figure counts."""

    def filter(self, qs, value):
        if not value:
            return qs
        data = self.parent.form.cleaned_data
        contacts = Interaction.objects.all()
        if data.get("contacted_from"):
            contacts = contacts.filter(occurred_at__gte=day_bounds(data["contacted_from"])[0])
        if data.get("contacted_to"):
            contacts = contacts.filter(occurred_at__lt=day_bounds(data["contacted_to"])[1])
        if data.get("contact_channel"):
            contacts = contacts.filter(channel=data["contact_channel"])
        if data.get("contacted_by"):
            # As in ContactDay: who logged it, or the assigned collector when nobody did.
            who = int(data["contacted_by"])
            contacts = contacts.filter(
                Q(collector_id=who) | Q(collector__isnull=True, debt__assigned_to_id=who)
            )
        if value != "logged":
            contacts = contacts.filter(channel__in=ATTEMPT_CHANNELS)
        outcomes = {
            "reached": REACHED_OUTCOMES,
            "rpc": RPC_OUTCOMES,
            "promise": [Interaction.Outcome.PROMISE_TO_PAY],
        }
        if value in outcomes:
            contacts = contacts.filter(outcome__in=outcomes[value])
        return qs.filter(id__in=contacts.values("debt_id"))


def register_debt_filters() -> None:
    """Add the drill-down filters to portfolio's DebtFilter (called once from ready())."""
    filters = {
        "segment": IdFilter(field_name="segment_state__segment_id", label=_("Segment")),
        "paid_from": PaidFilter(field_name="paid_from", label=_("Paid from")),
        "paid_to": PaidFilter(field_name="paid_to", label=_("Paid until")),
        "promised_from": PromisedFilter(field_name="promised_from", label=_("Promise made from")),
        "promised_to": PromisedFilter(field_name="promised_to", label=_("Promise made until")),
        "opening_month": DateFilter(method=_carried, label=_("Month")),
        "opening_bucket": OpeningFilter(
            choices=[(k, k) for k in AGING_BUCKETS], label=_("Bucket at the start of the month")
        ),
        "contact": ContactFilter(
            choices=[
                ("logged", _("Any contact logged")),
                ("attempt", _("Contact attempt")),
                ("reached", _("Attempt that reached a person")),
                ("rpc", _("Right-party contact")),
                ("promise", _("Promise to pay")),
            ],
            label=_("Contact"),
        ),
        "contacted_from": DateFilter(method=_carried, label=_("Contacted from")),
        "contacted_to": DateFilter(method=_carried, label=_("Contacted until")),
        "contact_channel": django_filters.CharFilter(method=_carried, label=_("Contact channel")),
        "contacted_by": IdFilter(method=_carried, label=_("Contacted by")),
    }
    for name, filter_ in filters.items():
        debt_filter_register(name, filter_)
