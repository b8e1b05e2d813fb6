"""JSONRows: a queryset's rows as one JSON column of the main query, in the queryset's order and
slice, whether JSONRows writes the order itself (plain columns) or leaves it to the ORM."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import F, OuterRef

from core.page_reads import JSONRows, _plain_ordering, rows_from_json
from portfolio.models import Debt, Debtor
from tests.factories.portfolio import DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db

BALANCES = ("300.00", "100.00", "500.00", "100.00", "200.00", "400.00")


@pytest.fixture
def debtor():
    # six debts of one debtor: ties on the balance, due dates in another order, and a debt of
    # someone else that must never appear
    debtor = DebtorFactory(full_name="Ana")
    for i, balance in enumerate(BALANCES):
        DebtFactory(
            debtor=debtor,
            creditor=debtor.creditor,
            principal=Decimal(balance),
            interest=Decimal("0"),
            fees=Decimal("0"),
            due_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=(i * 5) % 7),
        )
    DebtFactory(principal=Decimal("50.00"))
    return debtor


def _read(debtor, queryset, **kwargs):
    main = Debtor.objects.annotate(rows=JSONRows(queryset, **kwargs)).get(pk=debtor.pk)
    return [debt.pk for debt in rows_from_json(Debt, main.rows)]


def _theirs(debtor):
    return Debt.objects.filter(debtor_id=OuterRef("pk"))


@pytest.mark.parametrize(
    "ordering",
    [
        ("-balance", "id"),
        ("balance", "-id"),
        ("due_date", "-pk"),
        ("debtor_id", "-balance", "id"),
        (),  # Debt's Meta ordering: due date, id
    ],
)
@pytest.mark.parametrize("cut", [slice(None), slice(None, 3), slice(2, 5)])
def test_plain_orders_are_written_by_jsonrows_and_keep_the_querysets_rows(debtor, ordering, cut):
    expected = Debt.objects.filter(debtor=debtor)
    queryset = _theirs(debtor)
    if ordering:
        expected, queryset = expected.order_by(*ordering), queryset.order_by(*ordering)
    assert _plain_ordering(queryset.query) is not None
    expected = list(expected.values_list("pk", flat=True)[cut])

    rows = JSONRows(queryset[cut])

    # the order and the slice are JSONRows' own SQL, not the ORM's
    assert " _q ORDER BY " in rows.template and not rows.query.order_by
    assert _read(debtor, queryset[cut]) == expected
    # and with only some columns read, the order's columns among them
    assert _read(debtor, queryset[cut], fields=("balance", "due_date")) == expected


@pytest.mark.parametrize(
    "ordering",
    [
        ("debtor__full_name", "-balance", "id"),  # across a join
        ("creditor", "balance", "id"),  # a relation: its model's ordering
        (F("balance").desc(), "id"),  # an expression
    ],
)
def test_other_orders_are_left_to_the_orm_with_the_same_rows(debtor, ordering):
    queryset = _theirs(debtor).order_by(*ordering)[:4]
    expected = list(
        Debt.objects.filter(debtor=debtor).order_by(*ordering).values_list("pk", flat=True)[:4]
    )

    rows = JSONRows(queryset)

    assert " _q ORDER BY " not in rows.template
    assert _read(debtor, queryset) == expected


def test_an_order_on_a_column_not_read_is_left_to_the_orm(debtor):
    # given a read of the balance only, ordered by the due date it does not select
    queryset = _theirs(debtor).order_by("-due_date", "-id")[:3]
    expected = list(
        Debt.objects.filter(debtor=debtor).order_by("-due_date", "-id").values_list("pk", flat=True)
    )[:3]

    rows = JSONRows(queryset, fields=("balance",))

    assert " _q ORDER BY " not in rows.template
    assert _read(debtor, queryset, fields=("balance",)) == expected
