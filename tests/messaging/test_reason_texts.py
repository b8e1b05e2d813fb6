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
