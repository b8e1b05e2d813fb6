"""Field-visit tasks: segments with field visits, only where the debtor may be visited."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.models import DebtSegment, SegmentDefinition, SegmentRule
from analytics.services.field_visits import field_visit_tasks_sync
from analytics.services.nightly import nightly_run
from analytics.services.rules import segment_ensure_defaults
from collections_app.services.workspace import interaction_log
from core.exceptions import ApplicationError
from messaging.services.compliance import visits_forbidden_by
from portfolio.models import Stage, Task
from tests.collections_app.workspace_helpers import DAY_ZONE
from tests.factories.portfolio import DebtFactory, DebtorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("contact_hours")]

AS_OF = datetime.date(2026, 11, 30)
CURRENCY = {"CO": "COP", "MX": "MXN", "US": "USD"}


@pytest.fixture
def broken_promises():
    segment_ensure_defaults()
    return SegmentDefinition.objects.get(creditor__isnull=True, code="late-large-broken")


def make_debt(creditor, collector, country, ref, segment=None, region="", **kwargs):
    debtor = DebtorFactory(creditor=creditor, country=country, region=region, timezone=DAY_ZONE)
    debt = DebtFactory(
        creditor=creditor,
        debtor=debtor,
        debt_ref=ref,
        assigned_to=collector,
        currency=CURRENCY[country],
        stage=kwargs.pop("stage", Stage.PRE_LEGAL),
        principal=Decimal("90000000"),
        **kwargs,
    )
    if segment is not None:
        DebtSegment.objects.create(debt=debt, segment=segment, assigned_on=AS_OF)
    return debt


def visits():
    return sorted(
        Task.objects.filter(kind=Task.Kind.FIELD_VISIT).values_list(
            "debt__debt_ref", "assigned_to__username", "status"
        )
    )


def test_the_default_broken_promises_segment_has_field_visits(broken_promises):
    assert broken_promises.field_visits is True
    others = SegmentDefinition.objects.filter(field_visits=True).exclude(pk=broken_promises.pk)
    assert list(others.values_list("code", flat=True)) == []


def test_the_law_decides_where_visits_are_forbidden():
    assert visits_forbidden_by(country="CO").id == "CO-VISIT"
    assert visits_forbidden_by(country="co", region="antioquia").id == "CO-VISIT"
    assert visits_forbidden_by(country="PE").id == "DEFAULT-VISIT"  # no table: conservative
    assert visits_forbidden_by(country="MX") is None
    assert visits_forbidden_by(country="US", region="MA") is None


def test_one_visit_per_debt_where_visits_are_allowed_and_a_rerun_adds_none(
    creditor, collector, other_collector, broken_promises
):
    # given debts of the "late, large, broken promises" segment in three countries
    make_debt(creditor, collector, "CO", "CO-1", broken_promises)
    make_debt(creditor, collector, "MX", "MX-1", broken_promises)
    make_debt(creditor, other_collector, "US", "US-1", broken_promises, region="TX")
    # ... and debts that get none: another segment, closed, unassigned
    late_large = SegmentDefinition.objects.get(creditor__isnull=True, code="late-large")
    make_debt(creditor, collector, "MX", "MX-OTHER-SEGMENT", late_large)
    make_debt(creditor, collector, "MX", "MX-PAID", broken_promises, stage=Stage.PAID)
    make_debt(creditor, None, "MX", "MX-UNASSIGNED", broken_promises)

    # when the job runs twice
    first = field_visit_tasks_sync(as_of=AS_OF)
    second = field_visit_tasks_sync(as_of=AS_OF)

    # then the Mexican and US debts have exactly one open visit for their collector
    assert first == {"created": 2, "cancelled": 0}
    assert second == {"created": 0, "cancelled": 0}
    assert visits() == [
        ("MX-1", collector.username, "open"),
        ("US-1", other_collector.username, "open"),
    ]
    task = Task.objects.select_related("debt__debtor").get(debt__debt_ref="MX-1")
    assert task.title == f"Field visit to {task.debt.debtor.full_name}"  # tests run in English
    assert task.source_key == f"field-visit:{task.debt_id}:{broken_promises.pk}"


def test_a_manual_open_visit_counts_and_a_done_one_is_not_repeated(
    creditor, collector, broken_promises
):
    debt = make_debt(creditor, collector, "MX", "MX-1", broken_promises)
    field_visit_tasks_sync(as_of=AS_OF)
    Task.objects.filter(debt=debt).update(status=Task.Status.DONE)
    assert field_visit_tasks_sync(as_of=AS_OF + datetime.timedelta(days=1))["created"] == 0
    other = make_debt(creditor, collector, "US", "US-2", broken_promises)
    Task.objects.create(
        debt=other,
        kind=Task.Kind.FIELD_VISIT,
        title="Manual",
        assigned_to=collector,
        due_at=datetime.datetime(2026, 12, 1, 15, tzinfo=datetime.UTC),
    )
    assert field_visit_tasks_sync(as_of=AS_OF)["created"] == 0
    assert Task.objects.filter(debt=other).count() == 1


def test_a_debt_leaving_the_segment_has_its_open_visit_cancelled(
    creditor, collector, broken_promises
):
    debt = make_debt(creditor, collector, "MX", "MX-1", broken_promises)
    field_visit_tasks_sync(as_of=AS_OF)
    DebtSegment.objects.filter(debt=debt).update(
        segment=SegmentDefinition.objects.get(creditor__isnull=True, code="late-large")
    )
    assert field_visit_tasks_sync(as_of=AS_OF) == {"created": 0, "cancelled": 1}
    assert visits() == [("MX-1", collector.username, "cancelled")]


def test_the_nightly_job_creates_the_visits_of_its_segments(creditor, collector):
    # given a segment with field visits that catches every debt of the creditor
    SegmentDefinition.objects.filter(is_catch_all=False).delete()
    segment = SegmentDefinition.objects.create(
        creditor=creditor, code="visitar", name="Visitar", priority=1, field_visits=True
    )
    SegmentRule.objects.create(segment=segment, position=1)
    make_debt(creditor, collector, "CO", "CO-1", due_date=datetime.date(2026, 5, 1))
    make_debt(creditor, collector, "MX", "MX-1", due_date=datetime.date(2026, 5, 1))
    # when the nightly job runs (twice)
    nightly_run(as_of=AS_OF)
    nightly_run(as_of=AS_OF)
    # then only the Mexican debtor, who may be visited, has one
    assert visits() == [("MX-1", collector.username, "open")]


def test_my_tasks_lists_the_field_visits(client, creditor, collector, broken_promises):
    debt = make_debt(creditor, collector, "MX", "MX-1", broken_promises)
    field_visit_tasks_sync(as_of=AS_OF)
    client.force_login(collector)
    response = client.get(reverse("collections:tasks"))
    assert [(t.kind, t.debt.debt_ref) for t in response.context["rows"]] == [
        ("field_visit", "MX-1")
    ]
    html = response.content.decode()
    assert f"<strong>Field visit</strong>: Field visit to {debt.debtor.full_name}" in html


@pytest.mark.parametrize(("country", "rule"), [("CO", "CO-VISIT"), ("PE", "DEFAULT-VISIT")])
def test_logging_a_visit_is_refused_with_the_rule_where_visits_are_forbidden(
    creditor, collector, country, rule
):
    debtor = DebtorFactory(creditor=creditor, country=country, timezone=DAY_ZONE)
    debt = DebtFactory(creditor=creditor, debtor=debtor, assigned_to=collector)
    with pytest.raises(ApplicationError) as exc:
        interaction_log(
            user=collector, debt=debt, channel="visit", outcome="no_answer", as_of=AS_OF
        )
    assert f"({rule})" in exc.value.message and exc.value.field == "channel"


def test_a_mexican_visit_is_refused_outside_the_window(creditor, collector):
    debt = make_debt(creditor, collector, "MX", "MX-1")
    night = datetime.datetime(
        2026, 11, 25, 23, 30, tzinfo=datetime.timezone(-datetime.timedelta(hours=5))
    )
    with pytest.raises(ApplicationError) as exc:
        interaction_log(
            user=collector,
            debt=debt,
            channel="visit",
            outcome="no_answer",
            as_of=AS_OF,
            now=night,
        )
    assert "(MX-WINDOW)" in exc.value.message


def test_the_case_panel_names_the_rule_and_refuses_a_posted_visit(client, creditor, collector):
    debt = make_debt(creditor, collector, "CO", "CO-1")
    client.force_login(collector)
    html = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()
    assert 'value="visit"' not in html
    assert "CO-VISIT" in html.split('data-testid="visit-rule"', 1)[1].split("</p>", 1)[0]
    response = client.post(
        reverse("collections:interaction-new", args=[debt.pk]),
        {"channel": "visit", "outcome": "no_answer"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert (
        "No field visits (CO-VISIT): No collection visits to the debtor&#x27;s home or workplace."
        in response.content.decode()
    )
    assert not Task.objects.exists() and not debt.interactions.exists()
