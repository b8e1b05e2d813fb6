"""A bureau notice sent by certified letter counts only with its proof of receipt, and from the
day of receipt on the proof: in the ledger, in eligibility and in the cycle's notice step."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bureau.selectors import debt_notices, eligibility
from collections_app.services.cycle_bureau import bureau_notices_plan
from messaging.models import ContactAction, LetterProof
from messaging.services.proofs import letter_proof_record
from tests.bureau.conftest import sent_notice
from tests.bureau.helpers import D, set_debt
from tests.factories.portfolio import DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db

BIG = Decimal("1170000.00")
SMALL = Decimal("200000.00")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def row(debt, cut_off):
    frame = eligibility(creditor=debt.creditor, cut_off=cut_off)
    return frame.set_index("debt_id").loc[debt.pk].to_dict()


def prove(message, received_on, *, key=None):
    proof, created = letter_proof_record(
        message=message,
        kind=LetterProof.Kind.PROVIDER,
        received_on=received_on,
        today=received_on + datetime.timedelta(days=1),
        event_key=key or f"test-proof:{message.pk}",
        signed_by="Ana Pérez",
        provider="certified-sandbox",
        file=SimpleUploadedFile("acuse.pdf", b"%PDF-1.4 receipt", content_type="application/pdf"),
    )
    assert created
    return proof


def test_a_certified_letter_counts_only_from_its_proof_date():
    # Given a Colombian debt whose bureau notice left by letter on 1 September
    debt = set_debt(DebtFactory(due_date=D(2026, 8, 1)), balance=BIG)
    letter = sent_notice(debt, D(2026, 9, 1), channel="letter", to="Calle 1 # 2-3")
    # Then it is no notice yet: the ledger says so and no report is possible
    [ledger] = debt_notices(debt.pk)
    assert (ledger["certified"], ledger["counts"], ledger["delivered"]) == (True, False, False)
    assert ledger["counts_from"] is None
    assert row(debt, D(2026, 12, 1))["reason_code"] == "no_notice"
    # When the post's proof says it was received on 10 September
    prove(letter, D(2026, 9, 10))
    [ledger] = debt_notices(debt.pk)
    assert (ledger["counts"], ledger["delivered"], ledger["counts_from"]) == (
        True,
        True,
        D(2026, 9, 10),
    )
    assert ledger["received_on"] == D(2026, 9, 10)
    # Then the 20 days run from the receipt, not from the sending
    verdict = row(debt, D(2026, 9, 29))
    assert verdict["reason_code"] == "notice_too_recent"
    assert verdict["eligible_on"] == D(2026, 9, 30)
    assert row(debt, D(2026, 9, 30))["eligible"]


def test_a_proof_after_the_cut_off_does_not_count_at_the_cut_off():
    debt = set_debt(DebtFactory(due_date=D(2026, 8, 1)), balance=BIG)
    letter = sent_notice(debt, D(2026, 9, 1), channel="letter", to="Calle 1 # 2-3")
    prove(letter, D(2026, 10, 5))
    assert row(debt, D(2026, 10, 4))["reason_code"] == "no_notice"
    assert row(debt, D(2026, 10, 25))["eligible"]


def test_an_email_notice_and_a_us_letter_count_once_sent():
    email_debt = set_debt(DebtFactory(due_date=D(2026, 8, 1)), balance=BIG)
    sent_notice(email_debt, D(2026, 9, 1))  # e-mail: no certified rule
    assert row(email_debt, D(2026, 9, 21))["eligible"]
    us = DebtorFactory(country="US", timezone="America/New_York", language="en")
    us_debt = set_debt(
        DebtFactory(debtor=us, creditor=us.creditor, currency="USD", due_date=D(2026, 8, 1)),
        balance=BIG,
    )
    sent_notice(us_debt, D(2026, 9, 1), channel="letter", to="1 Main St")
    [ledger] = debt_notices(us_debt.pk)
    assert (ledger["certified"], ledger["counts"]) == (False, True)
    assert row(us_debt, D(2026, 9, 15))["eligible"]


def test_a_returned_certified_letter_never_counts():
    debt = set_debt(DebtFactory(due_date=D(2026, 8, 1)), balance=BIG)
    sent_notice(debt, D(2026, 9, 1), channel="letter", to="Calle 1", status="failed")
    assert row(debt, D(2026, 12, 1))["reason_code"] == "no_notice"


def planned(debt):
    return list(
        ContactAction.objects.filter(debt=debt, template_code="bureau_notice").values_list(
            "business_date", flat=True
        )
    )


def test_the_cycle_waits_for_the_proof_before_a_small_debts_second_notice():
    # Given a small Colombian debt whose first notice left by certified letter, no proof yet
    debt = set_debt(DebtFactory(), stage="firm_notice", balance=SMALL)
    letter = sent_notice(debt, D(2026, 11, 2), channel="letter", to="Calle 1 # 2-3")
    # Then the cycle neither plans the first again nor the second: the letter is pending
    assert bureau_notices_plan(business_date=D(2026, 11, 20), run_id=None) == 0
    assert planned(debt) == []
    # When its proof arrives (received 21 November), the second goes 3 days after the receipt
    prove(letter, D(2026, 11, 21))
    assert bureau_notices_plan(business_date=D(2026, 11, 23), run_id=None) == 0
    assert bureau_notices_plan(business_date=D(2026, 11, 24), run_id=None) == 1
    assert planned(debt) == [D(2026, 11, 24)]


def test_the_bureau_panel_says_a_certified_notice_waits_for_its_proof(client):
    from django.urls import reverse

    from tests.factories.users import ManagerFactory

    debt = set_debt(DebtFactory(due_date=D(2026, 8, 1)), balance=BIG)
    letter = sent_notice(debt, D(2026, 9, 1), channel="letter", to="Calle 1 # 2-3")
    client.force_login(ManagerFactory(creditors=[debt.creditor]))
    url = reverse("portfolio:debt-detail", args=[debt.pk])
    assert 'data-testid="notice-awaiting-proof"' in client.get(url).content.decode()
    prove(letter, D(2026, 9, 10))
    assert 'data-testid="notice-awaiting-proof"' not in client.get(url).content.decode()
