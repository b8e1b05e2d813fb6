"""System tasks written by the thousand in one statement: the same rows the ORM would write."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from agreements import reasons
from core.reasons import Reason
from portfolio.models import Task
from portfolio.services.tasks import system_tasks_insert, task_texts
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db

DUE = datetime.datetime(2026, 12, 1, 17, tzinfo=datetime.UTC)
FIELDS = ["kind", "due_at", "status", "title", "title_code", "title_params", "note",
          "note_code", "note_params", "created_by_id", "done_at"]  # fmt: skip


def _title(n):
    return Reason(
        reasons.TASK_PROMISE_BROKEN,
        {"amount": Decimal("1250.50"), "currency": "COP", "date": datetime.date(2026, 11, n)},
    )


def test_a_system_task_is_the_row_the_orm_writes_and_a_rerun_adds_none(collector):
    inserted, saved = DebtFactory(assigned_to=collector), DebtFactory(assigned_to=collector)
    note = Reason(reasons.BROKEN)
    # When one task is written set-based and its twin through the ORM, in Spanish
    with translation.override("es"):
        new = system_tasks_insert(
            kind=Task.Kind.BROKEN_PROMISE,
            due_at=DUE,
            tasks=[(inserted.pk, collector.pk, _title(3), note, "promise:1:broken")],
        )
        Task.objects.create(
            debt=saved, assigned_to=collector, kind=Task.Kind.BROKEN_PROMISE, due_at=DUE,
            source_key="promise:2:broken", **task_texts(title=_title(3), note=note),
        )  # fmt: skip
    # Then both rows say the same, title text (as written) and codes (as read back) alike
    assert new == 1
    one, other = (Task.objects.get(debt=debt) for debt in (inserted, saved))
    assert [getattr(one, f) for f in FIELDS] == [getattr(other, f) for f in FIELDS]
    assert (one.assigned_to_id, one.source_key) == (collector.pk, "promise:1:broken")
    assert one.title.startswith("Promesa") and one.created_at is not None  # written in es
    # And writing the same source key again adds nothing
    again = system_tasks_insert(
        kind=Task.Kind.BROKEN_PROMISE,
        due_at=DUE,
        tasks=[(inserted.pk, None, _title(4), "", "promise:1:broken")],
    )
    assert again == 0
    assert Task.objects.get(source_key="promise:1:broken").title == one.title


def test_many_tasks_in_one_statement_unassigned_ones_included(django_assert_num_queries):
    debts = [DebtFactory() for _ in range(3)]
    rows = [(d.pk, None, _title(n + 1), "", f"promise:{d.pk}:broken") for n, d in enumerate(debts)]
    with django_assert_num_queries(1):
        assert system_tasks_insert(kind=Task.Kind.BROKEN_PROMISE, due_at=DUE, tasks=rows) == 3
    assert set(Task.objects.values_list("debt_id", "assigned_to_id")) == {
        (d.pk, None) for d in debts
    }
    assert system_tasks_insert(kind=Task.Kind.BROKEN_PROMISE, due_at=DUE, tasks=[]) == 0


@pytest.mark.parametrize(
    ("kind", "due_at", "title", "key"),
    [
        ("nonsense", DUE, "Llamar", "k:1"),
        (Task.Kind.CALL, DUE.replace(tzinfo=None), "Llamar", "k:1"),
        (Task.Kind.CALL, DUE, "  ", "k:1"),
        (Task.Kind.CALL, DUE, "Llamar", ""),
    ],
)
def test_a_bad_system_task_is_refused_and_writes_nothing(kind, due_at, title, key):
    debt = DebtFactory()
    with pytest.raises(ValueError):
        system_tasks_insert(kind=kind, due_at=due_at, tasks=[(debt.pk, None, title, "", key)])
    assert not Task.objects.exists()
