"""`field__any`: the same rows as `__in`, with the values sent as one array parameter."""

import pytest

from portfolio.models import Debt, Task
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db


def test_any_finds_what_in_finds_on_keys_foreign_keys_and_text():
    # given debts of two debtors and tasks with source keys
    debts = DebtFactory.create_batch(4)
    wanted = [debts[0].pk, debts[2].pk, 10**9]  # and an id that is nowhere
    for debt in debts:
        Task.objects.create(debt=debt, kind=Task.Kind.CALLBACK, due_at=debt.created_at,
                            title="t", source_key=f"k:{debt.pk}")  # fmt: skip

    # then ids, foreign keys and text columns answer as `__in` does
    assert set(Debt.objects.filter(pk__any=wanted)) == set(Debt.objects.filter(pk__in=wanted))
    assert set(Debt.objects.filter(pk__any=wanted)) == {debts[0], debts[2]}
    debtors = [debts[1].debtor_id]
    assert list(Debt.objects.filter(debtor_id__any=debtors)) == [debts[1]]
    assert list(Task.objects.filter(debt__any=debtors)) == list(
        Task.objects.filter(debt__in=debtors)
    )
    keys = (f"k:{debts[3].pk}", "k:none")  # any iterable, read once
    assert [t.debt_id for t in Task.objects.filter(source_key__any=iter(keys))] == [debts[3].pk]
    # and nothing matches an empty list
    assert not Debt.objects.filter(pk__any=[]).exists()


def test_any_sends_one_parameter_whatever_the_number_of_values():
    ids = list(range(1, 20_001))
    sql, params = Debt.objects.filter(pk__any=ids).query.get_compiler("default").as_sql()
    assert '"portfolio_debt"."id" = ANY(%s)' in sql and params == (ids,)
    # (`__in` writes and prepares a placeholder per value)
    _sql, many = Debt.objects.filter(pk__in=ids).query.get_compiler("default").as_sql()
    assert len(many) == 20_000
    assert Debt.objects.filter(pk__any=ids).count() == 0
