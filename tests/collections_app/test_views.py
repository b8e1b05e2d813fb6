import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from collections_app.models import CycleRun, EscalationPolicy
from collections_app.services.cycle import cycle_run
from collections_app.services.policies import policy_ensure_defaults
from messaging.models import ContactAction
from portfolio.models import Debt, Hold, Stage, StageChange
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(creditor):
    policy_ensure_defaults()
    return EscalationPolicy.objects.get(creditor=creditor)


def page_data(context, *, skip=()) -> dict:
    """What the policy page would post as shown: its fields and its cadence rows."""
    form = context["form"]
    data = {name: form[name].value() for name in form.fields if name not in skip}
    data = {k: v for k, v in data.items() if v is not None}
    cadence = context["cadence"]
    management = cadence.management_form
    for name in management.fields:
        data[management.add_prefix(name)] = management[name].value()
    for row in cadence.forms:
        for name in row.fields:
            value = row[name].value()
            if value not in (None, False, ""):
                data[row.add_prefix(name)] = value
    return data


def test_manager_edits_a_policy_and_gets_a_new_version(client, manager, policy):
    client.force_login(manager)
    page = client.get(reverse("collections:policy-edit", args=[policy.pk]))
    assert page.status_code == 200 and b"Save as new version" in page.content
    data = page_data(page.context)
    data.update({"firm_dpd": 20, "change_note": "Softer for card holders"})
    response = client.post(reverse("collections:policy-edit", args=[policy.pk]), data)
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.current_version.number == 2 and policy.current_version.firm_dpd == 20
    assert policy.versions.get(number=1).firm_dpd == 16  # the old version is untouched
    assert policy.current_version.created_by == manager
    # the cadence went through the rows unchanged (the same JSON the cycle reads)
    assert policy.current_version.cadence == policy.versions.get(number=1).cadence


def test_policy_validation_errors_are_shown_and_nothing_changes(client, manager, policy):
    client.force_login(manager)
    data = page_data(client.get(reverse("collections:policy-edit", args=[policy.pk])).context)
    data.update({"firm_dpd": 50, "pre_legal_dpd": 40, "grace_days": -1, "change_note": "x"})
    response = client.post(reverse("collections:policy-edit", args=[policy.pk]), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "pre_legal_dpd" in errors and "grace_days" in errors
    data.update({"firm_dpd": 16, "pre_legal_dpd": 46, "grace_days": 0})
    data["cadence-0-channel"] = "fax"
    response = client.post(reverse("collections:policy-edit", args=[policy.pk]), data)
    assert response.status_code == 400
    assert "channel" in response.context["cadence"].forms[0].errors
    assert policy.versions.count() == 1


def test_collectors_cannot_open_policies(client, collector, policy):
    client.force_login(collector)
    assert client.get(reverse("collections:policy-list")).status_code == 403
    assert client.get(reverse("collections:policy-edit", args=[policy.pk])).status_code == 403


def test_manager_sees_only_their_creditors_policies(client, manager, policy):
    other = CreditorFactory()
    policy_ensure_defaults()
    client.force_login(manager)
    listed = list(client.get(reverse("collections:policy-list")).context["policies"])
    assert listed == [policy]
    other_policy = EscalationPolicy.objects.get(creditor=other)
    assert client.get(reverse("collections:policy-edit", args=[other_policy.pk])).status_code == 404


def test_manager_creates_a_product_policy(client, manager, creditor, policy):
    client.force_login(manager)
    page = client.get(reverse("collections:policy-edit", args=[policy.pk]))
    data = page_data(page.context, skip=("change_note",))
    data.update({"name": "Microcrédito", "creditor": creditor.pk, "product": "microcredit"})
    response = client.post(reverse("collections:policy-new"), data)
    assert response.status_code == 302
    assert EscalationPolicy.objects.filter(creditor=creditor, product="microcredit").exists()
    again = client.post(reverse("collections:policy-new"), data)
    assert "already covers" in again.content.decode()


def test_cycle_page_lists_runs_and_actions(client, manager, creditor):
    DebtFactory(creditor=creditor, due_date=datetime.date(2026, 5, 31))
    DebtFactory(due_date=datetime.date(2026, 5, 31))  # another creditor's debt
    cycle_run(as_of=datetime.date(2026, 6, 1))
    client.force_login(manager)
    page = client.get(reverse("collections:cycle") + "?date=2026-06-01&channel=email")
    assert page.status_code == 200
    actions = list(page.context["page"].object_list)
    assert actions and all(a.channel == "email" and a.debt.creditor == creditor for a in actions)
    assert ContactAction.objects.filter(channel="email").count() == 2 * len(actions)


def _run_counts(page) -> list[tuple]:
    return [
        (r.debts_evaluated, r.debts_moved, r.debts_held, r.actions_planned)
        for r in page.context["runs"]
    ]


def test_cycle_page_counts_only_the_managers_creditors(client, manager, creditor, admin_user):
    # Given two creditors: one debt of ours entering friendly reminders, three of another's
    other = CreditorFactory(code="otro")
    DebtFactory(creditor=creditor, due_date=datetime.date(2026, 5, 31))
    for _n in range(3):
        DebtFactory(creditor=other, due_date=datetime.date(2026, 5, 31))
    held = DebtFactory(creditor=other, due_date=datetime.date(2026, 5, 31))
    Hold.objects.create(
        debtor=held.debtor, debt=held, kind=Hold.Kind.DISPUTE, reason="x", source="collector",
        opened_at=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC),
    )  # fmt: skip
    run = cycle_run(as_of=datetime.date(2026, 6, 1))[0]
    assert (run.debts_evaluated, run.debts_moved, run.debts_held) == (5, 4, 1)
    ours = ContactAction.objects.filter(debt__creditor=creditor).count()
    assert 0 < ours < run.actions_planned
    # When the single-creditor manager opens the cycle page
    client.force_login(manager)
    page = client.get(reverse("collections:cycle"))
    # Then the run's counts are those of their creditor alone, in the context and the page
    assert page.status_code == 200
    assert _run_counts(page) == [(1, 1, 0, ours)]
    assert f'<td class="num">{run.actions_planned}</td>' not in page.content.decode()
    # And a manager of both creditors, like an admin, sees the whole run
    both = ManagerFactory(username="both", creditors=[creditor, other])
    client.force_login(both)
    whole = [(5, 4, 1, run.actions_planned)]
    assert _run_counts(client.get(reverse("collections:cycle"))) == whole
    client.force_login(admin_user)
    assert _run_counts(client.get(reverse("collections:cycle"))) == whole


def test_cycle_runs_without_per_creditor_counts_show_totals_only_to_who_sees_all(
    client, manager, creditor, admin_user
):
    # Given a run recorded before the per-creditor counts were kept
    CreditorFactory(code="otro")
    CycleRun.objects.create(
        business_date=datetime.date(2026, 6, 1), status="completed",
        started_at=timezone.now(), debts_evaluated=9, debts_moved=4, debts_held=1,
        actions_planned=7,
    )  # fmt: skip
    # Then a manager of one creditor is not shown the totals, an admin is
    client.force_login(manager)
    page = client.get(reverse("collections:cycle"))
    assert _run_counts(page) == [(None, None, None, None)]
    assert '<td class="num">9</td>' not in page.content.decode()
    client.force_login(admin_user)
    assert _run_counts(client.get(reverse("collections:cycle"))) == [(9, 4, 1, 7)]


def test_collector_places_a_dispute_from_the_debt_page(client, collector):
    debt = DebtFactory(assigned_to=collector)
    client.force_login(collector)
    response = client.post(
        reverse("collections:debt-hold-open", args=[debt.pk]),
        {"kind": "dispute", "reason": "Says it was paid"},
    )
    assert response.status_code == 302 and response.url.endswith("#escalation")
    hold = Hold.objects.get(debt=debt)
    assert (hold.kind, hold.opened_by, hold.source) == ("dispute", collector, "collector")


def test_collector_cannot_touch_a_debt_not_theirs(client, collector, other_collector):
    debt = DebtFactory(assigned_to=other_collector)
    client.force_login(collector)
    assert (
        client.post(
            reverse("collections:debt-hold-open", args=[debt.pk]),
            {"kind": "dispute", "reason": "x"},
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("collections:debt-transition", args=[debt.pk]),
            {"transition": "write_off", "reason": "x"},
        ).status_code
        == 404
    )
    assert not Hold.objects.exists()


def test_manager_writes_off_from_the_debt_page(client, manager, creditor):
    debt = DebtFactory(creditor=creditor)
    client.force_login(manager)
    response = client.post(
        reverse("collections:debt-transition", args=[debt.pk]),
        {"transition": "write_off", "reason": "Prescribed", "write_off_reason": "prescribed"},
        follow=True,
    )
    assert Debt.objects.get(pk=debt.pk).stage == Stage.WRITTEN_OFF
    assert StageChange.objects.get(debt=debt).actor == manager
    assert b"change is recorded" in response.content or "recorded" in response.content.decode()


def test_collector_write_off_is_refused_with_a_message(client, collector):
    debt = DebtFactory(assigned_to=collector)
    client.force_login(collector)
    response = client.post(
        reverse("collections:debt-transition", args=[debt.pk]),
        {"transition": "write_off", "reason": "x", "write_off_reason": "other"},
        follow=True,
    )
    assert Debt.objects.get(pk=debt.pk).stage == Stage.CURRENT
    assert [str(m) for m in response.context["messages"]] == ["Only a manager may do this."]


def test_debt_list_marks_debts_on_hold(client, collector):
    held = DebtFactory(assigned_to=collector, debt_ref="HELD-1")
    DebtFactory(assigned_to=collector, debt_ref="FREE-1")
    Hold.objects.create(
        debtor=held.debtor,
        debt=held,
        kind=Hold.Kind.DISPUTE,
        reason="x",
        source="collector",
        opened_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC),
    )
    client.force_login(collector)
    rows = client.get(reverse("portfolio:debt-list")).content.decode().split("<tr")
    held_row = next(r for r in rows if "HELD-1" in r)
    free_row = next(r for r in rows if "FREE-1" in r)
    assert "on hold" in held_row and "on hold" not in free_row
