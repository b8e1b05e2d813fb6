"""The dashboard, exports, segment pages, the debt page's panel and the KPI / segment APIs."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from analytics.hooks import debt_segment
from analytics.models import SegmentDefinition, SegmentRule
from tests.analytics.helpers import pay, run
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

D = datetime.date
PERIOD = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


@pytest.fixture
def world(creditor):
    other = CreditorFactory(code="finzo", name="Finzo")
    mine = DebtFactory(
        creditor=creditor,
        debt_ref="MIA",
        principal=Decimal("1000000"),
        interest=0,
        fees=0,
        due_date=D(2026, 11, 10),
    )
    theirs = DebtFactory(
        creditor=other,
        debt_ref="AJENA",
        currency="MXN",
        principal=Decimal("5000"),
        interest=0,
        fees=0,
        due_date=D(2026, 11, 10),
    )
    run(D(2026, 10, 31))
    pay(mine, "250000", D(2026, 11, 12), "P1")
    pay(theirs, "1000", D(2026, 11, 12), "P2")
    run(D(2026, 11, 12))
    run(D(2026, 11, 30))
    return {"mine": mine, "theirs": theirs, "other": other}


def test_collectors_may_not_open_the_dashboard(client, collector):
    client.force_login(collector)
    assert client.get(reverse("analytics:dashboard")).status_code == 403


def test_manager_sees_only_their_creditors(client, manager, world):
    client.force_login(manager)
    response = client.get(reverse("analytics:dashboard"), PERIOD)
    assert response.status_code == 200
    data = response.context["data"]
    assert [h["currency"] for h in data["headline"]] == ["COP"]
    assert data["headline"][0]["collected"] == Decimal("250000.00")
    # Asking for someone else's creditor is a form error, not their figures.
    response = client.get(reverse("analytics:dashboard"), {**PERIOD, "creditor": "finzo"})
    assert response.context["data"] is None
    assert "creditor" in response.context["form"].errors


def test_dashboard_empty_state(client, manager):
    client.force_login(manager)
    response = client.get(reverse("analytics:dashboard"))
    assert response.status_code == 200
    assert response.context["has_data"] is False


def test_bad_dates_are_form_errors(client, manager):
    client.force_login(manager)
    response = client.get(
        reverse("analytics:dashboard"), {"date_from": "2026-12-01", "date_to": "2026-11-01"}
    )
    assert "date_from" in response.context["form"].errors
    response = client.get(reverse("analytics:dashboard"), {"date_from": "2020-01-01"})
    assert "date_from" in response.context["form"].errors


def test_drill_down_from_collected_lists_the_paying_debts(client, manager, world):
    client.force_login(manager)
    data = client.get(reverse("analytics:dashboard"), PERIOD).context["data"]
    link = data["headline"][0]["collected_link"]
    response = client.get(link)
    assert [d.debt_ref for d in response.context["rows"]] == ["MIA"]
    aging_link = next(r["link"] for r in data["aging"] if r["debts"])
    response = client.get(aging_link)
    assert [d.debt_ref for d in response.context["rows"]] == ["MIA"]


def test_exports_csv_and_excel(client, manager, world):
    client.force_login(manager)
    url = reverse("analytics:dashboard-export", args=["aging", "csv"])
    response = client.get(url, PERIOD)
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "COP,1-30,1,750000.00" in text
    assert "MXN" not in text
    response = client.get(reverse("analytics:dashboard-export", args=["collected", "xlsx"]), PERIOD)
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[1][1:] == ("COP", 250000.0, 1)
    assert (
        client.get(reverse("analytics:dashboard-export", args=["nope", "csv"])).status_code == 404
    )
    assert (
        client.get(reverse("analytics:dashboard-export", args=["aging", "pdf"])).status_code == 404
    )


def test_kpi_api_returns_the_page_figures(api_client, manager, world, client):
    api_client.force_authenticate(manager)
    response = api_client.get("/api/v1/kpis/", {"as_of": "2026-11-30", "date_from": "2026-11-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["headline"][0]["currency"] == "COP"
    assert body["headline"][0]["collected"] == "250000.00"
    client.force_login(manager)
    page = client.get(reverse("analytics:dashboard"), PERIOD).context["data"]
    assert Decimal(body["headline"][0]["recovery_rate"]) == page["headline"][0]["recovery_rate"]
    bad = api_client.get("/api/v1/kpis/", {"as_of": "nonsense"})
    assert bad.status_code == 400
    assert "date_to" in bad.content.decode()
    assert api_client.get("/api/v1/kpis/", {"creditor": "finzo"}).status_code == 400


def test_segments_api(api_client, manager, world):
    api_client.force_authenticate(manager)
    response = api_client.get("/api/v1/segments/")
    assert response.status_code == 200
    codes = [s["code"] for s in response.json()]
    assert "general" in codes and codes[-1] == "general"
    assert sum(s["open_debts"] for s in response.json()) == 1  # only their creditor's debt
    assert api_client.get("/api/v1/segments/", {"creditor": "finzo"}).status_code == 400


def test_collector_gets_403_on_the_kpi_api(api_client, collector):
    api_client.force_authenticate(collector)
    assert api_client.get("/api/v1/kpis/").status_code == 403


def _rule_post(prefix="rules", **rule):
    data = {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
        f"{prefix}-0-position": "1",
    }
    data.update({f"{prefix}-0-{k}": v for k, v in rule.items()})
    return data


def test_manager_creates_a_segment_for_their_creditor(client, manager, creditor):
    client.force_login(manager)
    data = {
        "creditor": creditor.pk,
        "code": "vip",
        "name": "VIP",
        "priority": "5",
        "is_active": "on",
        **_rule_post(aging_buckets=["1-30"], currency="cop", balance_min="5000000"),
    }
    response = client.post(reverse("analytics:segment-new"), data)
    assert response.status_code == 302
    segment = SegmentDefinition.objects.get(code="vip")
    rule = SegmentRule.objects.get(segment=segment)
    assert (rule.aging_buckets, rule.currency, rule.balance_min) == (
        ["1-30"],
        "COP",
        Decimal("5000000"),
    )


def test_manager_turns_field_visits_on_for_a_segment(client, manager, creditor):
    client.force_login(manager)
    page = client.get(reverse("analytics:segment-new")).content.decode()
    assert 'name="field_visits"' in page
    data = {
        "creditor": creditor.pk,
        "code": "visitas",
        "name": "Visitas",
        "priority": "5",
        "field_visits": "on",
        "is_active": "on",
        **_rule_post(aging_buckets=["360+"]),
    }
    assert client.post(reverse("analytics:segment-new"), data).status_code == 302
    assert SegmentDefinition.objects.get(code="visitas").field_visits is True


def test_segment_form_validation_writes_nothing(client, manager, creditor):
    client.force_login(manager)
    before = SegmentDefinition.objects.count()
    data = {
        "creditor": creditor.pk,
        "code": "malo",
        "name": "Malo",
        "priority": "5",
        **_rule_post(balance_min="100", score_min="80", score_max="20"),
    }
    response = client.post(reverse("analytics:segment-new"), data)
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors
    assert "currency" in errors and "score_max" in errors
    assert SegmentDefinition.objects.count() == before


def test_managers_cannot_edit_global_segments_or_delete_the_catch_all(client, manager):
    client.force_login(manager)
    general = SegmentDefinition.objects.get(is_catch_all=True)
    assert client.get(reverse("analytics:segment-edit", args=[general.pk])).status_code == 404
    client.post(reverse("analytics:segment-delete", args=[general.pk]))
    assert SegmentDefinition.objects.filter(pk=general.pk).exists()


def test_segment_list_preview_counts(client, manager, world):
    client.force_login(manager)
    response = client.get(reverse("analytics:segment-list"), {"preview": "1"})
    assert response.status_code == 200
    assert response.context["preview"]["debts"] == 1
    total = sum(s.preview for s in response.context["segments"])
    assert total == 1


def test_debt_page_shows_segment_and_score(client, manager, world):
    client.force_login(manager)
    response = client.get(reverse("portfolio:debt-detail", args=[world["mine"].pk]))
    html = response.content.decode()
    assert 'id="segment"' in html
    world["mine"].refresh_from_db()
    assert debt_segment(world["mine"]).name in html


def test_other_managers_creditor_is_not_visible(client, world):
    stranger = ManagerFactory(username="otro-gerente", creditors=[world["other"]])
    client.force_login(stranger)
    data = client.get(reverse("analytics:dashboard"), PERIOD).context["data"]
    assert [h["currency"] for h in data["headline"]] == ["MXN"]


def test_collector_filter_lists_only_collectors_of_the_managers_creditors(
    client, manager, world, collector, other_collector
):
    from portfolio.models import Debt

    Debt.objects.filter(debt_ref="MIA").update(assigned_to=collector)
    Debt.objects.filter(debt_ref="AJENA").update(assigned_to=other_collector)
    run(D(2026, 11, 30))
    client.force_login(manager)
    form = client.get(reverse("analytics:dashboard"), PERIOD).context["form"]
    assert list(form.fields["collector"].queryset) == [collector]
    response = client.get(reverse("analytics:dashboard"), {**PERIOD, "collector": collector.pk})
    assert response.context["data"]["headline"][0]["open_debts"] == 1


def test_dashboard_figures_are_reused_until_the_next_nightly_run(
    client, manager, world, django_assert_max_num_queries
):
    from django.core.cache import cache

    cache.clear()
    client.force_login(manager)
    url = reverse("api-kpis")
    first = client.get(url, PERIOD).json()
    assert first["headline"][0]["collected"] == "250000.00"
    # The same filters again: the snapshot figures come from the cache (session, user,
    # scope and the snapshots' stamp are all that is read; computing them takes ~40).
    with django_assert_max_num_queries(8):
        assert client.get(url, PERIOD).json() == first
    # A payment and that night's run: the next request sees the new figures at once.
    pay(world["mine"], "50000", D(2026, 11, 30), "P3")
    run(D(2026, 11, 30))
    assert client.get(url, PERIOD).json()["headline"][0]["collected"] == "300000.00"
