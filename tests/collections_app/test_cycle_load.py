"""The cycle's full load (every open debt, read through COPY and Arrow) keeps text as text: a
book whose product codes are all digits is still decided by its products' policies."""

import datetime

import pytest

from collections_app.services.cycle import cycle_run_date
from collections_app.services.policies import policy_create, policy_ensure_defaults
from portfolio.models import Debt, Stage
from tests.factories.portfolio import CreditorFactory, DebtFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 1)


@pytest.mark.parametrize(
    "evaluate_all", [True, False], ids=["deciding every open debt", "as the cycle chooses"]
)
def test_a_product_code_of_digits_is_decided_by_its_own_policy(evaluate_all):
    creditor = CreditorFactory(code="digits")
    policy_ensure_defaults(creditors=[creditor])
    policy_create(
        creditor=creditor,
        name="Product 2024",
        product="2024",
        values={"friendly_dpd": 50, "firm_dpd": 60, "pre_legal_dpd": 90},
    )
    # 30 days past due: the default ladder would send them a friendly reminder; theirs waits
    debts = [
        DebtFactory(creditor=creditor, product="2024", due_date=DAY - datetime.timedelta(days=30))
        for _ in range(3)
    ]
    cycle_run_date(business_date=DAY, evaluate_all=evaluate_all)
    stages = set(Debt.objects.filter(pk__in=[d.pk for d in debts]).values_list("stage", flat=True))
    assert stages == {Stage.CURRENT}
    # and 50 days past due, it moves
    cycle_run_date(business_date=DAY + datetime.timedelta(days=20), evaluate_all=evaluate_all)
    stages = set(Debt.objects.filter(pk__in=[d.pk for d in debts]).values_list("stage", flat=True))
    assert stages == {Stage.FRIENDLY_REMINDER}
