"""The workspace pages: queue order and query count, case panel, log form, tasks, assignment,
approvals; access is checked on the server."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import PromiseToPay
from collections_app.models import Assignment, Interaction
from core.dates import business_today
from portfolio.models import Debt, Stage, Task
from tests.collections_app.workspace_helpers import DAY_ZONE
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
)
from tests.factories.users import CollectorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("contact_hours")]


def make_debt(creditor, collector, balance="1000000", **kwargs):
    debtor = DebtorFactory(creditor=creditor, timezone=DAY_ZONE)
    ContactPointFactory(debtor=debtor, channel="voice", value=f"+57300{debtor.pk:07d}")
    return DebtFactory(
        creditor=creditor,
        debtor=debtor,
        assigned_to=collector,
        principal=Decimal(balance),
        interest=Decimal("0"),
        fees=Decimal("0"),
        stage=Stage.FIRM_NOTICE,
        **kwargs,
    )


def refs(response):
    return [d.debt_ref for d in response.context["rows"]]


def test_queue_order_promises_callbacks_broken_then_risk_times_balance(
    client, creditor, collector, other_collector
):
    small = make_debt(creditor, collector, "100000", debt_ref="SMALL")
    big = make_debt(creditor, collector, "9000000", debt_ref="BIG")
    broken = make_debt(creditor, collector, debt_ref="BROKEN")
    callback = make_debt(creditor, collector, debt_ref="CALLBACK")
    promise = make_debt(creditor, collector, debt_ref="PROMISE")
    make_debt(creditor, other_collector, debt_ref="NOT-MINE")
    today = business_today()
    PromiseToPay.objects.create(
        debt=promise,
        debtor=promise.debtor,
        amount=1,
        currency="COP",
        promised_date=today,
        channel="phone",
        made_on=today,
    )
    now = timezone.now()
    Task.objects.create(
        debt=callback, kind="callback", title="x", due_at=now, assigned_to=collector
    )
    Task.objects.create(
        debt=broken, kind="broken_agreement", title="x", due_at=now + datetime.timedelta(days=3)
    )
    client.force_login(collector)
    response = client.get(reverse("collections:queue"))
    assert refs(response) == ["PROMISE", "CALLBACK", "BROKEN", "BIG", "SMALL"]
    counts = response.context["counts"]
    assert (counts["total"], counts["promises"], counts["callbacks"], counts["broken"]) == (
        5,
        1,
        1,
        1,
    )
    # "Next case" opens the top one
    response = client.get(reverse("collections:next"))
    assert response.url == reverse("portfolio:debt-detail", args=[promise.pk])
    # search by reference and filter by stage
    assert refs(client.get(reverse("collections:queue"), {"q": "SMALL"})) == ["SMALL"]
    assert refs(client.get(reverse("collections:queue"), {"stage": "legal"})) == []
    _ = (small, big)


def test_recently_contacted_cases_drop_below_stale_ones(client, creditor, collector):
    fresh = make_debt(creditor, collector, debt_ref="FRESH")
    make_debt(creditor, collector, debt_ref="STALE")
    Interaction.objects.create(
        debt=fresh,
        debtor=fresh.debtor,
        collector=collector,
        channel="call",
        outcome="no_answer",
        occurred_at=timezone.now(),
    )
    client.force_login(collector)
    assert refs(client.get(reverse("collections:queue"))) == ["STALE", "FRESH"]


def test_queue_costs_a_fixed_number_of_queries(
    client, creditor, collector, django_assert_max_num_queries
):
    for i in range(30):
        debt = make_debt(creditor, collector, debt_ref=f"Q-{i}")
        Interaction.objects.create(
            debt=debt,
            debtor=debt.debtor,
            collector=collector,
            channel="call",
            outcome="no_answer",
            occurred_at=timezone.now(),
        )
    client.force_login(collector)
    client.get(reverse("collections:queue"))  # warm the session / role caches
    # + 4 for the Call column (the page's rows only: consent, agreements and holds in one
    # query, the debtors' logged calls, their messages, the creditors' rule overrides)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("collections:queue"))
    assert len(response.context["rows"]) == 25


def test_collector_gets_404_on_a_case_not_assigned(client, creditor, collector, other_collector):
    theirs = make_debt(creditor, other_collector)
    client.force_login(collector)
    assert client.get(reverse("portfolio:debt-detail", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("collections:interaction-new", args=[theirs.pk]),
        {"channel": "call", "outcome": "no_answer"},
    )
    assert response.status_code == 404
    assert not Interaction.objects.exists()
    assert client.post(reverse("collections:assign-one", args=[theirs.pk])).status_code == 403


def test_case_page_panel_logs_a_call_with_a_promise_over_htmx(client, creditor, collector):
    debt = make_debt(creditor, collector)
    client.force_login(collector)
    page = client.get(reverse("portfolio:debt-detail", args=[debt.pk]))
    html = page.content.decode()
    assert 'data-testid="call-button"' in html and 'data-testid="log-form"' in html
    # CO debtor: no reason-for-non-payment question, no field visit
    assert "nonpayment_reason" not in html and 'value="visit"' not in html
    when = (business_today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("collections:interaction-new", args=[debt.pk]),
        {
            "channel": "call",
            "outcome": "promise_to_pay",
            "promise_amount": "250000",
            "promise_date": when,
            "note": "Promete pagar",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and response["HX-Trigger"] == "contact-logged"
    assert PromiseToPay.objects.get(debt=debt).amount == Decimal("250000.00")
    assert "Promete pagar" in response.content.decode()  # the timeline shows it


def test_log_form_errors_come_back_in_the_panel(client, creditor, collector):
    debt = make_debt(creditor, collector)
    client.force_login(collector)
    response = client.post(
        reverse("collections:interaction-new", args=[debt.pk]),
        {"channel": "call", "outcome": "promise_to_pay"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "A promise needs the amount." in response.content.decode()
    assert not Interaction.objects.exists()


def test_a_callback_hour_is_the_debtors_local_time(client, creditor, collector):
    # given a debtor whose time zone is not the operation's
    debt = make_debt(creditor, collector)
    zone = ZoneInfo(debt.debtor.timezone)
    client.force_login(collector)
    day = business_today() + datetime.timedelta(days=2)

    # when the collector logs "call me back at 18:00" from the case page
    response = client.post(
        reverse("collections:interaction-new", args=[debt.pk]),
        {"channel": "call", "outcome": "callback_requested", "callback_at": f"{day}T18:00"},
        HTTP_HX_REQUEST="true",
    )

    # then the task is due at 18:00 where the debtor lives
    assert response.status_code == 200
    task = Task.objects.get(debt=debt, kind="callback")
    assert task.due_at == datetime.datetime.combine(day, datetime.time(18), tzinfo=zone)


def test_mexican_case_offers_the_reason_question(client, creditor, collector):
    debtor = DebtorFactory(creditor=creditor, country="MX", timezone=DAY_ZONE)
    debt = DebtFactory(creditor=creditor, debtor=debtor, assigned_to=collector)
    client.force_login(collector)
    html = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()
    assert "nonpayment_reason" in html and 'value="visit"' in html


def test_my_tasks_highlights_overdue_and_marks_done(client, creditor, collector):
    debt = make_debt(creditor, collector)
    now = timezone.now()
    late = Task.objects.create(
        debt=debt,
        kind="callback",
        title="Late",
        assigned_to=collector,
        due_at=now - datetime.timedelta(hours=2),
    )
    Task.objects.create(
        debt=debt,
        kind="follow_up",
        title="Soon",
        assigned_to=collector,
        due_at=now + datetime.timedelta(hours=2),
    )
    client.force_login(collector)
    response = client.get(reverse("collections:tasks"))
    assert [t.title for t in response.context["rows"]] == ["Late", "Soon"]
    assert response.content.decode().count('data-testid="overdue"') == 1
    client.post(reverse("collections:task-done", args=[late.pk]))
    late.refresh_from_db()
    assert late.status == "done"


def test_manager_bulk_assigns_by_filter_after_a_confirmation(
    client, creditor, manager, collector, other_collector
):
    for i in range(4):
        make_debt(creditor, None, debt_ref=f"A-{i}")
    make_debt(creditor, None, debt_ref="LEGAL-1").__class__  # noqa: B018
    Debt.objects.filter(debt_ref="LEGAL-1").update(stage=Stage.PRE_LEGAL)
    client.force_login(manager)
    url = reverse("collections:assign") + "?stage=firm_notice"
    data = {"collectors": [collector.pk, other_collector.pk], "mode": "count", "reason": "Campaña"}
    preview = client.post(url, data)
    assert [r["count"] for r in preview.context["preview"]] == [2, 2]
    assert not Assignment.objects.exists()
    client.post(url, {**data, "confirm": "1", "expected": "4"})
    assert Debt.objects.filter(assigned_to=collector).count() == 2
    assert Debt.objects.filter(assigned_to=other_collector).count() == 2
    assert Debt.objects.get(debt_ref="LEGAL-1").assigned_to is None
    assert Assignment.objects.filter(reason="Campaña").count() == 4
    client.force_login(collector)
    assert client.get(reverse("collections:assign")).status_code == 403


def test_approvals_queue_lists_legal_requests_and_hands_over(client, creditor, manager, collector):
    debt = make_debt(creditor, collector)
    Debt.objects.filter(pk=debt.pk).update(stage=Stage.PRE_LEGAL)
    client.force_login(collector)
    client.post(reverse("collections:legal-request", args=[debt.pk]), {"reason": "No responde"})
    client.force_login(manager)
    response = client.get(reverse("collections:approvals"))
    assert [t.debt_id for t in response.context["requests"]] == [debt.pk]
    # no pre-legal notice was sent: the page says why and offers no hand-over
    assert not response.context["requests"][0].legal.allowed
    html = response.content.decode()
    assert reverse("collections:legal-approve", args=[debt.pk]) not in html
    assert 'data-testid="legal-reasons"' in html
    # the ladder's own checks still apply when posted anyway, so it stays
    client.post(reverse("collections:legal-approve", args=[debt.pk]), {"reason": "Sí"})
    debt.refresh_from_db()
    assert debt.stage == Stage.PRE_LEGAL


def _case_queries(client, debt):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("portfolio:debt-detail", args=[debt.pk])).status_code == 200
    return len(ctx.captured_queries)


def test_case_page_queries_do_not_grow_with_the_timeline(client, creditor, collector):
    debt = make_debt(creditor, collector)
    client.force_login(collector)
    _case_queries(client, debt)
    Interaction.objects.create(
        debt=debt,
        debtor=debt.debtor,
        collector=collector,
        channel="sms",
        outcome="no_answer",
        occurred_at=timezone.now(),
    )
    small = _case_queries(client, debt)
    Interaction.objects.bulk_create(
        Interaction(
            debt=debt,
            debtor=debt.debtor,
            collector=collector,
            channel="sms",
            outcome="no_answer",
            occurred_at=timezone.now(),
        )
        for _ in range(80)
    )
    response = client.get(reverse("portfolio:debt-detail", args=[debt.pk]))
    assert len([e for e in response.context["events"] if e.kind == "interaction"]) == 60
    assert _case_queries(client, debt) == small


def _city_debt(creditor, ref, city, balance, stage=Stage.FIRM_NOTICE):
    debtor = DebtorFactory(creditor=creditor, city=city, timezone=DAY_ZONE)
    return DebtFactory(
        creditor=creditor,
        debtor=debtor,
        debt_ref=ref,
        assigned_to=None,
        principal=Decimal(balance),
        interest=Decimal("0"),
        fees=Decimal("0"),
        stage=stage,
    )


@pytest.fixture
def bogota_portfolio(creditor, manager):
    # given creditor X's firm-notice debts in Bogotá (the city typed three ways) ...
    for ref, city, balance in [
        ("BOG-1", "Bogotá", "9000000"),
        ("BOG-2", "BOGOTÁ", "1000000"),
        ("BOG-3", "bogotá", "1000000"),
        ("BOG-4", "Bogotá", "4000000"),
        ("BOG-5", "Bogotá", "3000000"),
        ("BOG-6", "Bogotá", "2000000"),
        ("BOG-7", "Bogotá", "500000"),
    ]:
        _city_debt(creditor, ref, city, balance)
    # ... and debts that must stay: another city, another stage, another creditor
    _city_debt(creditor, "MED-1", "Medellín", "7000000")
    _city_debt(creditor, "BOG-LEGAL", "Bogotá", "7000000", stage=Stage.PRE_LEGAL)
    other = CreditorFactory(code="otro", name="Otro Banco")
    other.managers.add(manager)
    _city_debt(other, "OTHER-BOG", "Bogotá", "7000000")


def test_bulk_assignment_by_city_balances_by_count(
    client, manager, collector, other_collector, bogota_portfolio
):
    third = CollectorFactory(username="collector3")
    client.force_login(manager)
    url = (
        reverse("collections:assign") + "?creditor=banco-andino&stage=firm_notice&city=bogot%C3%A1"
    )
    page = client.get(url)
    assert page.context["summary"]["count"] == 7
    assert page.context["cities"] == ["Bogotá", "Medellín"]
    html = page.content.decode()
    assert 'name="city"' in html and 'value="bogotá"' in html
    data = {"collectors": [collector.pk, other_collector.pk, third.pk], "mode": "count"}
    preview = client.post(url, data)
    assert [(r["collector"].username, r["count"]) for r in preview.context["preview"]] == [
        ("collector", 3),
        ("collector2", 2),
        ("collector3", 2),
    ]
    client.post(url, {**data, "confirm": "1", "expected": "7"})
    assigned = dict(
        Debt.objects.filter(assigned_to__isnull=False).values_list(
            "debt_ref", "assigned_to__username"
        )
    )
    assert sorted(assigned) == ["BOG-1", "BOG-2", "BOG-3", "BOG-4", "BOG-5", "BOG-6", "BOG-7"]
    assert sorted(assigned.values()) == ["collector"] * 3 + ["collector2"] * 2 + ["collector3"] * 2
    assert Assignment.objects.count() == 7


def test_bulk_assignment_by_city_balances_by_balance(
    client, manager, collector, other_collector, bogota_portfolio
):
    third = CollectorFactory(username="collector3")
    client.force_login(manager)
    url = reverse("collections:assign") + "?creditor=banco-andino&stage=firm_notice&city=BOGOTÁ"
    data = {"collectors": [collector.pk, other_collector.pk, third.pk], "mode": "balance"}
    preview = client.post(url, data)
    # largest first, each to the lightest: 9M | 4M + 1M + 1M | 3M + 2M + 0.5M
    assert [(r["count"], r["balances"]) for r in preview.context["preview"]] == [
        (1, [("COP", Decimal("9000000.00"))]),
        (3, [("COP", Decimal("6000000.00"))]),
        (3, [("COP", Decimal("5500000.00"))]),
    ]
    client.post(url, {**data, "confirm": "1", "expected": "7"})
    assert Debt.objects.get(debt_ref="BOG-1").assigned_to == collector
    for ref in ("MED-1", "BOG-LEGAL", "OTHER-BOG"):
        assert Debt.objects.get(debt_ref=ref).assigned_to is None


def test_the_debts_api_filters_by_city(api_client, manager, bogota_portfolio):
    api_client.force_authenticate(manager)
    response = api_client.get(
        "/api/v1/debts/", {"city": "medellín", "creditor": "banco-andino", "page_size": 50}
    )
    assert response.status_code == 200
    assert [row["debt_ref"] for row in response.json()["results"]] == ["MED-1"]


def test_one_filter_bar_serves_the_debt_list_live_and_the_queue_plain(client, creditor, collector):
    client.force_login(collector)
    listing = client.get(reverse("portfolio:debt-list") + "?q=OBL&dpd_min=5").content.decode()
    queue = client.get(reverse("collections:queue") + "?q=OBL&dpd_min=5").content.decode()
    for html in (listing, queue):
        bar = html.split('class="filterbar"', 1)[1].split("</form>", 1)[0]
        assert 'name="q"' in bar and 'value="OBL"' in bar and 'value="5"' in bar
    assert 'hx-target="#debt-results"' in listing and 'id="debt-filters"' in listing
    assert "hx-get" not in queue.split('class="filterbar"', 1)[1].split("</form>", 1)[0]
    assert 'name="city"' not in queue  # the city filter belongs to the bulk assignment


def test_queue_pages_follow_the_queue_order_and_a_page_past_the_end_shows_the_last(
    client, creditor, collector
):
    from collections_app.selectors.workspace import work_queue

    for i in range(30):
        make_debt(creditor, collector, balance=str(100000 + i * 1000), debt_ref=f"P-{i:02d}")
    client.force_login(collector)
    ordered = [d.debt_ref for d in work_queue(user=collector, as_of=business_today())]
    assert ordered[:3] == ["P-29", "P-28", "P-27"]  # biggest balance first, nothing else differs

    first = client.get(reverse("collections:queue"))
    second = client.get(reverse("collections:queue"), {"page": 2})
    assert refs(first) == ordered[:25]
    assert refs(second) == ordered[25:] == ["P-04", "P-03", "P-02", "P-01", "P-00"]
    assert second.context["counts"]["total"] == 30
    assert second.context["page"].start_index() == 26
    # past the end: the last page; not a number: the first
    assert refs(client.get(reverse("collections:queue"), {"page": 9})) == ordered[25:]
    assert client.get(reverse("collections:queue"), {"page": 9}).context["page"].number == 2
    assert refs(client.get(reverse("collections:queue"), {"page": "x"})) == ordered[:25]
    assert refs(client.get(reverse("collections:queue"), {"page": "9" * 30})) == ordered[25:]


def test_empty_queue_has_zero_counts_and_next_case_says_so(client, creditor, collector):
    client.force_login(collector)
    response = client.get(reverse("collections:queue"), {"page": 3})
    assert response.status_code == 200
    assert refs(response) == []
    assert response.context["counts"] == {
        "total": 0,
        "promises": 0,
        "callbacks": 0,
        "broken": 0,
        "not_due": 0,
        "on_hold": 0,
    }
    assert client.get(reverse("collections:next")).url == reverse("collections:queue")


def test_case_page_timeline_from_the_pages_reads_is_the_panels_own(client, creditor, collector):
    """The debt page hands the case panel the holds, stage changes and payments it has read;
    the timeline and the call check come out as the panel alone (htmx re-render) makes them."""
    from collections_app.selectors.workspace import case_timeline
    from collections_app.services.contacts import contact_check
    from portfolio.models import Hold, StageChange
    from tests.factories.portfolio import PaymentFactory

    debt = make_debt(creditor, collector, debt_ref="TL-1")
    other = make_debt(creditor, collector, debt_ref="TL-2")
    now = timezone.now()
    Hold.objects.create(
        debtor=debt.debtor,
        debt=debt,
        kind="dispute",
        reason="not mine",
        source="collector",
        opened_at=now - datetime.timedelta(hours=1),
    )
    Hold.objects.create(
        debtor=debt.debtor,
        kind="cease_contact",
        reason="asked",
        source="api",
        opened_at=now - datetime.timedelta(days=9),
        closed_at=now - datetime.timedelta(days=8),
        outcome="lifted",
    )
    Hold.objects.create(
        debtor=other.debtor, debt=other, kind="deceased", reason="other debtor",
        source="manager", opened_at=now,
    )  # fmt: skip
    StageChange.objects.create(
        debt=debt, from_stage="friendly_reminder", to_stage="firm_notice", transition="t",
        business_date=business_today(), occurred_at=now - datetime.timedelta(days=2),
    )  # fmt: skip
    PaymentFactory(debt=debt, paid_at=now - datetime.timedelta(days=3))
    client.force_login(collector)

    response = client.get(reverse("portfolio:debt-detail", args=[debt.pk]))

    events = [(e.kind, e.title, e.at) for e in response.context["events"]]
    # the other debtor's hold is not there: the debt's own, then the debtor-wide one
    assert [kind for kind, _title, _at in events] == ["hold", "stage", "payment", "hold"]
    fresh = Debt.objects.select_related("debtor", "creditor").get(pk=debt.pk)
    alone, truncated = case_timeline(debt=fresh)
    assert events == [(e.kind, e.title, e.at) for e in alone] and not truncated
    # the open dispute stops the call, on the page as in the engine's own check
    [phone] = response.context["phones"]
    assert phone.status.allowed is False
    assert phone.status.rule == contact_check(debt=fresh).rule


def test_queue_rows_show_the_stage_and_product_in_the_users_language(client, creditor, collector):
    make_debt(creditor, collector, debt_ref="LBL-1", product="credit_card")
    client.force_login(collector)
    page = client.get(reverse("collections:queue"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<span class="badge badge--firm_notice">Aviso formal</span>' in page
    assert "· Tarjeta de crédito" in page
    page = client.get(reverse("collections:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span class="badge badge--firm_notice">Firm notice</span>' in page
    assert "· Credit card" in page


def test_assign_totals_and_preview_are_per_currency(client, creditor, manager, collector):
    # Given open debts in pesos, Mexican pesos and dollars
    make_debt(creditor, None, balance="1000000", debt_ref="COP-1")
    make_debt(creditor, None, balance="2500000", debt_ref="COP-2")
    make_debt(creditor, None, balance="15000", debt_ref="MXN-1", currency="MXN")
    make_debt(creditor, None, balance="300", debt_ref="USD-1", currency="USD")
    client.force_login(manager)
    url = reverse("collections:assign") + "?stage=firm_notice"
    # When the manager opens the assignment and previews it
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es-CO")
    preview = client.post(
        url, {"collectors": [collector.pk], "mode": "balance"}, HTTP_ACCEPT_LANGUAGE="es-CO"
    )
    # Then each currency has its own total, never one sum of the three
    totals = {t["currency"]: t["balance"] for t in page.context["summary"]["totals"]}
    assert totals == {"COP": Decimal("3500000"), "MXN": Decimal("15000"), "USD": Decimal("300")}
    assert page.context["summary"]["count"] == 4
    html = page.content.decode()
    assert "$3.500.000,00" in html and "MXN\u00a015.000,00" in html and "US$300,00" in html
    assert "3.515.300" not in html
    row = preview.context["preview"][0]
    assert row["count"] == 4
    assert row["balances"] == [
        ("COP", Decimal("3500000")),
        ("MXN", Decimal("15000")),
        ("USD", Decimal("300")),
    ]
    assert "3.515.300" not in preview.content.decode()


@pytest.mark.parametrize(
    ("language", "heading", "note"),
    [
        (
            "en",
            "No number on file for calls.",
            "+573005550199 is on file for text messages only: calling needs the number on file"
            " for calls, with its own consent.",
        ),
        (
            "es",
            "No hay números registrados para llamadas.",
            "+573005550199 está registrado solo para mensajes de texto: para llamar hace falta"
            " el número registrado para llamadas, con su propio consentimiento.",
        ),
    ],
)
def test_a_number_to_text_is_not_offered_as_a_number_to_call(
    client, creditor, collector, language, heading, note
):
    # given a debtor whose only number is on file for SMS and WhatsApp (consent is per channel)
    debtor = DebtorFactory(creditor=creditor, timezone=DAY_ZONE)
    for channel in ("sms", "whatsapp"):
        ContactPointFactory(debtor=debtor, channel=channel, value="+573005550199")
    ContactPointFactory(debtor=debtor, channel="email", value="ana@example.com")
    debt = DebtFactory(creditor=creditor, debtor=debtor, assigned_to=collector)
    client.force_login(collector)

    response = client.get(
        reverse("portfolio:debt-detail", args=[debt.pk]), HTTP_ACCEPT_LANGUAGE=language
    )

    # then no call button, and the page says why the number it lists below is not callable
    page = " ".join(response.content.decode().split())
    assert response.context["phones"] == []
    assert response.context["message_only_numbers"] == ["+573005550199"]
    assert 'data-testid="call-button"' not in page
    assert heading in page and note in page


def test_a_debtor_with_no_number_at_all_is_told_apart(client, creditor, collector):
    debtor = DebtorFactory(creditor=creditor, timezone=DAY_ZONE)
    ContactPointFactory(debtor=debtor, channel="email", value="ana@example.com")
    debt = DebtFactory(creditor=creditor, debtor=debtor, assigned_to=collector)
    client.force_login(collector)

    page = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()

    assert "No phone number on file." in page
    assert "text messages only" not in page
