"""The prescription clock: 3 and 5 years, leap days, and what restarts the term; the alerts."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from legal.models import PrescriptionAlert, PrescriptionBasis, PrescriptionInterruption
from legal.services.alerts import alerts_for_user, alerts_mark_seen, prescription_alerts_create
from legal.services.prescription import (
    interruption_record,
    prescription_date,
    prescription_dates,
)
from portfolio.models import Debt, Stage
from tests.factories.legal import make_case
from tests.factories.portfolio import DebtFactory, PaymentFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 12, 6)
BOGOTA = ZoneInfo("America/Bogota")


def _debt(due, stage=Stage.LEGAL, **fields):
    debt = DebtFactory(due_date=due, **fields)
    Debt.objects.filter(pk=debt.pk).update(stage=stage)
    debt.refresh_from_db()
    return debt


def test_a_promissory_note_prescribes_3_years_after_its_due_date_a_contract_5():
    debt = _debt(datetime.date(2024, 5, 10))
    assert prescription_date(debt=debt, as_of=AS_OF) == datetime.date(2027, 5, 10)
    assert prescription_date(
        debt=debt, basis=PrescriptionBasis.CONTRACT, as_of=AS_OF
    ) == datetime.date(2029, 5, 10)


def test_a_leap_day_due_date_prescribes_on_the_last_day_of_february():
    debt = _debt(datetime.date(2024, 2, 29))
    assert prescription_date(debt=debt, as_of=AS_OF) == datetime.date(2027, 2, 28)
    # Four years on there is a 29 February again (contract: 5 years -> 2029, not leap).
    assert prescription_date(
        debt=debt, basis=PrescriptionBasis.CONTRACT, as_of=AS_OF
    ) == datetime.date(2029, 2, 28)


def test_the_open_cases_basis_wins():
    case = make_case(prescription_basis=PrescriptionBasis.CONTRACT)
    # make_case's debt fell due on 2025-01-10.
    assert prescription_date(debt=case.debt, as_of=AS_OF) == datetime.date(2030, 1, 10)


def test_the_filing_restarts_the_term_and_the_latest_interruption_wins():
    debt = _debt(datetime.date(2024, 1, 15))
    interruption_record(debt=debt, kind="acknowledgement", on=datetime.date(2025, 3, 1))
    interruption_record(debt=debt, kind="filing", on=datetime.date(2025, 9, 20))
    assert prescription_date(debt=debt, as_of=AS_OF) == datetime.date(2028, 9, 20)
    # Recording the same act twice changes nothing.
    interruption_record(debt=debt, kind="filing", on=datetime.date(2025, 9, 20))
    assert PrescriptionInterruption.objects.filter(debt=debt).count() == 2


def test_an_interruption_after_the_business_date_does_not_count_yet():
    debt = _debt(datetime.date(2024, 1, 15))
    interruption_record(debt=debt, kind="filing", on=datetime.date(2026, 6, 1))
    assert prescription_date(debt=debt, as_of=datetime.date(2026, 5, 31)) == datetime.date(
        2027, 1, 15
    )
    assert prescription_date(debt=debt, as_of=AS_OF) == datetime.date(2029, 6, 1)


def test_a_payment_is_an_acknowledgement_on_its_local_date():
    debt = _debt(datetime.date(2024, 1, 15))
    # 23:30 in Bogotá on 1 March is already 2 March in UTC: the local day counts.
    PaymentFactory(debt=debt, paid_at=datetime.datetime(2025, 3, 1, 23, 30, tzinfo=BOGOTA))
    assert prescription_date(debt=debt, as_of=AS_OF) == datetime.date(2028, 3, 1)


def test_an_interruption_before_the_due_date_is_refused():
    from core.exceptions import ApplicationError

    debt = _debt(datetime.date(2024, 1, 15))
    with pytest.raises(ApplicationError) as exc:
        interruption_record(debt=debt, kind="filing", on=datetime.date(2023, 12, 1))
    assert exc.value.field == "on"


def test_prescription_dates_for_a_set_of_debts_in_one_query(django_assert_num_queries):
    a = _debt(datetime.date(2024, 5, 10))
    b = _debt(datetime.date(2023, 1, 1))
    interruption_record(debt=b, kind="acknowledgement", on=datetime.date(2024, 2, 29))
    with django_assert_num_queries(1):
        dates = prescription_dates([a.pk, b.pk], as_of=AS_OF)
    assert dates == {a.pk: datetime.date(2027, 5, 10), b.pk: datetime.date(2027, 2, 28)}


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (datetime.date(2024, 12, 7), []),  # 23 months and 30 days
        (datetime.date(2024, 12, 6), [24]),
        (datetime.date(2024, 6, 6), [24, 30]),
        (datetime.date(2024, 3, 6), [24, 30, 33]),
        (datetime.date(2023, 12, 6), []),  # prescribed today: too late to warn
    ],
)
def test_alerts_at_24_30_and_33_months_once_each(due, expected):
    debt = _debt(due, stage=Stage.PRE_LEGAL)
    assert prescription_alerts_create(as_of=AS_OF) == len(expected)
    assert prescription_alerts_create(as_of=AS_OF) == 0  # the job ran twice
    months = sorted(PrescriptionAlert.objects.filter(debt=debt).values_list("months", flat=True))
    assert months == expected


def test_no_alerts_for_debts_outside_pre_legal_and_legal():
    _debt(datetime.date(2024, 3, 6), stage=Stage.FIRM_NOTICE)
    _debt(datetime.date(2024, 3, 6), stage=Stage.PAID)
    assert prescription_alerts_create(as_of=AS_OF) == 0


def test_a_restarted_term_stops_the_alerts_until_its_own_24_months():
    debt = _debt(datetime.date(2024, 6, 6))
    PaymentFactory(debt=debt, paid_at=timezone.make_aware(datetime.datetime(2026, 1, 5, 12)))
    assert prescription_alerts_create(as_of=AS_OF) == 0


def test_a_manager_sees_and_marks_their_creditors_alerts_only():
    mine = _debt(datetime.date(2024, 12, 6))
    theirs = _debt(datetime.date(2024, 12, 6))
    prescription_alerts_create(as_of=AS_OF)
    manager = ManagerFactory(creditors=[mine.creditor])
    alerts = list(alerts_for_user(manager))
    assert [(a.debt_id, a.months, a.due_on, a.created_on) for a in alerts] == [
        (mine.pk, 24, datetime.date(2027, 12, 6), AS_OF)
    ]
    other = PrescriptionAlert.objects.get(debt=theirs)
    assert alerts_mark_seen(user=manager, alert_ids=[alerts[0].pk, other.pk]) == 1
    other.refresh_from_db()
    assert other.seen_at is None
    assert alerts_for_user(manager).get().seen_by == manager


def test_a_cases_filing_date_restarts_the_term_unless_the_claim_was_withdrawn():
    case = make_case(filed_on=datetime.date(2026, 2, 3))
    assert prescription_date(debt=case.debt, as_of=AS_OF) == datetime.date(2029, 2, 3)
    case.__class__.objects.filter(pk=case.pk).update(state="closed", outcome="withdrawn")
    assert prescription_date(debt=case.debt, as_of=AS_OF) == datetime.date(2028, 1, 10)


def test_beat_runs_the_alerts_daily_and_a_replay_changes_nothing(settings):
    from legal.tasks import prescription_alerts_task

    entry = settings.CELERY_BEAT_SCHEDULE["legal-prescription-alerts"]
    assert entry["task"] == "legal.tasks.prescription_alerts_task"
    _debt(datetime.date(2024, 6, 6))
    assert prescription_alerts_task(AS_OF.isoformat()) == 2
    assert prescription_alerts_task(AS_OF.isoformat()) == 0
