"""The staff pages: debt panel, offer → preview → confirm, detail, approval queue, limits."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import AgreementStatus, NegotiationPolicy, PaymentAgreement, PromiseToPay
from agreements.services.lifecycle import agreement_create
from core.dates import business_today
from tests.agreements.conftest import terms

pytestmark = pytest.mark.django_db


def offer(debt, **overrides):
    first = business_today() + datetime.timedelta(days=7)
    data = {
        "debts": [debt.pk],
        "kind": "instalment_plan",
        "down_payment": "120000.00",
        "instalment_count": "3",
        "frequency": "monthly",
        "first_due_date": first.isoformat(),
        "grace_days": "5",
        "channel": "phone",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_the_debt_page_shows_the_panel(client, collector, debt, django_assert_max_num_queries):
    client.force_login(collector)
    response = client.get(reverse("portfolio:debt-detail", args=[debt.pk]))
    assert response.status_code == 200
    assert reverse("agreements:new", args=[debt.pk]) in response.content.decode()


def test_preview_then_confirm(client, collector, debt):
    client.force_login(collector)
    url = reverse("agreements:new", args=[debt.pk])

    preview = client.post(url, offer(debt, confirm="0"))
    assert preview.status_code == 200
    assert 'data-testid="schedule"' in preview.content.decode()
    assert not PaymentAgreement.objects.exists()

    done = client.post(url, offer(debt, confirm="1"))
    agreement = PaymentAgreement.objects.get()
    assert done.status_code == 302 and done.url == reverse("agreements:detail", args=[agreement.pk])
    assert agreement.status == AgreementStatus.ACTIVE
    page = client.get(done.url)
    assert page.status_code == 200


def test_bad_offer_shows_the_field_error(client, collector, debt):
    client.force_login(collector)
    response = client.post(
        reverse("agreements:new", args=[debt.pk]),
        offer(debt, agreed_total="99999999.00", confirm="1"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["agreed_total"]
    assert not PaymentAgreement.objects.exists()


def test_other_collectors_cannot_open_the_offer_page(client, other_collector, debt):
    client.force_login(other_collector)
    assert client.get(reverse("agreements:new", args=[debt.pk])).status_code == 404


def test_manager_queue_approve(client, collector, manager, debt):
    agreement = agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=business_today(),
        **terms(instalment_count=24, first_due_date=business_today() + datetime.timedelta(days=3)),
    )
    client.force_login(collector)
    assert client.get(reverse("agreements:approvals")).status_code == 403
    client.force_login(manager)
    queue = client.get(reverse("agreements:approvals"))
    assert f"#{agreement.pk}" in queue.content.decode()
    response = client.post(
        reverse("agreements:approve", args=[agreement.pk]), {"reason": "ok", "next": "queue"}
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert not client.get(reverse("agreements:approvals")).context["page"].object_list


def test_queue_shows_the_broken_limits_and_schedule_and_needs_a_reason(
    client, collector, manager, debt
):
    # Given an agreement in 24 instalments (beyond the limit)
    agreement = agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=business_today(),
        **terms(instalment_count=24, first_due_date=business_today() + datetime.timedelta(days=3)),
    )
    client.force_login(manager)
    # The queue names the limit it breaks and shows the schedule
    queue = client.get(reverse("agreements:approvals"), HTTP_ACCEPT_LANGUAGE="es")
    html = queue.content.decode()
    assert 'data-limit="instalments"' in html
    assert "24 cuotas; el límite es" in html
    assert html.count('data-testid="schedule"') == 1
    # Approving without a reason is refused on the same page, nothing changes
    for decision in ("approve", "reject"):
        response = client.post(
            reverse(f"agreements:{decision}", args=[agreement.pk]),
            {"reason": "  ", "next": "queue"},
            HTTP_ACCEPT_LANGUAGE="es",
        )
        assert response.status_code == 400
        assert "Indique el motivo: es obligatorio." in response.content.decode()
        agreement.refresh_from_db()
        assert agreement.status == AgreementStatus.PENDING_APPROVAL
    # From the detail page too
    response = client.post(reverse("agreements:approve", args=[agreement.pk]), {"reason": ""})
    assert response.status_code == 400 and response.context["form"].errors["reason"]
    # With a reason it is approved, and the history says who and why
    client.post(reverse("agreements:approve", args=[agreement.pk]), {"reason": "Cliente antiguo"})
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE and agreement.decided_by == manager
    last = agreement.changes.order_by("-id").first()
    assert (last.actor, last.reason) == (manager, "Cliente antiguo")


def test_record_a_promise_from_the_debt_page(client, collector, debt):
    client.force_login(collector)
    response = client.post(
        reverse("agreements:promise-new", args=[debt.pk]),
        {
            "amount": "50000",
            "promised_date": (business_today() + datetime.timedelta(days=3)).isoformat(),
            "channel": "phone",
        },
    )
    assert response.status_code == 302
    assert PromiseToPay.objects.get().amount == 50000


def test_limits_page_validates(client, manager, creditor):
    client.force_login(manager)
    url = reverse("agreements:limits", args=[creditor.pk])
    assert client.get(url).status_code == 200
    data = {
        f.name: getattr(NegotiationPolicy(), f.name)
        for f in NegotiationPolicy._meta.fields
        if f.name not in ("id", "creditor", "created_at", "updated_at")
    }
    bad = {**data, "self_service_max_instalments": 20}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert response.context["form"].errors["self_service_max_instalments"]
    ok = {**data, "collector_max_discount_pct": "15"}
    assert client.post(url, ok).status_code == 302
    assert NegotiationPolicy.objects.get(creditor=creditor).collector_max_discount_pct == 15


def test_the_panel_costs_three_queries_with_an_agreement(
    client, collector, debt, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(collector)
    url = reverse("portfolio:debt-detail", args=[debt.pk])
    with CaptureQueriesContext(connection) as bare:
        client.get(url)
    agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=business_today(),
        **terms(first_due_date=business_today() + datetime.timedelta(days=3)),
    )
    # Given an active agreement, the panel adds one query (its schedule) to the bare page
    with django_assert_max_num_queries(len(bare) + 1):
        response = client.get(url)
    body = response.content.decode()
    assert 'data-testid="schedule"' in body
    assert "Acuerdo de pago activo" in body or "Payment agreement active" in body


def test_a_broken_agreement_task_shows_on_the_debt_page_and_can_be_closed(client, collector, debt):
    from portfolio.models import Task
    from portfolio.services.tasks import task_create

    task, created = task_create(
        debt=debt,
        kind="broken_agreement",
        title="Acuerdo #1 incumplido: llamar al deudor",
        due_at=datetime.datetime(2026, 11, 3, 12, tzinfo=datetime.UTC),
        source_key="agreement:1:broken",
    )
    again, created_again = task_create(
        debt=debt,
        kind="broken_agreement",
        title="x",
        due_at=task.due_at,
        source_key="agreement:1:broken",
    )
    assert created and not created_again and again.pk == task.pk
    assert task.assigned_to == collector  # defaults to the debt's collector

    client.force_login(collector)
    page = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()
    assert "Acuerdo #1 incumplido" in page

    response = client.post(reverse("agreements:task-done", args=[task.pk]))
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).status == "done"


def test_tasks_of_other_collectors_debts_cannot_be_closed(client, other_collector, debt):
    from portfolio.services.tasks import task_create

    task, _ = task_create(
        debt=debt,
        kind="call",
        title="Llamar",
        due_at=datetime.datetime(2026, 11, 3, 12, tzinfo=datetime.UTC),
    )
    client.force_login(other_collector)
    assert client.post(reverse("agreements:task-done", args=[task.pk])).status_code == 404


def test_agreement_list_is_scoped_and_filtered(client, collector, other_collector, debt):
    agreement = agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=business_today(),
        **terms(first_due_date=business_today() + datetime.timedelta(days=3)),
    )
    client.force_login(collector)
    url = reverse("agreements:list")
    assert list(client.get(url).context["page"].object_list) == [agreement]
    assert list(client.get(url, {"status": "active"}).context["page"].object_list) == [agreement]
    assert not client.get(url, {"status": "broken"}).context["page"].object_list
    assert client.get(url, {"status": "nonsense"}).status_code == 200
    client.force_login(other_collector)
    assert not client.get(url).context["page"].object_list


def test_the_admin_refuses_inconsistent_limits(admin_client, creditor):
    url = reverse("admin:agreements_negotiationpolicy_add")
    data = {
        f.name: getattr(NegotiationPolicy(), f.name)
        for f in NegotiationPolicy._meta.fields
        if f.name not in ("id", "creditor", "created_at", "updated_at")
    }
    response = admin_client.post(
        url, {**data, "creditor": creditor.pk, "collector_max_instalments": 99}
    )
    assert response.status_code == 200  # the form again, with the error
    assert not NegotiationPolicy.objects.exists()
    response = admin_client.post(url, {**data, "creditor": creditor.pk})
    assert response.status_code == 302
    assert NegotiationPolicy.objects.get().creditor == creditor


def _panel(response) -> dict:
    # The agreements panel's own context (an inclusion tag's, among the page's contexts).
    return next(c for c in response.context if "promise_counts" in c)


def _promise(debt, status, promised_date):
    return PromiseToPay.objects.create(
        debt=debt,
        debtor=debt.debtor,
        amount="50000.00",
        currency=debt.currency,
        promised_date=promised_date,
        channel="phone",
        status=status,
        made_on=datetime.date(2026, 10, 20),
    )


def test_the_panel_shares_the_case_panels_promises_and_tasks(client, collector, debt):
    from portfolio.models import Task
    from portfolio.services.tasks import task_create
    from tests.factories.portfolio import DebtFactory

    sibling = DebtFactory(creditor=debt.creditor, debtor=debt.debtor, assigned_to=collector)
    kept = _promise(debt, "kept", datetime.date(2026, 10, 25))
    broken = _promise(debt, "broken", datetime.date(2026, 11, 2))
    _promise(sibling, "pending", datetime.date(2026, 11, 9))  # the debtor's, another debt
    late = task_create(
        debt=debt,
        kind="callback",
        title="late",
        due_at=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC),
    )[0]
    soon = task_create(
        debt=debt,
        kind="follow_up",
        title="soon",
        due_at=datetime.datetime(2026, 11, 5, tzinfo=datetime.UTC),
    )[0]
    done = task_create(
        debt=debt,
        kind="call",
        title="done",
        due_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
    )[0]
    Task.objects.filter(pk=done.pk).update(status=Task.Status.DONE)

    client.force_login(collector)
    response = client.get(reverse("portfolio:debt-detail", args=[debt.pk]))
    panel = _panel(response)
    # the debt's promises, latest date first; the counts over the debtor's (both debts)
    assert [p.pk for p in panel["promises"]] == [broken.pk, kept.pk]
    assert {k: v for k, v in panel["promise_counts"].items() if v} == {
        "kept": 1,
        "broken": 1,
        "pending": 1,
    }
    # the open tasks only, soonest due first, with their assignee
    assert [t.title for t in panel["tasks"]] == ["soon", "late"]
    assert panel["tasks"][0].assigned_to == collector
    assert soon.pk != late.pk
    # the timeline shows the debt's two promises and its three tasks
    events = next(c for c in response.context if "events" in c)["events"]
    assert sorted(e.kind for e in events if e.kind in ("promise", "task")) == [
        "promise",
        "promise",
        "task",
        "task",
        "task",
    ]


def test_the_panel_reads_the_open_tasks_itself_past_the_timelines_cap(client, collector, debt):
    from portfolio.models import Task

    due = datetime.datetime(2026, 11, 10, tzinfo=datetime.UTC)
    Task.objects.bulk_create(
        Task(debt=debt, kind="call", title=f"done {i}", due_at=due, status=Task.Status.DONE)
        for i in range(70)
    )
    first = Task.objects.create(
        debt=debt, kind="callback", title="oldest open", due_at=due - datetime.timedelta(days=3)
    )
    # created first, so off the timeline's newest 61: the panel must still list it
    Task.objects.filter(pk=first.pk).update(created_at=due - datetime.timedelta(days=400))
    client.force_login(collector)
    response = client.get(reverse("portfolio:debt-detail", args=[debt.pk]))
    assert [t.title for t in _panel(response)["tasks"]] == ["oldest open"]
