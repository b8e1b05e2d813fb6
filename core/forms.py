"""Form fields with bounds: what a person may type is what the code can compute with.

A date the database or Python's date arithmetic cannot hold is a field error ("Enter a date
between ..."), never an OverflowError deep in a selector.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from core.dates import INPUT_DATE_MAX, INPUT_DATE_MIN, business_date_validate, business_today
from core.exceptions import ApplicationError

# The largest id a bigint primary key holds.
ID_MAX = 2**63 - 1


class InputWindowValidator:
    """Refuse a date (or date and time) outside [INPUT_DATE_MIN, INPUT_DATE_MAX]."""

    message = _("Enter a date between %(min)s and %(max)s.")
    code = "date_window"

    def __call__(self, value):
        day = value.date() if isinstance(value, datetime.datetime) else value
        if not INPUT_DATE_MIN <= day <= INPUT_DATE_MAX:
            raise ValidationError(
                self.message,
                code=self.code,
                params={"min": INPUT_DATE_MIN.isoformat(), "max": INPUT_DATE_MAX.isoformat()},
            )


class BoundedDateField(forms.DateField):
    """A date between INPUT_DATE_MIN and INPUT_DATE_MAX."""

    default_validators = [InputWindowValidator()]


class BoundedDateTimeField(forms.DateTimeField):
    """A date and time within the input window."""

    default_validators = [InputWindowValidator()]


class BoundedIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date and time (django-filter's) within the input window."""

    default_validators = [InputWindowValidator()]


class BusinessDateFormField(BoundedDateField):
    """A business date typed on a page (a promised date): within its window of today.

    The service checks the same window (BUSINESS_DATE_WINDOWS) against the business date it
    is given; this names the field before the service is called.
    """

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None:
            try:
                business_date_validate(value, today=business_today(), kind=self.kind)
            except ApplicationError as exc:
                raise ValidationError(exc.message, code="date_window") from exc
