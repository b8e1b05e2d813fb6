"""The behaviour score's contact component: right-party contacts among the debtor's attempts."""

import datetime

import pandas as pd
import pytest

from analytics.models import BehaviourScore
from analytics.services.engine import behaviour_scores
from collections_app.models import Interaction
from tests.analytics.helpers import at, run
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db

D = datetime.date
AS_OF = D(2026, 11, 30)
CALL, VISIT = Interaction.Channel.CALL, Interaction.Channel.VISIT
OUT = Interaction.Outcome


def test_contact_component_on_a_frame():
    base = {
        "dpd": [10.0] * 5,
        "balance": [100.0] * 5,
        "paid_amount": [0.0] * 5,
        "debtor_days_since_payment": [200.0] * 5,
        "debtor_payments_180": [0] * 5,
    }
    frame = pd.DataFrame(
        {
            "debtor_id": [1, 2, 3, 4, 5],
            **base,
            "debtor_attempts": [4, 4, 4, 3, 0],
            "debtor_rpcs": [4, 2, 0, 2, 0],
        }
    )
    scores = behaviour_scores(frame)
    # 50 + 0 (paid 200 days ago) + 0 + 0 (1-30 days) + round(10 × RPCs / attempts) − 5:
    # 4/4 → +5, 2/4 → 0, 0/4 → −5, 2/3 → round(6.67) − 5 = +2, never attempted → 0.
    assert scores["score"].to_dict() == {1: 55, 2: 50, 3: 45, 4: 52, 5: 50}
    assert scores.loc[1, "reasons"] == "contacts=+5"
    assert scores.loc[3, "reasons"] == "contacts=-5"
    assert scores.loc[5, "reasons"] == ""


def _log(debt, channel, outcome, day):
    Interaction.objects.create(
        debt=debt,
        debtor=debt.debtor,
        channel=channel,
        outcome=outcome,
        occurred_at=at(day, 11),
    )


def test_nightly_score_counts_attempts_of_the_last_180_days(creditor):
    # given a current debt, never paid: 50 - 10 (never paid) + 0 + 10 (current) = 50 before contacts
    debt = DebtFactory(creditor=creditor, due_date=AS_OF, debt_ref="S")
    # four attempts in the window: two reached the debtor (RPC, promise), one no answer, one
    # third party; plus what must not count: an SMS, an inbound call, an attempt the day before
    # the window and one after the business date
    _log(debt, CALL, OUT.RIGHT_PARTY_CONTACT, D(2026, 11, 2))
    _log(debt, VISIT, OUT.PROMISE_TO_PAY, D(2026, 10, 15))
    _log(debt, CALL, OUT.NO_ANSWER, D(2026, 9, 1))
    _log(debt, CALL, OUT.THIRD_PARTY, D(2026, 6, 4))  # the window's first day (180 days to D)
    _log(debt, Interaction.Channel.SMS, OUT.RIGHT_PARTY_CONTACT, D(2026, 11, 20))
    _log(debt, Interaction.Channel.INBOUND_CALL, OUT.RIGHT_PARTY_CONTACT, D(2026, 11, 21))
    _log(debt, CALL, OUT.RIGHT_PARTY_CONTACT, D(2026, 6, 3))  # the day before the window
    _log(debt, CALL, OUT.RIGHT_PARTY_CONTACT, D(2026, 12, 1))  # after the business date

    run(AS_OF)

    # 2 RPCs of 4 attempts: round(10 × 0.5) − 5 = 0 → 50, no contact reason.
    score = BehaviourScore.objects.get(debtor=debt.debtor)
    assert score.score == 50
    assert "contacts" not in score.reasons

    # one more right-party call: 3 of 5 → round(6) − 5 = +1
    _log(debt, CALL, OUT.RIGHT_PARTY_CONTACT, D(2026, 11, 29))
    run(AS_OF)
    score.refresh_from_db()
    assert score.score == 51
    assert "contacts=+1" in score.reasons
