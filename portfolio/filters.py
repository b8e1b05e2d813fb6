"""Filters over debts shared by the API and the HTML list."""

import datetime

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dates import business_today
from portfolio.models import Debt, Product, Stage

AGING_BUCKETS = {
    # bucket: (min DPD, max DPD) inclusive; None means open-ended.
    "current": (0, 0),
    "1-30": (1, 30),
    "31-60": (31, 60),
    "61-90": (61, 90),
    "91-180": (91, 180),
    "181-360": (181, 360),
    "360+": (361, None),
}


def due_date_range_for_dpd(*, as_of, dpd_min=None, dpd_max=None) -> Q:
    """DPD = as_of - due_date, so a DPD range is a due_date range (index friendly)."""
    q = Q()
    if dpd_min is not None:
        q &= Q(due_date__lte=as_of - datetime.timedelta(days=dpd_min))
    if dpd_max is not None:
        q &= Q(due_date__gte=as_of - datetime.timedelta(days=dpd_max))
    return q


class DebtFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("Stage"))
    creditor = django_filters.CharFilter(field_name="creditor__code", label=_("Creditor code"))
    portfolio = django_filters.NumberFilter(field_name="portfolio_id", label=_("Portfolio"))
    debtor = django_filters.NumberFilter(field_name="debtor_id", label=_("Debtor"))
    product = django_filters.MultipleChoiceFilter(choices=Product.choices, label=_("Product"))
    currency = django_filters.CharFilter(field_name="currency", lookup_expr="iexact")
    country = django_filters.CharFilter(field_name="debtor__country", lookup_expr="iexact")
    city = django_filters.CharFilter(method="filter_city", label=_("City"))
    assigned_to = django_filters.NumberFilter(field_name="assigned_to_id", label=_("Collector"))
    balance_min = django_filters.NumberFilter(field_name="balance", lookup_expr="gte")
    balance_max = django_filters.NumberFilter(field_name="balance", lookup_expr="lte")
    due_date_from = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_date_to = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    as_of = django_filters.DateFilter(method="filter_noop", label=_("Business date"))
    dpd_min = django_filters.NumberFilter(method="filter_dpd", label=_("Minimum days past due"))
    dpd_max = django_filters.NumberFilter(method="filter_dpd", label=_("Maximum days past due"))
    aging = django_filters.ChoiceFilter(
        choices=[(k, k) for k in AGING_BUCKETS], method="filter_aging", label=_("Aging bucket")
    )
    # Drill-down from the KPI dashboard: segment, payments in a period, month-start bucket.
    segment = django_filters.NumberFilter(
        field_name="segment_state__segment_id", label=_("Segment")
    )
    state = django_filters.ChoiceFilter(
        choices=[("open", _("Open")), ("closed", _("Closed"))],
        method="filter_state",
        label=_("Open or closed"),
    )
    paid_from = django_filters.DateFilter(method="filter_paid", label=_("Paid from"))
    paid_to = django_filters.DateFilter(method="filter_paid", label=_("Paid until"))
    opening_month = django_filters.DateFilter(method="filter_noop", label=_("Month"))
    opening_bucket = django_filters.ChoiceFilter(
        choices=[(k, k) for k in AGING_BUCKETS],
        method="filter_opening",
        label=_("Bucket at the start of the month"),
    )
    # Drill-down from the contact figures: debts with a logged contact of that kind.
    contact = django_filters.ChoiceFilter(
        choices=[
            ("logged", _("Any contact logged")),
            ("attempt", _("Contact attempt")),
            ("reached", _("Attempt that reached a person")),
            ("rpc", _("Right-party contact")),
            ("promise", _("Promise to pay")),
        ],
        method="filter_contact",
        label=_("Contact"),
    )
    contacted_from = django_filters.DateFilter(method="filter_noop", label=_("Contacted from"))
    contacted_to = django_filters.DateFilter(method="filter_noop", label=_("Contacted until"))
    contact_channel = django_filters.CharFilter(method="filter_noop", label=_("Contact channel"))
    contacted_by = django_filters.NumberFilter(method="filter_noop", label=_("Contacted by"))

    class Meta:
        model = Debt
        fields = []

    @property
    def business_date(self) -> datetime.date:
        """The business date the DPD filters use: `as_of` when given and valid, else today."""
        value = None
        if self.form.is_bound and self.form.is_valid():
            value = self.form.cleaned_data.get("as_of")
        return value or business_today()

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(debt_ref__icontains=value)
            | Q(debtor__full_name__icontains=value)
            | Q(debtor__document_number=value)
            | Q(debtor__debtor_ref=value)
        )

    def filter_city(self, queryset, name, value):
        """The debtor's city, whatever the case and surrounding spaces ("bogotá " = "Bogotá")."""
        value = " ".join(value.split())
        if not value:
            return queryset
        return queryset.filter(debtor__city__iexact=value)

    def filter_dpd(self, queryset, name, value):
        if value is None:
            return queryset
        days = max(0, int(value))
        if name == "dpd_min":
            return queryset.filter(due_date_range_for_dpd(as_of=self.business_date, dpd_min=days))
        return queryset.filter(due_date_range_for_dpd(as_of=self.business_date, dpd_max=days))

    def filter_paid(self, queryset, name, value):
        """Debts with a payment received in [paid_from, paid_to] (business dates)."""
        from portfolio.models import Payment
        from portfolio.segmentation.loading import day_bounds

        start = self.form.cleaned_data.get("paid_from")
        end = self.form.cleaned_data.get("paid_to")
        if value is None or (name == "paid_to" and start is not None):
            return queryset  # both bounds are applied together, by paid_from
        payments = Payment.objects.all()
        if start is not None:
            payments = payments.filter(paid_at__gte=day_bounds(start)[0])
        if end is not None:
            payments = payments.filter(paid_at__lt=day_bounds(end)[1])
        return queryset.filter(id__in=payments.values("debt_id"))

    def filter_contact(self, queryset, name, value):
        """Debts with a contact of kind `value` in [contacted_from, contacted_to] (business
        dates), on `contact_channel`, logged by `contacted_by`: what a contact figure counts."""
        from collections_app.models import Interaction
        from portfolio.segmentation.loading import day_bounds
        from portfolio.segmentation.snapshots_contacts import (
            ATTEMPT_CHANNELS,
            REACHED_OUTCOMES,
            RPC_OUTCOMES,
        )

        data = self.form.cleaned_data
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
        return queryset.filter(id__in=contacts.values("debt_id"))

    def filter_state(self, queryset, name, value):
        from portfolio.models import CLOSED_STAGES, OPEN_STAGES

        return queryset.filter(stage__in=OPEN_STAGES if value == "open" else CLOSED_STAGES)

    def filter_opening(self, queryset, name, value):
        """Debts that were in bucket `value` at the start of `opening_month` (its month)."""
        from portfolio.models import DebtMonthOpening

        month = self.form.cleaned_data.get("opening_month") or self.business_date
        openings = DebtMonthOpening.objects.filter(month=month.replace(day=1), bucket=value)
        return queryset.filter(id__in=openings.values("debt_id"))

    def filter_aging(self, queryset, name, value):
        low, high = AGING_BUCKETS[value]
        if value == "current":
            return queryset.filter(due_date__gte=self.business_date)
        return queryset.filter(
            due_date_range_for_dpd(as_of=self.business_date, dpd_min=low, dpd_max=high)
        )
