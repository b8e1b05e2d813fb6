"""Arm-cut KPIs against the hand-built portfolio of tests/experiments/portfolio.py, the results'
statistics and verdicts, the snapshots and the results page."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from experiments.models import ArmSnapshot, Experiment, ExperimentStatus
from experiments.selectors.measures import arm_counts
from experiments.selectors.results import Verdict, experiment_results, experiments_for_user
from experiments.services.snapshots import arm_snapshots_write
from experiments.services.stats import two_proportion_ztest
from tests.experiments.portfolio import AS_OF, build
from tests.factories.portfolio import CreditorFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db


def test_arm_counts_match_the_hand_built_portfolio(manager, creditor):
    experiment, champion, challenger, _debtors = build(manager=manager, creditor=creditor)

    counts = arm_counts(experiment_ids=[experiment.pk], as_of=AS_OF)

    a, b = counts[champion.pk], counts[challenger.pk]
    assert (a.accounts, a.delinquent, a.cured) == (4, 3, 1)
    assert (b.accounts, b.delinquent, b.cured) == (4, 4, 2)
    assert set(a.collected) == {"COP"}
    assert a.collected["COP"].amount == Decimal("150000.00")
    assert (a.collected["COP"].payers, a.collected["COP"].payments) == (2, 2)
    assert a.collected["COP"].sum_squares == Decimal("100000") ** 2 + Decimal("50000") ** 2
    assert set(b.collected) == {"COP", "USD"}
    assert b.collected["COP"].amount == Decimal("250000.00")
    assert (b.collected["COP"].payers, b.collected["COP"].payments) == (2, 3)
    assert b.collected["USD"].amount == Decimal("15.00")
    assert b.payments == 4
    assert (a.promises_made, a.promises_kept, a.promises_broken) == (2, 1, 1)
    assert (b.promises_made, b.promises_kept, b.promises_broken) == (4, 2, 0)
    assert (a.complaints, b.complaints) == (0, 1)
    assert (a.opt_outs, b.opt_outs) == (0, 1)
    assert (a.messages_planned, a.messages_suppressed, a.contacts) == (2, 0, 2)
    assert (b.messages_planned, b.messages_suppressed, b.contacts) == (4, 1, 2)


def test_a_later_date_counts_what_happened_since(manager, creditor):
    experiment, champion, challenger, _debtors = build(manager=manager, creditor=creditor)

    later = arm_counts(experiment_ids=[experiment.pk], as_of=AS_OF + datetime.timedelta(days=15))

    b = later[challenger.pk]
    assert b.cured == 3  # b3 cured on DAY+40
    assert b.collected["COP"].amount == Decimal("260000.00")
    assert b.promises_broken == 1
    assert b.messages_planned == 5


def test_results_cure_rate_with_its_test_against_the_champion(manager, creditor):
    experiment, champion, challenger, _debtors = build(manager=manager, creditor=creditor)

    results = experiment_results(experiment=experiment, as_of=AS_OF)

    first, second = results.arms
    assert first.arm == champion and second.arm == challenger
    assert first.accounts == second.accounts == 4
    assert first.metrics[0].value == pytest.approx(1 / 3)
    assert second.metrics[0].value == pytest.approx(0.5)
    expected = two_proportion_ztest(x1=1, n1=3, x2=2, n2=4)
    assert second.metrics[0].diff == pytest.approx(1 / 6)
    assert second.metrics[0].p_value == pytest.approx(expected.p_value)
    assert second.metrics[0].diff_low == pytest.approx(expected.ci_low)
    assert first.verdict is None
    assert second.verdict == Verdict.NOT_YET
    # Guard-rails of the challenger: 1 complaint in 4 accounts, 1 opt-out, 1 of 4 messages
    # suppressed, 2 sent for 4 payments.
    assert second.guardrails == {
        "complaints_per_1000": Decimal("250.00"),
        "opt_out_pct": Decimal("25.00"),
        "suppressed_pct": Decimal("25.00"),
        "contacts_per_payment": Decimal("0.50"),
    }
    assert first.guardrails["contacts_per_payment"] == Decimal("1.00")
    assert second.breached == []


def test_verdict_after_the_end_is_no_difference_and_promises_kept_metric(manager, creditor):
    experiment, _champion, _challenger, _debtors = build(
        manager=manager, creditor=creditor, metric="promises_kept"
    )
    results = experiment_results(experiment=experiment, as_of=experiment.ends_on)
    champion, challenger = results.arms
    assert (champion.metrics[0].x, champion.metrics[0].n) == (1, 2)
    assert (challenger.metrics[0].x, challenger.metrics[0].n) == (2, 3)  # b3 broke by then
    assert challenger.verdict == Verdict.NO_DIFFERENCE


def test_amount_per_account_is_per_currency_never_mixed(manager, creditor):
    experiment, _champion, _challenger, _debtors = build(
        manager=manager, creditor=creditor, metric="collected_per_account"
    )
    results = experiment_results(experiment=experiment, as_of=AS_OF)
    champion, challenger = results.arms
    assert [m.currency for m in challenger.metrics] == ["COP", "USD"]
    assert champion.metrics[0].value == pytest.approx(37500.0)
    assert champion.metrics[1].value == 0
    assert challenger.metrics[0].collected == Decimal("250000.00")
    assert challenger.metrics[0].diff == pytest.approx(62500.0 - 37500.0)
    assert challenger.metrics[1].value == pytest.approx(3.75)


def test_a_large_significant_lift_is_better(manager, creditor):
    # The verdict rule on known numbers: 40/100 vs 60/100 (p ≈ 0.005) with enough accounts.
    from experiments.selectors.results import _verdict

    test = two_proportion_ztest(x1=40, n1=100, x2=60, n2=100)
    assert _verdict(p_value=test.p_value, diff=test.diff, enough=True, ended=False) == "better"
    assert _verdict(p_value=test.p_value, diff=-0.2, enough=True, ended=False) == "worse"
    assert _verdict(p_value=test.p_value, diff=test.diff, enough=False, ended=False) == "not_yet"


def test_snapshots_are_written_once_per_day_and_arm_currency(manager, creditor):
    experiment, champion, challenger, _debtors = build(manager=manager, creditor=creditor)

    assert arm_snapshots_write(as_of=AS_OF) == 3
    first = sorted(
        ArmSnapshot.objects.filter(as_of=AS_OF).values_list(
            "arm_id", "currency", "accounts", "delinquent", "cured", "collected", "payments"
        )
    )
    assert arm_snapshots_write(as_of=AS_OF) == 3
    again = sorted(
        ArmSnapshot.objects.filter(as_of=AS_OF).values_list(
            "arm_id", "currency", "accounts", "delinquent", "cured", "collected", "payments"
        )
    )
    assert (
        first
        == again
        == [
            (champion.pk, "COP", 4, 3, 1, Decimal("150000.00"), 2),
            (challenger.pk, "COP", 4, 4, 2, Decimal("250000.00"), 3),
            (challenger.pk, "USD", 4, 4, 2, Decimal("15.00"), 1),
        ]
    )
    snapshot = ArmSnapshot.objects.get(arm=challenger, currency="USD", as_of=AS_OF)
    assert (snapshot.complaints, snapshot.opt_outs, snapshot.contacts) == (1, 1, 2)
    assert (snapshot.messages_planned, snapshot.messages_suppressed) == (4, 1)
    assert (snapshot.promises_made, snapshot.promises_kept, snapshot.promises_broken) == (4, 2, 0)
    # An ended experiment is no longer written.
    Experiment.objects.filter(pk=experiment.pk).update(status=ExperimentStatus.STOPPED)
    assert arm_snapshots_write(as_of=AS_OF) == 0
    assert not ArmSnapshot.objects.filter(as_of=AS_OF).exists()


def test_scoping_of_experiments_and_the_results_page(client, manager, creditor, collector):
    experiment, _champion, _challenger, _debtors = build(manager=manager, creditor=creditor)
    other = ManagerFactory(username="other", creditors=[CreditorFactory(code="otro")])
    assert list(experiments_for_user(manager)) == [experiment]
    assert list(experiments_for_user(other)) == []
    assert list(experiments_for_user(collector)) == []
    url = reverse("experiments:results", args=[experiment.pk])
    assert url == f"/experiments/{experiment.pk}/results/"

    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(collector)
    assert client.get(url).status_code == 404

    client.force_login(manager)
    response = client.get(url, {"as_of": AS_OF.isoformat()}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-verdict="not_yet"' in page
    assert "Not significant yet" in page
    assert "<svg" in page and 'role="img"' in page
    assert "33.3 %" in page and "50.0 %" in page
    assert "+16.7 %" in page  # the difference with the champion, signed
    assert client.get(url, {"as_of": "not-a-date"}).status_code == 400
    # In Spanish the figures read "33,3 %" but the chart's geometry stays SVG numbers.
    spanish = client.get(url, {"as_of": AS_OF.isoformat()}, HTTP_ACCEPT_LANGUAGE="es")
    text = spanish.content.decode()
    assert "33,3 %" in text
    assert re.search(r'<rect x="150" y="10" width="\d+\.\d"', text)


def test_kpi_export_has_a_table_per_arm_safe_against_formulas(client, manager, creditor):
    # Given snapshots of an experiment whose name a spreadsheet would read as a formula.
    experiment, _champion, _challenger, _debtors = build(
        manager=manager, creditor=creditor, name='=HYPERLINK("http://x","y")'
    )
    arm_snapshots_write(as_of=AS_OF)
    other = ManagerFactory(username="other", creditors=[CreditorFactory(code="otro")])
    url = reverse("analytics:dashboard-export", args=["experiment-arms", "csv"])
    period = {"date_from": "2026-03-20", "date_to": "2026-04-05"}

    # When the manager exports the KPI table of the arms.
    client.force_login(manager)
    response = client.get(url, period, HTTP_ACCEPT_LANGUAGE="en")

    # Then one row per arm and currency, the name neutralised, the figures exact.
    assert response.status_code == 200
    lines = b"".join(response.streaming_content if response.streaming else [response.content])
    text = lines.decode("utf-8-sig").splitlines()
    assert text[0].startswith("Creditor,Experiment,Primary metric,Arm")
    assert len(text) == 4
    assert all(line.startswith("banco-andino,\"'=HYPERLINK(") for line in text[1:])
    assert ",2026-04-01,4,3,1,0.3333,COP,150000.00,2,37500.00,2,1,1,0.5000,0,0,2,0,2" in text[1]
    assert ",USD,15.00,1,3.75," in text[3]
    # A manager of another creditor gets the headers only; the dashboard links the table.
    client.force_login(other)
    assert len(client.get(url, period).content.decode("utf-8-sig").splitlines()) == 1
    client.force_login(manager)
    page = client.get(reverse("analytics:dashboard"), period).content.decode()
    assert reverse("analytics:dashboard-export", args=["experiment-arms", "csv"]) in page


def test_too_few_accounts_for_the_calculator_is_not_yet(manager, creditor):
    # The calculator asked for 686 accounts per arm (10% → 15%, α 0.05, power 0.8); with 4 the
    # verdict can only be "not yet" while running.
    experiment, _champion, _challenger, _debtors = build(
        manager=manager,
        creditor=creditor,
        baseline_rate=Decimal("10"),
        minimum_lift=Decimal("5"),
    )
    results = experiment_results(experiment=experiment, as_of=AS_OF)
    assert results.needed_per_arm == 686
    assert results.arms[1].verdict == Verdict.NOT_YET
    assert not results.ended
