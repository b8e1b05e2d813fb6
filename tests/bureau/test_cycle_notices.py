"""The daily cycle plans the bureau notices in time: the first one from the firm notice on, the
second for a small Colombian debt on a later day, none for a held debt, none twice."""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from collections_app.services.cycle_bureau import bureau_notices_plan
from messaging.models import ContactAction
from portfolio.models import Debt
from tests.bureau.conftest import sent_notice
from tests.bureau.helpers import D, hold, set_debt
from tests.factories.portfolio import ContactPointFactory, DebtFactory

pytestmark = pytest.mark.django_db


def planned(debt):
    return list(
        ContactAction.objects.filter(debt=debt, template_code="bureau_notice").values_list(
            "business_date", "channel"
        )
    )


def test_first_notice_from_the_firm_notice_stage_by_email_or_letter():
    firm = set_debt(DebtFactory(), stage="firm_notice")
    ContactPointFactory(debtor=firm.debtor)
    friendly = set_debt(DebtFactory(creditor=firm.creditor), stage="friendly_reminder")
    letter = set_debt(DebtFactory(creditor=firm.creditor), stage="pre_legal")
    held = set_debt(DebtFactory(creditor=firm.creditor), stage="pre_legal")
    hold(held)
    assert bureau_notices_plan(business_date=D(2026, 11, 2), run_id=None) == 2
    assert planned(firm) == [(D(2026, 11, 2), "email")]
    assert planned(letter) == [(D(2026, 11, 2), "letter")]
    assert planned(friendly) == planned(held) == []
    # The same day again, or within the week while it is not sent: nothing new.
    assert bureau_notices_plan(business_date=D(2026, 11, 2), run_id=None) == 0
    assert bureau_notices_plan(business_date=D(2026, 11, 5), run_id=None) == 0


def test_the_notices_are_inserted_in_debt_order_and_leave_no_table_behind():
    # The day's notices are selected into a temporary table first (notice_actions_insert),
    # then inserted from it in debt order, the order every writer of these rows locks in.
    first = set_debt(DebtFactory(), stage="firm_notice")
    debts = [first] + [
        set_debt(DebtFactory(creditor=first.creditor), stage=stage)
        for stage in ("pre_legal", "firm_notice", "legal")
    ]
    # The first debt's row rewritten last: a plain scan of the debts now reads it last.
    Debt.objects.filter(pk=first.pk).update(updated_at=timezone.now())
    assert bureau_notices_plan(business_date=D(2026, 11, 2), run_id=None) == 4
    inserted = ContactAction.objects.filter(template_code="bureau_notice").order_by("id")
    assert list(inserted.values_list("debt_id", flat=True)) == sorted(d.pk for d in debts)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_temp.notice_actions')")
        assert cursor.fetchone() == (None,)


def test_a_sent_notice_is_not_planned_again_but_a_small_debt_gets_a_second_on_a_later_day():
    big = set_debt(DebtFactory(), stage="firm_notice")
    small = set_debt(DebtFactory(creditor=big.creditor), stage="firm_notice", balance="200000")
    assert small.balance == Decimal("200000")
    sent_notice(big, D(2026, 11, 2))
    sent_notice(small, D(2026, 11, 2), template="pre_legal_notice")
    assert bureau_notices_plan(business_date=D(2026, 11, 4), run_id=None) == 0  # too soon
    assert bureau_notices_plan(business_date=D(2026, 11, 5), run_id=None) == 1
    assert planned(small) == [(D(2026, 11, 5), "letter")] and planned(big) == []
    sent_notice(small, D(2026, 11, 6))
    assert bureau_notices_plan(business_date=D(2026, 11, 20), run_id=None) == 0


def test_a_pre_legal_notice_planned_today_stands_for_the_bureau_notice():
    debt = set_debt(DebtFactory(), stage="pre_legal")
    ContactAction.objects.create(
        debt=debt,
        business_date=D(2026, 11, 2),
        stage="pre_legal",
        channel="email",
        template_code="pre_legal_notice",
        created_at=timezone.now(),
    )
    assert bureau_notices_plan(business_date=D(2026, 11, 2), run_id=None) == 0
    assert planned(debt) == []
