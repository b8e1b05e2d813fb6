"""A rule's limit reads as people say it, in each language: one day, seven days."""

import pytest
from django.utils import translation

from core.reasons import reason_text
from messaging import reasons

RULE = {
    "en": "At most one contact per debtor per day",
    "es": "Como máximo un contacto por deudor al día",
}


@pytest.mark.parametrize(
    ("language", "days", "said"),
    [
        ("en", 1, "the limit of 1 in 1 day is reached."),
        ("en", 7, "the limit of 1 in 7 days is reached."),
        ("es", 1, "se alcanzó el límite de 1 en 1 día."),
        ("es", 7, "se alcanzó el límite de 1 en 7 días."),
    ],
)
def test_a_cap_reached_says_day_or_days(language, days, said):
    # stored as planning stores it: the code and JSON params (the days may come back as text)
    for stored_days in (days, str(days)):
        params = {"label": "CO-DAY", "max": 1, "days": stored_days}
        with translation.override(language):
            assert reason_text(reasons.CAP_REACHED, params) == f"{RULE[language]}: {said}"


@pytest.mark.parametrize(
    ("code", "params", "said"),
    [
        (
            reasons.OUTSIDE_HOURS,
            {"label": "CO-WINDOW", "time": "2026-12-05 15:01"},
            {
                "en": "15:01 on Saturday, December 5, 2026 (local time) is outside the contact"
                " hours.",
                "es": "las 15:01 del sábado, 5 de diciembre de 2026 (hora local) están fuera del"
                " horario de contacto.",
            },
        ),
        (
            reasons.REST_DAY,
            {"label": "CO-REST", "day": "2026-12-06"},
            {
                "en": "Sunday, December 6, 2026 is a rest day.",
                "es": "el domingo, 6 de diciembre de 2026 es día de descanso.",
            },
        ),
        (
            reasons.HOLIDAY,
            {"label": "CO-REST", "day": "2026-12-08", "country": "CO"},
            {
                "en": "Tuesday, December 8, 2026 is a holiday",
                "es": "el martes, 8 de diciembre de 2026 es festivo",
            },
        ),
        (
            reasons.COOLDOWN,
            {"label": "CO-REST", "day": "2026-12-05", "next": "2026-12-12"},
            {
                "en": "conversation on Saturday, December 5, 2026; calls again from Saturday,"
                " December 12, 2026.",
                "es": "conversación el sábado, 5 de diciembre de 2026; se puede volver a llamar"
                " desde el sábado, 12 de diciembre de 2026.",
            },
        ),
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_debtors_days_are_written_as_the_reader_writes_dates(code, params, said, language):
    # stored ISO by the engine; shown with the weekday, in the viewer's language
    with translation.override(language):
        text = reason_text(code, params)
    assert said[language] in text
    assert params.get("day", params.get("time", ""))[:10] not in text


def test_a_day_stored_in_another_shape_is_shown_as_stored():
    with translation.override("en"):
        assert reason_text(reasons.REST_DAY, {"label": "CO-REST", "day": "Sunday"}).endswith(
            ": Sunday is a rest day."
        )
