"""The case page and the work queue cost a fixed, small number of queries on a case with a
realistic history: several contact points with consent events, other debts of the debtor,
payments, messages, logged contacts, stage changes, an agreement, promises, holds and tasks.
Each test counts the queries of a busy case against those of the same case with twice the
history, so a per-row read (an N+1) that comes back fails here."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.models import PromiseToPay
from agreements.services.lifecycle import agreement_create
from collections_app.models import Interaction
from core.dates import business_today
from messaging.models import Message
from portfolio.models import ConsentEvent, Stage, StageChange
from portfolio.services.holds import hold_close, hold_open
from portfolio.services.tasks import task_create
from tests.collections_app.workspace_helpers import DAY_ZONE
from tests.factories.messaging import make_message
from tests.factories.portfolio import (
    ContactPointFactory,
    DebtFactory,
    DebtorFactory,
    PaymentFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("contact_hours")]

# The case page: session, user, role, the debt with every panel's rows (portfolio.hooks.
# debt_page_reads), its contact points and their consent events, the record of the contact data
# seen, the creditor's rule overrides, the escalation policy, the agreements and their
# schedules (+ the collector list of a manager's assign form): 11-12 today, the same whatever
# the case's history.
CASE_PAGE_MAX_QUERIES = 15
QUEUE_MAX_QUERIES = 11


_unique = itertools.count(1)


def _history(debt, collector, manager, *, rounds: int) -> None:
    """`rounds` of everything that happens on a case: contacts logged, messages sent, payments,
    stage changes, tasks, holds opened and closed, promises, edits (history rows)."""
    now = timezone.now()
    for i in range(rounds):
        at = now - datetime.timedelta(days=rounds - i)
        point = ContactPointFactory(debtor=debt.debtor, value=f"r{next(_unique)}@example.com")
        ConsentEvent.objects.create(
            contact_point=point, granted=True, occurred_at=at, source="import"
        )
        Interaction.objects.create(
            debt=debt,
            debtor=debt.debtor,
            collector=collector,
            channel="call",
            outcome="no_answer" if i % 2 else "right_party_contact",
            note=f"call {i}",
            occurred_at=at,
        )
        make_message(
            debt=debt,
            status=Message.Status.SENT if i % 2 else Message.Status.DELIVERED,
            planned_for=at,
            sent_at=at,
        )
        PaymentFactory(debt=debt, paid_at=at)
        StageChange.objects.create(
            debt=debt,
            from_stage=Stage.FRIENDLY_REMINDER,
            to_stage=Stage.FIRM_NOTICE,
            transition="escalate",
            business_date=at.date(),
            occurred_at=at,
            actor=manager if i % 2 else None,
        )
        task_create(
            debt=debt,
            kind="callback",
            title=f"Call back {i}",
            due_at=at + datetime.timedelta(days=2),
            assigned_to=collector,
            created_by=collector,
        )
        hold = hold_open(
            debt=debt, kind="dispute", reason=f"dispute {i}", source="manager", user=manager
        )
        hold_close(hold=hold, user=manager, outcome="upheld", note="checked")
        PromiseToPay.objects.create(
            debt=debt,
            debtor=debt.debtor,
            amount=Decimal("10000"),
            currency=debt.currency,
            promised_date=at.date(),
            made_on=at.date(),
            channel="phone",
            status=PromiseToPay.Status.BROKEN,
            created_by=collector,
        )
        DebtFactory(creditor=debt.creditor, debtor=debt.debtor, assigned_to=collector)
        debt.fees += 1
        debt.balance += 1
        debt.save()


@pytest.fixture
def busy_case(creditor, collector, manager):
    debtor = DebtorFactory(creditor=creditor, timezone=DAY_ZONE)
    ContactPointFactory(debtor=debtor, channel="voice", value="+573001234567")
    ContactPointFactory(
        debtor=debtor, channel="voice", value="+573007654321", consent_granted=False
    )
    debt = DebtFactory(
        creditor=creditor,
        debtor=debtor,
        assigned_to=collector,
        stage=Stage.FIRM_NOTICE,
        principal=Decimal("1000000"),
        interest=Decimal("0"),
        fees=Decimal("0"),
        due_date=business_today() - datetime.timedelta(days=40),
    )
    _history(debt, collector, manager, rounds=3)
    agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=business_today(),
        kind="instalment_plan",
        instalment_count=3,
        frequency="monthly",
        first_due_date=business_today() + datetime.timedelta(days=7),
        down_payment=Decimal("1000"),
        channel="phone",
    )
    return debt


def _count(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    listing = "\n".join(f"{n}. {q['sql'][:300]}" for n, q in enumerate(ctx.captured_queries, 1))
    return len(ctx.captured_queries), listing


@pytest.mark.parametrize("viewer", ["collector", "manager"])
def test_case_page_costs_at_most_15_queries_whatever_the_history(
    client, busy_case, collector, manager, viewer, django_assert_max_num_queries
):
    client.force_login(collector if viewer == "collector" else manager)
    url = reverse("portfolio:debt-detail", args=[busy_case.pk])
    client.get(url)  # the first request of a session reads what later ones keep

    with django_assert_max_num_queries(CASE_PAGE_MAX_QUERIES):
        response = client.get(url)
    # the page shows the history it was given (so the count is of a page that read it)
    kinds = {e.kind for e in response.context["events"]}
    assert kinds == {
        "stage",
        "message",
        "interaction",
        "payment",
        "agreement",
        "promise",
        "hold",
        "task",
    }
    body = response.content.decode()
    assert "+573001234567" in body and "call 2" in body

    busy, listing = _count(client, url)
    _history(busy_case, collector, manager, rounds=3)
    twice, listing_twice = _count(client, url)
    assert twice == busy, f"{busy} queries became {twice}:\n{listing}\n--\n{listing_twice}"


def test_work_queue_costs_a_fixed_number_of_queries_with_busy_cases(
    client, creditor, collector, manager, django_assert_max_num_queries
):
    for i in range(4):
        debtor = DebtorFactory(creditor=creditor, timezone=DAY_ZONE)
        ContactPointFactory(debtor=debtor, channel="voice", value=f"+57300{debtor.pk:07d}")
        debt = DebtFactory(
            creditor=creditor,
            debtor=debtor,
            assigned_to=collector,
            stage=Stage.FIRM_NOTICE,
            due_date=business_today() - datetime.timedelta(days=20 + i),
        )
        _history(debt, collector, manager, rounds=2)
    client.force_login(collector)
    url = reverse("collections:queue")
    client.get(url)

    with django_assert_max_num_queries(QUEUE_MAX_QUERIES):
        response = client.get(url)
    # the queue lists the busy cases and the other debts the history gave their debtors
    assert len(response.context["rows"]) == 12

    busy, listing = _count(client, url)
    for debt in response.context["rows"][:4]:
        _history(debt, collector, manager, rounds=2)
    twice, listing_twice = _count(client, url)
    assert twice == busy, f"{busy} queries became {twice}:\n{listing}\n--\n{listing_twice}"


@pytest.mark.parametrize("viewer", ["collector", "manager"])
def test_reads_made_with_the_debt_are_the_panels_own(busy_case, collector, manager, viewer):
    """What the page reads with its debt (portfolio.hooks.debt_page_reads) is what each panel
    reads by itself: the same timeline, history, phones and call status, messages, promises,
    payments and other debts."""
    from agreements.selectors import debtor_promises
    from collections_app.selectors.calls import case_phones
    from collections_app.selectors.case_panel import case_notes_context, case_timeline_context
    from messaging.selectors import messages_for_debt
    from portfolio.selectors import (
        debt_detail_get,
        debt_history,
        debt_page_other_debts,
        debt_page_payments,
        debt_payments,
        debtor_other_debts,
    )

    user = collector if viewer == "collector" else manager
    at = timezone.now()
    plain = debt_detail_get(user=user, pk=busy_case.pk)
    read = debt_detail_get(user=user, pk=busy_case.pk, page_reads=True)

    def rows(objs, *fields):
        return [tuple(getattr(o, f) for f in ("pk", *fields)) for o in objs]

    payments = debt_page_payments(user=user, debt=read)
    assert rows(payments, "amount", "paid_at", "recorded_by") == rows(
        debt_payments(user=user, debt=plain), "amount", "paid_at", "recorded_by"
    )
    assert (
        case_timeline_context(debt=read, payments=payments)["events"]
        == (
            case_timeline_context(debt=plain, payments=list(debt_payments(user=user, debt=plain)))[
                "events"
            ]
        )
    )
    assert case_notes_context(debt=read) == case_notes_context(debt=plain)
    assert debt_history(debt=read) == debt_history(debt=plain)
    assert case_phones(debt=read, at=at) == case_phones(debt=plain, at=at)
    assert rows(messages_for_debt(user=user, debt=read), "status", "planned_for", "to") == rows(
        messages_for_debt(user=user, debt=plain), "status", "planned_for", "to"
    )
    assert rows(
        debt_page_other_debts(user=user, debt=read), "balance", "creditor", "assigned_to"
    ) == rows(debtor_other_debts(user=user, debt=plain), "balance", "creditor", "assigned_to")
    kept = read.__dict__["_page_reads"]["debtor_promises"]
    assert rows(kept, "amount", "status", "created_by") == rows(
        debtor_promises(debtor_id=plain.debtor_id), "amount", "status", "created_by"
    )
