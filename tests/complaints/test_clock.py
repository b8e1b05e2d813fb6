"""The legal clock: business days skip weekends and each country's holidays, from the day after."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaints.rules import BUSINESS, CALENDAR, TERMS, term_by_code, term_for
from complaints.services.clock import days_add, days_left, due_on, extended_due_on, is_business_day

D = datetime.date


@pytest.mark.parametrize(
    ("received", "term", "expected"),
    [
        # Friday before the Immaculate Conception (Tue 8 Dec) and Christmas: 15 business days
        (D(2026, 12, 4), "CO-1755-GENERAL", D(2026, 12, 29)),
        # across the year end: New Year and the Epiphany moved to Monday 11 January 2027
        (D(2026, 12, 30), "CO-1755-GENERAL", D(2027, 1, 22)),
        # documents in 10: Monday 11 January 2027 (Reyes, a Monday-moved holiday) is skipped
        (D(2027, 1, 8), "CO-1755-DOCUMENTS", D(2027, 1, 25)),
        # a bureau query in 10 business days over San José (moved to Monday 22 March 2027)
        # and Holy Week (Thursday 25, Friday 26 March)
        (D(2027, 3, 19), "CO-1266-QUERY", D(2027, 4, 7)),
        # the CFPB's 15 calendar days run over Christmas and New Year
        (D(2026, 12, 20), "US-CFPB", D(2027, 1, 4)),
        # the DCF's 8 business days
        (D(2026, 11, 13), "CO-DCF", D(2026, 11, 26)),
    ],
)
def test_due_dates(received, term, expected):
    country = term[:2] if term[:2] in ("CO", "MX", "US") else "CO"
    assert due_on(term_by_code(term), received_on=received, country=country) == expected


def test_colombian_monday_moved_holidays_are_not_business_days():
    # San José (19 March 2027, a Friday) is observed on Monday 22 March
    assert not is_business_day(D(2027, 3, 22), country="CO")
    assert is_business_day(D(2027, 3, 19), country="CO")


def test_mexican_constitution_day_first_monday_of_february():
    # Friday 29 January 2027 + 3 business days: Monday 1 February is a holiday in Mexico
    assert days_add(D(2027, 1, 29), 3, unit=BUSINESS, country="MX") == D(2027, 2, 4)
    # ... but not in Colombia
    assert days_add(D(2027, 1, 29), 3, unit=BUSINESS, country="CO") == D(2027, 2, 3)


def test_us_christmas_and_new_year():
    # Wednesday 23 December 2026 + 5 business days: Christmas (Friday 25) is skipped
    assert days_add(D(2026, 12, 23), 5, unit=BUSINESS, country="US") == D(2026, 12, 31)
    # + 6: New Year's Day 2027 (a Friday) is skipped too
    assert days_add(D(2026, 12, 23), 6, unit=BUSINESS, country="US") == D(2027, 1, 4)


def test_a_term_received_on_a_weekend_starts_on_the_next_business_day():
    # Saturday 5 December 2026: day 1 is Monday 7, Tuesday 8 is a holiday
    assert days_add(D(2026, 12, 5), 2, unit=BUSINESS, country="CO") == D(2026, 12, 9)


def test_an_extension_is_counted_from_the_same_start():
    term = term_by_code("CO-1266-CLAIM")  # 15 business days + 8
    received = D(2026, 12, 4)
    assert extended_due_on(term, received_on=received, country="CO") == days_add(
        received, 23, unit=BUSINESS, country="CO"
    )
    cfpb = term_by_code("US-CFPB")  # in progress within 15, final within 60 calendar days
    assert extended_due_on(cfpb, received_on=received, country="US") == D(2027, 2, 2)


def test_each_jurisdiction_picks_its_term():
    assert term_for(country="CO", kind="documents").code == "CO-1755-DOCUMENTS"
    assert term_for(country="CO", kind="claim", regulator="dcf").code == "CO-DCF"
    assert term_for(country="CO", kind="bureau_claim").code == "CO-1266-CLAIM"
    assert term_for(country="MX", kind="complaint", regulator="redeco").code == "MX-REDECO"
    assert term_for(country="MX", kind="complaint").code == "MX-UNE"
    assert term_for(country="US", kind="complaint", regulator="cfpb").code == "US-CFPB"
    assert term_for(country="US", kind="dispute").code == "US-VERIFICATION"
    assert term_for(country="PE", kind="query").code == "DEFAULT"


def test_every_term_cites_its_source():
    assert all(term.source for term in TERMS)


@settings(max_examples=60, deadline=None)
@given(
    received=st.dates(min_value=D(2025, 1, 1), max_value=D(2028, 12, 31)),
    code=st.sampled_from([t.code for t in TERMS]),
    country=st.sampled_from(["CO", "MX", "US"]),
)
def test_a_due_date_is_a_business_day_exactly_the_term_away(received, code, country):
    term = term_by_code(code)
    due = due_on(term, received_on=received, country=country)
    assert due > received
    assert days_left(due, as_of=received, unit=term.unit, country=country) == term.days
    if term.unit == BUSINESS:
        assert is_business_day(due, country=country)
    else:
        assert term.unit == CALENDAR and (due - received).days == term.days
    assert days_left(received, as_of=due, unit=term.unit, country=country) == -term.days
