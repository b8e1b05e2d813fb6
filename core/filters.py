"""django-filter filters with bounds, for every FilterSet of the pages and the API.

A value outside a filter's bounds is a form error, so a page shows it next to the field and an
API answers 400 naming it; an unbounded NumberFilter or DateFilter lets 99999999999999999999
or 9999-12-31 through to date arithmetic or the database, and the request fails with a 500.
"""

import datetime

import django_filters

from core.dates import INPUT_DAYS_MAX
from core.forms import ID_MAX, BoundedDateField, BoundedIsoDateTimeField


class DateFilter(django_filters.DateFilter):
    """A date between INPUT_DATE_MIN and INPUT_DATE_MAX."""

    field_class = BoundedDateField


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date and time within the input window, compared in UTC.

    Passed on with its own offset, one past ±15:59 (which ISO 8601 allows up to ±23:59) is
    refused by PostgreSQL: a valid `?paid_from=2026-11-02T10:00:00-17:00` would fail.
    """

    field_class = BoundedIsoDateTimeField

    def filter(self, qs, value):
        if value is not None:
            value = value.astimezone(datetime.UTC)
        return super().filter(qs, value)


class _BoundedNumberFilter(django_filters.NumberFilter):
    bounds: dict = {}

    def __init__(self, *args, **kwargs):
        for name, value in self.bounds.items():
            kwargs.setdefault(name, value)
        super().__init__(*args, **kwargs)


class IdFilter(_BoundedNumberFilter):
    """A record id: a whole number from 1 to the largest bigint."""

    bounds = {"min_value": 1, "max_value": ID_MAX, "max_digits": 19, "decimal_places": 0}


class DaysFilter(_BoundedNumberFilter):
    """A whole number of days, from 0 to INPUT_DAYS_MAX."""

    bounds = {"min_value": 0, "max_value": INPUT_DAYS_MAX, "max_digits": 6, "decimal_places": 0}


class AmountFilter(_BoundedNumberFilter):
    """An amount of money as the books hold it: at most 18 digits, 2 of them decimals."""

    bounds = {"min_value": 0, "max_digits": 18, "decimal_places": 2}
