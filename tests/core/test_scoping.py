"""The one scoping rule: admin all, manager their creditors, collector their cases, others none."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from core.scoping import scope_for_user, user_manages_creditor
from portfolio.models import Creditor, Debt, Debtor, Payment
from tests.factories.portfolio import CreditorFactory, DebtFactory, PaymentFactory
from tests.factories.users import AdminFactory, CollectorFactory, ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def books():
    """Two creditors, a manager of each, and a collector with one case at each creditor."""
    bank_a = CreditorFactory(code="a")
    bank_b = CreditorFactory(code="b")
    collector = CollectorFactory()
    debts = {
        "a_mine": DebtFactory(creditor=bank_a, assigned_to=collector),
        "a_other": DebtFactory(creditor=bank_a),
        "b_mine": DebtFactory(creditor=bank_b, assigned_to=collector),
        "b_other": DebtFactory(creditor=bank_b, assigned_to=CollectorFactory()),
    }
    return {
        "a": bank_a,
        "b": bank_b,
        "manager_a": ManagerFactory(creditors=[bank_a]),
        "manager_b": ManagerFactory(creditors=[bank_b]),
        "collector": collector,
        "debts": debts,
    }


def _debt_names(books, queryset):
    ids = set(queryset.values_list("pk", flat=True))
    return {name for name, debt in books["debts"].items() if debt.pk in ids}


def test_admin_sees_every_record(books):
    admin = AdminFactory()
    assert _debt_names(books, scope_for_user(Debt.objects.all(), user=admin)) == {
        "a_mine",
        "a_other",
        "b_mine",
        "b_other",
    }
    assert set(scope_for_user(Creditor.objects.all(), user=admin, creditor="")) == {
        books["a"],
        books["b"],
    }


def test_manager_sees_only_the_creditors_they_manage(books):
    scoped = scope_for_user(Debt.objects.all(), user=books["manager_a"], collector="assigned_to")
    assert _debt_names(books, scoped) == {"a_mine", "a_other"}
    scoped = scope_for_user(Debt.objects.all(), user=books["manager_b"])
    assert _debt_names(books, scoped) == {"b_mine", "b_other"}
    creditors = scope_for_user(Creditor.objects.all(), user=books["manager_a"], creditor="")
    assert list(creditors) == [books["a"]]


def test_a_manager_of_two_creditors_sees_each_record_once(books):
    manager = ManagerFactory(creditors=[books["a"], books["b"]])
    scoped = scope_for_user(Debt.objects.all(), user=manager)
    assert scoped.count() == 4
    assert scope_for_user(Creditor.objects.all(), user=manager, creditor="").count() == 2


def test_a_manager_follows_the_creditor_lookup(books):
    # given a payment on each creditor's books
    pay_a = PaymentFactory(debt=books["debts"]["a_other"])
    PaymentFactory(debt=books["debts"]["b_other"])
    # then the manager of A reaches the payment through its `creditor`
    assert list(scope_for_user(Payment.objects.all(), user=books["manager_a"])) == [pay_a]
    # and through a longer lookup when the model has no creditor of its own
    assert list(
        scope_for_user(Payment.objects.all(), user=books["manager_a"], creditor="debt__creditor")
    ) == [pay_a]


def test_collector_sees_the_debts_assigned_to_them(books):
    scoped = scope_for_user(Debt.objects.all(), user=books["collector"], collector="assigned_to")
    assert _debt_names(books, scoped) == {"a_mine", "b_mine"}


def test_collector_reaches_related_records_through_a_lookup_or_a_q(books):
    collector = books["collector"]
    mine = PaymentFactory(debt=books["debts"]["a_mine"])
    PaymentFactory(debt=books["debts"]["a_other"])
    payments = scope_for_user(Payment.objects.all(), user=collector, collector="debt__assigned_to")
    assert list(payments) == [mine]
    debtors = scope_for_user(
        Debtor.objects.all(),
        user=collector,
        collector=lambda user: Q(id__in=Debt.objects.filter(assigned_to=user).values("debtor_id")),
    )
    assert set(debtors) == {books["debts"]["a_mine"].debtor, books["debts"]["b_mine"].debtor}


def test_collector_without_assigned_debts_sees_nothing(books):
    idle = CollectorFactory()
    assert not scope_for_user(Debt.objects.all(), user=idle, collector="assigned_to").exists()


def test_collector_sees_nothing_where_the_record_is_not_collectors_work(books):
    # no `collector` lookup: the kind of record is for managers only (imports, policies)
    assert not scope_for_user(Debt.objects.all(), user=books["collector"]).exists()


@pytest.mark.parametrize("who", ["anonymous", "none", "no_role"])
def test_anyone_else_sees_nothing(books, who):
    user = {"anonymous": AnonymousUser(), "none": None, "no_role": UserFactory()}[who]
    assert not scope_for_user(Debt.objects.all(), user=user, collector="assigned_to").exists()
    assert not scope_for_user(Creditor.objects.all(), user=user, creditor="").exists()
    # the link-table form is not even built for them (a filter on AnonymousUser would raise)
    debtors = scope_for_user(
        Debtor.objects.all(),
        user=user,
        collector=lambda u: Q(id__in=Debt.objects.filter(assigned_to=u).values("debtor_id")),
    )
    assert not debtors.exists()


def test_user_manages_creditor_follows_the_same_rule(books):
    a, b = books["a"].pk, books["b"].pk
    admin = AdminFactory()
    assert user_manages_creditor(user=admin, creditor_id=a)
    assert user_manages_creditor(user=admin, creditor_id=b)
    assert user_manages_creditor(user=books["manager_a"], creditor_id=a)
    assert not user_manages_creditor(user=books["manager_a"], creditor_id=b)
    # a collector works the creditor's cases but does not manage it
    assert not user_manages_creditor(user=books["collector"], creditor_id=a)
    assert not user_manages_creditor(user=AnonymousUser(), creditor_id=a)
    assert not user_manages_creditor(user=UserFactory(), creditor_id=a)
