"""Reasons the code writes are shown in the viewer's language, whoever's language wrote them."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from collections_app.services.cycle import cycle_run_date
from portfolio.models import Stage, StageChange
from portfolio.models.debts import TRANSITION_LABELS
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 6, 1)
CYCLE_EN = "Daily cycle: days past due reached the policy threshold"
CYCLE_ES = "Ciclo diario: los días de mora alcanzaron el umbral de la política"


def page_text(response) -> str:
    """What a person reads: the page without its tags, attributes and scripts."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def cycle_moves_a_debt(*, language, creditor, collector):
    debt = DebtFactory(
        creditor=creditor, assigned_to=collector, due_date=AS_OF - datetime.timedelta(days=20)
    )
    with translation.override(language):
        cycle_run_date(business_date=AS_OF)
    change = StageChange.objects.get(debt=debt)
    assert change.to_stage == Stage.FIRM_NOTICE
    return debt


@pytest.mark.parametrize(
    ("written_in", "read_in", "shown", "not_shown"),
    [("es", "en", CYCLE_EN, CYCLE_ES), ("en", "es", CYCLE_ES, CYCLE_EN)],
)
def test_the_debt_page_shows_a_cycle_reason_in_the_viewers_language(
    client, creditor, collector, manager, written_in, read_in, shown, not_shown
):
    # Given the cycle moved a debt while running under one language
    debt = cycle_moves_a_debt(language=written_in, creditor=creditor, collector=collector)
    # When a manager reads the debt page in the other language
    client.force_login(manager)
    response = client.get(
        reverse("portfolio:debt-detail", args=[debt.pk]), HTTP_ACCEPT_LANGUAGE=read_in
    )
    text = page_text(response)
    # Then the stage change (and the history row) gives the reason in the reader's language
    assert response.status_code == 200
    assert text.count(shown) >= 2, "both the stage timeline and the change history"
    assert not_shown not in text
    # and the transition is a label, never its method name
    assert "send_firm_notice" not in text and "firm_notice" not in text
    with translation.override(read_in):
        assert str(TRANSITION_LABELS["send_firm_notice"]) in text


def test_the_api_gives_the_reason_code_params_and_text_in_the_request_language(
    api_client, creditor, collector
):
    # Given the cycle moved a debt under Spanish
    debt = cycle_moves_a_debt(language="es", creditor=creditor, collector=collector)
    api_client.force_authenticate(collector)
    url = f"/api/v1/debts/{debt.pk}/transitions/"
    # When the API is asked in English, then in Spanish
    english = api_client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["history"][0]
    spanish = api_client.get(url, HTTP_ACCEPT_LANGUAGE="es").json()["history"][0]
    # Then the code and params are the same, and the text follows the request
    assert english["reason_code"] == spanish["reason_code"] == "cycle.dpd_threshold"
    assert english["reason_params"] == spanish["reason_params"] == {}
    assert (english["reason"], spanish["reason"]) == (CYCLE_EN, CYCLE_ES)
    # And the debt's history API renders the history row's reason the same way
    history = api_client.get(f"/api/v1/debts/{debt.pk}/history/", HTTP_ACCEPT_LANGUAGE="en").json()
    reasons = {row["history_change_reason"] for row in history}
    assert CYCLE_EN in reasons and CYCLE_ES not in reasons


def test_a_reason_a_person_typed_is_shown_as_typed(api_client, creditor, manager):
    # Given a write-off with a reason in the manager's own words
    from collections_app.services.transitions import debt_transition

    debt = DebtFactory(creditor=creditor, stage=Stage.PRE_LEGAL)
    debt_transition(
        debt=debt,
        transition_name="write_off",
        user=manager,
        as_of=AS_OF,
        reason="Deudor insolvente",
        write_off_reason="insolvency",
    )
    api_client.force_authenticate(manager)
    body = api_client.get(f"/api/v1/debts/{debt.pk}/transitions/", HTTP_ACCEPT_LANGUAGE="en")
    (change,) = body.json()["history"]
    # Then it comes back as typed, with no code
    assert (change["reason"], change["reason_code"]) == ("Deudor insolvente", "")


def test_every_stage_transition_has_a_label():
    from portfolio.services.stages import stage_moves

    names = {name for _f, _t, name in stage_moves()} | {"escalate_to_legal", "write_off"}
    assert names <= set(TRANSITION_LABELS)
