"""A debt in `legal`, seen from collections: out of the collectors' queue and the reminder
cadence (the notices the law requires still go), still in the KPIs, its payments on the case."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from analytics.models import AgingSnapshot
from analytics.services.snapshots import snapshots_write
from collections_app.models import CADENCE_STAGES, EscalationPolicyVersion
from collections_app.selectors.workspace import QUEUE_STAGES, work_queue_base
from collections_app.services.cycle import cycle_run
from collections_app.services.payments import payment_record
from messaging.models import ContactAction
from portfolio.models import Debt, Stage
from tests.factories.legal import make_case
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, LawyerFactory, ManagerFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 2)


def in_stage(debt, stage, *, entered=datetime.date(2026, 9, 1)):
    Debt.objects.filter(pk=debt.pk).update(stage=stage, stage_entered_on=entered)
    debt.refresh_from_db()
    return debt


def test_legal_debts_leave_the_collectors_queue():
    collector = CollectorFactory()
    creditor = CreditorFactory()
    legal = make_case(debt=DebtFactory(creditor=creditor, assigned_to=collector)).debt
    pre_legal = in_stage(DebtFactory(creditor=creditor, assigned_to=collector), Stage.PRE_LEGAL)

    assert Stage.LEGAL not in QUEUE_STAGES and Stage.LEGAL not in CADENCE_STAGES
    assert list(work_queue_base(user=collector)) == [pre_legal]
    manager = ManagerFactory(creditors=[creditor])
    assert legal not in work_queue_base(user=manager)


def test_the_cycle_plans_no_cadence_reminder_in_legal_but_the_notice_the_law_requires_goes():
    creditor = CreditorFactory()
    legal = make_case(debt=DebtFactory(creditor=creditor, due_date=datetime.date(2026, 6, 1))).debt
    in_stage(legal, Stage.LEGAL)
    ContactPointFactory(debtor=legal.debtor)  # an e-mail address for the bureau notice
    control = in_stage(
        DebtFactory(creditor=creditor, due_date=datetime.date(2026, 9, 1)), Stage.PRE_LEGAL
    )
    cycle_run(as_of=AS_OF - datetime.timedelta(days=1))  # makes the default policy
    # Given a policy whose cadence asks for reminders every day in legal and in pre-legal
    every_day = [{"every_days": 1, "channels": ["email", "sms"], "template": "pre_legal_notice"}]
    for version in EscalationPolicyVersion.objects.all():
        cadence = {**(version.cadence or {}), "legal": every_day, "pre_legal": every_day}
        EscalationPolicyVersion.objects.filter(pk=version.pk).update(cadence=cadence)

    cycle_run(as_of=AS_OF)

    today = ContactAction.objects.filter(business_date=AS_OF)
    # The same rule under pre-legal plans (the rule is a working one)...
    assert today.filter(debt=control, template_code="pre_legal_notice").exists()
    # ...but nothing from the cadence for the debt in court, on any day,
    in_court = ContactAction.objects.filter(debt=legal)
    assert not in_court.exclude(template_code="bureau_notice").exists()
    # while the credit bureau's prior notice, which the law requires, is planned.
    assert in_court.filter(template_code="bureau_notice").exists()


def test_legal_debts_stay_in_the_kpi_snapshots():
    creditor = CreditorFactory()
    legal = make_case(debt=DebtFactory(creditor=creditor, due_date=datetime.date(2026, 6, 1))).debt
    friendly = in_stage(
        DebtFactory(creditor=creditor, due_date=datetime.date(2026, 10, 25)),
        Stage.FRIENDLY_REMINDER,
    )

    snapshots_write(as_of=AS_OF)

    rows = AgingSnapshot.objects.filter(as_of=AS_OF, creditor=creditor)
    assert sum(r.debts for r in rows) == 2
    assert sum(r.balance for r in rows) == legal.balance + friendly.balance


def test_a_payment_lands_through_the_ledger_and_shows_on_the_case():
    case = make_case(handed_over_on=datetime.date(2026, 10, 1))
    lawyer = LawyerFactory(firms=[case.firm])
    paid_at = datetime.datetime(2026, 11, 2, 15, tzinfo=datetime.UTC)

    payment, created = payment_record(
        creditor=case.creditor,
        debt=case.debt,
        amount=Decimal("50000.00"),
        currency=case.debt.currency,
        paid_at=paid_at,
        method="pse",
        reference="LEGAL-PSE-1",
        source="manual",
    )

    assert created
    client = APIClient()
    client.force_authenticate(lawyer)
    body = client.get(f"/api/v1/legal-cases/{case.pk}/").json()
    assert [(p["id"], p["amount"]) for p in body["payments"]] == [(payment.pk, "50000.00")]
    case.debt.refresh_from_db()
    assert body["balance"] == str(case.debt.balance)
