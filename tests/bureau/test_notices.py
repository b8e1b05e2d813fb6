"""The notice ledger: per debt, sent when, by which channel, delivered or not; scoped."""

import pytest

from bureau.selectors import debt_notices, notices
from tests.bureau.conftest import sent_notice
from tests.bureau.helpers import D
from tests.factories.messaging import make_message
from tests.factories.portfolio import DebtFactory
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = pytest.mark.django_db


def test_the_ledger_of_a_debt():
    debt = DebtFactory()
    sent_notice(debt, D(2026, 9, 1), status="delivered", channel="letter")
    sent_notice(debt, D(2026, 9, 5), status="failed")
    make_message(debt=debt, template="friendly")  # not a bureau notice
    rows = debt_notices(debt.pk)
    assert [(r["sent_on"], r["channel"], r["delivered"], r["counts"]) for r in rows] == [
        (D(2026, 9, 1), "letter", True, True),
        (D(2026, 9, 5), "email", False, False),
    ]


def test_notices_are_scoped_and_filtered():
    debt = DebtFactory()
    other = DebtFactory()
    sent_notice(debt, D(2026, 9, 1), status="delivered")
    sent_notice(debt, D(2026, 9, 10))
    sent_notice(other, D(2026, 9, 1))
    manager = ManagerFactory(creditors=[debt.creditor])
    assert {n.debt_id for n in notices(user=manager)} == {debt.pk}
    assert notices(user=manager, filters={"delivered": True}).count() == 1
    assert notices(user=manager, filters={"sent_from": D(2026, 9, 5)}).count() == 1
    assert notices(user=CollectorFactory()).count() == 0


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("channel", ["email", "letter", "sms", "whatsapp"])
def test_the_bureau_notice_default_text_passes_the_content_rules(channel, language):
    from messaging.services.default_texts import default_text
    from messaging.services.templates import template_problems

    subject, body = default_text("bureau_notice", channel, language)
    assert template_problems(channel=channel, subject=subject, body=body, language=language) == {}
    assert "20" in body
