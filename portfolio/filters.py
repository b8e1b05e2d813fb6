"""Filters over debts shared by the API and the HTML list."""

import datetime

import django_filters
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.dates import business_today
from core.filters import AmountFilter, DateFilter, DaysFilter, IdFilter
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
    """Debt filters of the list, the queue and the API; higher apps add theirs (see below)."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("Stage"))
    creditor = django_filters.CharFilter(field_name="creditor__code", label=_("Creditor code"))
    portfolio = IdFilter(field_name="portfolio_id", label=_("Portfolio"))
    debtor = IdFilter(field_name="debtor_id", label=_("Debtor"))
    product = django_filters.MultipleChoiceFilter(choices=Product.choices, label=_("Product"))
    currency = django_filters.CharFilter(field_name="currency", lookup_expr="iexact")
    country = django_filters.CharFilter(field_name="debtor__country", lookup_expr="iexact")
    city = django_filters.CharFilter(method="filter_city", label=_("City"))
    assigned_to = IdFilter(field_name="assigned_to_id", label=_("Collector"))
    balance_min = AmountFilter(field_name="balance", lookup_expr="gte", label=_("Minimum balance"))
    balance_max = AmountFilter(field_name="balance", lookup_expr="lte", label=_("Maximum balance"))
    due_date_from = DateFilter(field_name="due_date", lookup_expr="gte", label=_("Due from"))
    due_date_to = DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due until"))
    as_of = DateFilter(method="filter_noop", label=_("Business date"))
    dpd_min = DaysFilter(method="filter_dpd", label=_("Minimum days past due"))
    dpd_max = DaysFilter(method="filter_dpd", label=_("Maximum days past due"))
    aging = django_filters.ChoiceFilter(
        choices=[(k, k) for k in AGING_BUCKETS], method="filter_aging", label=_("Aging bucket")
    )
    state = django_filters.ChoiceFilter(
        # Said of debts ("deudas": abiertas, cerradas).
        choices=[("open", pgettext_lazy("debts", "Open")), ("closed", _("Closed"))],
        method="filter_state",
        label=_("Open or closed"),
    )

    class Meta:
        model = Debt
        fields = []

    @property
    def qs(self):
        # A filter that cannot be applied selects nothing: leaving it out would widen the
        # selection behind the user's back (the bulk assignment would offer every open debt).
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs

    @property
    def error_list(self) -> list[tuple[str, str]]:
        """(label, message) of each filter that could not be applied, for the pages."""
        return [
            (str(self.form.fields[name].label or name) if name in self.form.fields else name, e)
            for name, errors in self.errors.items()
            for e in errors
        ]

    # The filters the shared filter bar shows as fields (includes/debt_filters.html).
    BAR_FIELDS = frozenset(
        {"q", "stage", "creditor", "product", "segment", "city", "aging", "dpd_min", "dpd_max"}
    )

    def applied_list(self, *, shown=BAR_FIELDS) -> list[tuple[str, str]]:
        """(label, value) of each applied filter the filter bar does not show: what a
        drill-down (a dashboard figure's link) filters by, said on the page it opens."""
        if not self.form.is_bound or not self.form.is_valid():
            return []
        applied = []
        for name, value in self.form.cleaned_data.items():
            if name in shown or value in (None, "", [], ()):
                continue
            field = self.form.fields[name]
            choices = dict(getattr(field, "choices", []) or [])
            if isinstance(value, list | tuple):
                text = ", ".join(str(choices.get(v, v)) for v in value)
            elif isinstance(value, datetime.date):
                text = formats.date_format(value, "SHORT_DATE_FORMAT")
            else:
                text = str(choices.get(value, value))
            applied.append((str(field.label or name), text))
        return applied

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
            | Q(debtor__document_number__compact=value)
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

    def filter_state(self, queryset, name, value):
        from portfolio.models import CLOSED_STAGES, OPEN_STAGES

        return queryset.filter(stage__in=OPEN_STAGES if value == "open" else CLOSED_STAGES)

    def filter_aging(self, queryset, name, value):
        low, high = AGING_BUCKETS[value]
        if value == "current":
            return queryset.filter(due_date__gte=self.business_date)
        return queryset.filter(
            due_date_range_for_dpd(as_of=self.business_date, dpd_min=low, dpd_max=high)
        )


def _with_subclasses(cls):
    yield cls
    for sub in cls.__subclasses__():
        yield from _with_subclasses(sub)


def debt_filter_register(name: str, filter_: django_filters.Filter) -> None:
    """Add a debt filter (e.g. the dashboard's drill-downs) from a higher app's ready().

    The filter reads the filter set it runs in as `self.parent` (its form, business date).
    Subclasses made before or after the registration (the API's) get it too.
    """
    for cls in _with_subclasses(DebtFilter):
        cls.declared_filters[name] = filter_
        cls.base_filters[name] = filter_
