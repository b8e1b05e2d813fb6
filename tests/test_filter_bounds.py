"""Out-of-range filters: every staff page and export answers 400 with the field's message.

The pages and their filter sets or forms are listed once; the numeric and date fields of each
are found by walking the filter set's filters or the form's fields, so a filter added later
(a dashboard drill-down registered into DebtFilter, a new date on a form) is covered
without touching this file. The API's filter sets are walked the same way.
"""

import pytest
from django import forms
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.generators import EndpointEnumerator

from analytics.forms import KpiFilterForm
from collections_app.forms import ContactActionFilterForm
from core.dates import INPUT_DATE_MAX, INPUT_DATE_MIN, INPUT_DAYS_MAX
from messaging.forms.compliance import BureauTryForm, ContactTryForm
from messaging.forms.outbox import OutboxFilterForm
from portfolio.filters import DebtFilter
from portfolio.models import Debt
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db

NUMBERS_OUT = ["99999999999999999999", "-99999999999999999999", "1e400"]
DATES_OUT = ["9999-12-31", "0001-01-01"]
DATETIMES_OUT = ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00Z"]
# What the field says (Django's own wording for numbers and record choices).
MESSAGES = (
    "Enter a date between 1900-01-01 and 2199-12-31.",
    "Ensure this value is",
    "Ensure that there are no more than",
    "Enter a number.",
    "Enter a whole number.",
    "Select a valid choice.",
)

EXPORTS = [
    ("analytics:dashboard-export", ("headline", "csv")),
    ("analytics:dashboard-export", ("headline", "xlsx")),
]
# The compliance tool checks a form only when its key field is in the query.
CONTACT_TRY = {"channel": "sms", "country": "CO", "timezone": "America/Bogota", "day": "2026-06-01",
               "time": "10:00", "purpose": "collection", "stage": "firm_notice"}  # fmt: skip
BUREAU_TRY = {"b_country": "CO", "as_of": "2026-06-01"}
# Every staff page (and export) that reads filters or a GET form from its query string, with
# what it reads and the query that makes the form read at all.
PAGES = [
    ("portfolio:debt-list", (), DebtFilter, {}),
    ("collections:queue", (), DebtFilter, {}),
    ("collections:next", (), DebtFilter, {}),
    ("collections:assign", (), DebtFilter, {}),
    ("analytics:dashboard", (), KpiFilterForm, {}),
    *((name, args, KpiFilterForm, {}) for name, args in EXPORTS),
    ("collections:cycle", (), ContactActionFilterForm, {}),
    ("messaging:outbox", (), OutboxFilterForm, {}),
    ("messaging:call-list", (), OutboxFilterForm, {}),
    ("messaging:compliance-try", (), ContactTryForm, CONTACT_TRY),
    ("messaging:compliance-try", (), BureauTryForm, BUREAU_TRY),
]


def _fields(source) -> dict[str, forms.Field]:
    """The form fields behind a filter set's filters, or a form's own fields."""
    if hasattr(source, "base_filters"):
        return {name: f.field for name, f in source.base_filters.items()}
    return dict(source.base_fields)


def _bad_values(field: forms.Field) -> list[str]:
    if isinstance(field, forms.DateTimeField):
        return DATETIMES_OUT
    if isinstance(field, forms.DateField):
        return DATES_OUT
    if isinstance(field, forms.DecimalField | forms.IntegerField | forms.FloatField):
        return NUMBERS_OUT
    if isinstance(field, forms.ModelChoiceField) and not field.to_field_name:
        return NUMBERS_OUT  # a record id
    return []


def _cases(source):
    return [
        (name, value) for name, field in _fields(source).items() for value in _bad_values(field)
    ]


def _page_cases():
    return [
        pytest.param(url, args, base, name, value, id=f"{url}{'/'.join(args)}-{name}={value}")
        for url, args, source, base in PAGES
        for name, value in _cases(source)
    ]


def _query(base: dict, creditor) -> dict:
    return {**base, "creditor": creditor.pk} if base is CONTACT_TRY else dict(base)


def test_the_walk_finds_the_filters_the_probe_broke():
    # The filters issue #15 reported (a drill-down registered by analytics among them).
    debt_filters = {name for name, _value in _cases(DebtFilter)}
    assert {"dpd_min", "dpd_max", "paid_from", "paid_to", "as_of", "segment"} <= debt_filters
    assert {"date_from", "date_to"} <= {name for name, _value in _cases(KpiFilterForm)}


@pytest.mark.parametrize(("url", "args", "base", "name", "value"), _page_cases())
def test_out_of_range_filter_is_a_400_naming_it(
    admin_client, creditor, url, args, base, name, value
):
    DebtFactory(creditor=creditor)
    query = {**_query(base, creditor), name: value}
    # follow: the next-case shortcut sends a bad filter back to the queue, which explains it.
    response = admin_client.get(reverse(url, args=args), query, follow=True)
    assert response.status_code == 400, (url, name, value)
    body = response.content.decode()
    assert any(message in body for message in MESSAGES), body[:2000]


def test_a_bad_filter_lists_nothing_instead_of_everything(admin_client, creditor):
    # Given open debts of every age
    DebtFactory(creditor=creditor)
    # When the list, the queue and the bulk assignment get a filter they cannot apply
    for url in ("portfolio:debt-list", "collections:queue", "collections:assign"):
        response = admin_client.get(reverse(url), {"dpd_min": "99999999999999999999"})
        # Then they say which filter and select no debt (the assignment offers none)
        assert response.status_code == 400
        body = response.content.decode()
        assert "Minimum days past due" in body and "36500" in body
    list_page = admin_client.get(reverse("portfolio:debt-list"), {"paid_from": "9999-12-31"})
    assert list_page.context["count"] == 0
    assign = admin_client.get(reverse("collections:assign"), {"dpd_max": "1e400"})
    assert assign.context["summary"]["count"] == 0


def test_bulk_assignment_with_a_bad_filter_assigns_nothing(client, manager, creditor, collector):
    debt = DebtFactory(creditor=creditor)
    client.force_login(manager)
    response = client.post(
        reverse("collections:assign") + "?dpd_min=99999999999999999999",
        {"collectors": [collector.pk], "mode": "count", "reason": "x", "confirm": "1"},
    )
    assert response.status_code == 400
    assert "Correct the filters first" in response.content.decode()
    assert Debt.objects.get(pk=debt.pk).assigned_to_id is None


@pytest.mark.parametrize(("url", "args", "source", "base"), PAGES)
def test_filters_at_the_edges_of_their_window_never_overflow(
    admin_client, creditor, url, args, source, base
):
    # Every date and day-count filter at its extremes, all at once: the arithmetic on them
    # (a day's bounds, the previous period, as_of minus the days past due) stays in range.
    DebtFactory(creditor=creditor)
    for edge in (INPUT_DATE_MIN, INPUT_DATE_MAX):
        query = _query(base, creditor)
        if base is BUREAU_TRY:
            query["notices"] = f"{edge.isoformat()},{edge.isoformat()}"
        for name, field in _fields(source).items():
            if isinstance(field, forms.DateField):
                query[name] = edge.isoformat()
            elif name.startswith("dpd_"):
                query[name] = str(INPUT_DAYS_MAX)
        query.update({"contact": "logged", "opening_bucket": "1-30"})
        response = admin_client.get(reverse(url, args=args), query, follow=True)
        assert response.status_code in (200, 400), (url, edge, response.status_code)


def _api_filtersets():
    found = []
    for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints():
        view = getattr(callback, "cls", None)
        filterset = getattr(view, "filterset_class", None)
        if method == "GET" and filterset is not None and "{" not in path:
            backends = getattr(view, "filter_backends", None) or [DjangoFilterBackend]
            found.append((path, filterset, backends))
    return sorted({(p, f) for p, f, _b in found}, key=lambda item: item[0])


def _api_cases():
    return [
        pytest.param(path, name, value, id=f"{path}-{name}={value}")
        for path, filterset in _api_filtersets()
        for name, value in _cases(filterset)
    ]


@pytest.mark.parametrize(("path", "name", "value"), _api_cases())
def test_api_out_of_range_filter_is_a_400_on_that_field(admin_client, path, name, value):
    response = admin_client.get(path, {name: value})
    assert response.status_code == 400, (path, name, value)
    assert name in response.json(), response.json()


@pytest.mark.parametrize("notices", ["9999-12-30", "2026-01-01,0001-01-01"])
def test_bureau_notice_dates_out_of_range_are_a_400(admin_client, notices):
    query = {**BUREAU_TRY, "notices": notices}
    response = admin_client.get(reverse("messaging:compliance-try"), query)
    assert response.status_code == 400
    assert "Enter a date between 1900-01-01 and 2199-12-31." in response.content.decode()
