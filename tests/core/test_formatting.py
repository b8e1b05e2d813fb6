"""Locales and dates: es_CO, es_MX and en_US, from a debtor's language and country or the page's."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from core.formatting import active_locale, format_date, locale_for, reader_country

DAY = datetime.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("language", "country", "locale"),
    [
        ("es", "CO", "es_CO"),
        ("es", "MX", "es_MX"),
        ("es", "mx", "es_MX"),
        ("es", "US", "es_CO"),  # a Spanish speaker in the US reads Spanish numbers
        ("es", "", "es_CO"),
        ("en", "US", "en_US"),
        ("en", "MX", "en_US"),
        ("en", "CO", "en_US"),
        ("es-mx", "", "es_MX"),  # a Django language tag with its region
        ("en-us", "", "en_US"),
        ("fr", "CO", "es_CO"),  # a language Cartera does not speak: Spanish first
        ("", "", "es_CO"),
    ],
)
def test_a_language_and_country_map_to_one_of_three_locales(language, country, locale):
    assert locale_for(language=language, country=country) == locale


def test_the_active_locale_follows_the_page_language_and_the_readers_country():
    with translation.override("en"):
        assert active_locale() == "en_US"
    with translation.override("es"):
        assert active_locale() == "es_CO"
        with reader_country("MX"):
            assert active_locale() == "es_MX"
        assert active_locale() == "es_CO"


@pytest.mark.parametrize(
    ("locale", "long", "medium"),
    [
        ("es_CO", "5 de diciembre de 2026", "5/12/2026"),
        ("es_MX", "5 de diciembre de 2026", "5 dic 2026"),
        ("en_US", "December 5, 2026", "Dec 5, 2026"),
    ],
)
def test_dates_are_written_in_the_readers_locale(locale, long, medium):
    assert format_date(DAY, locale) == long
    assert format_date(DAY, locale, length="medium") == medium


def test_a_moment_is_dated_in_the_current_time_zone():
    # 02:00 UTC on the 6th is still the evening of the 5th in Bogotá
    moment = datetime.datetime(2026, 12, 6, 2, 0, tzinfo=datetime.UTC)
    with timezone.override(ZoneInfo("America/Bogota")):
        assert format_date(moment, "en_US") == "December 5, 2026"
    with timezone.override(ZoneInfo("UTC")):
        assert format_date(moment, "en_US") == "December 6, 2026"


def test_the_day_filter_dates_in_the_page_language():
    template = Template('{% load formatting %}{{ d|day }} · {{ d|day:"long" }} · {{ none|day }}')
    with translation.override("es"):
        assert template.render(Context({"d": DAY})) == "5/12/2026 · 5 de diciembre de 2026 · "
    with translation.override("en"):
        assert template.render(Context({"d": DAY})) == "Dec 5, 2026 · December 5, 2026 · "
