"""The KPI dashboard in Chromium: a manager opens it, filters by creditor, drills into a figure."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.analytics.helpers import pay, run
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

D = datetime.date
PERIOD = "date_from=2026-11-01&date_to=2026-11-30"


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pass-1234")
    page.locator("button.btn--block[type=submit]").click()


@pytest.fixture
def portfolio_with_history(db):
    andino = CreditorFactory(code="banco-andino", name="Banco Andino")
    finzo = CreditorFactory(code="finzo", name="Finzo", country="MX")
    ManagerFactory(username="directora", creditors=[andino, finzo])
    collector = CollectorFactory(username="gestor", first_name="Ana", last_name="Ruiz")
    debts = []
    for n, (due, balance) in enumerate(
        [(D(2026, 10, 20), "1200000"), (D(2026, 9, 10), "3400000"), (D(2026, 6, 1), "8000000")]
    ):
        debts.append(
            DebtFactory(
                creditor=andino,
                debt_ref=f"AND-{n}",
                principal=Decimal(balance),
                interest=0,
                fees=0,
                due_date=due,
                assigned_to=collector,
            )
        )
    mx = DebtFactory(
        creditor=finzo,
        debt_ref="FZ-1",
        currency="MXN",
        principal=Decimal("15000"),
        interest=0,
        fees=0,
        due_date=D(2026, 10, 25),
    )
    run(D(2026, 10, 31))
    pay(debts[0], "200000", D(2026, 11, 5), "E2E-1")
    pay(mx, "3000", D(2026, 11, 8), "E2E-2")
    run(D(2026, 11, 5))
    run(D(2026, 11, 8))
    pay(debts[1], "400000", D(2026, 11, 18), "E2E-3")
    run(D(2026, 11, 18))
    run(D(2026, 11, 30))
    return andino


def test_manager_filters_by_creditor_and_drills_into_the_aging(
    live_server, page, screenshot, portfolio_with_history
):
    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}{reverse('analytics:dashboard')}?{PERIOD}")
    # Both creditors: one headline row per currency, never added together.
    expect(page.locator(".kpi-stats")).to_have_count(2)
    expect(page.locator('.kpi-stats[data-currency="MXN"]')).to_contain_text("MXN\u00a03.000,00")
    page.wait_for_function("document.querySelector('canvas.chart-collected').width > 0")
    screenshot("dashboard-all-es")

    # Filter by creditor: Banco Andino only (COP).
    page.locator("#id_creditor").select_option("banco-andino")
    page.locator("#kpi-filters button[type=submit]").click()
    expect(page.locator(".kpi-stats")).to_have_count(1)
    cop = page.locator('.kpi-stats[data-currency="COP"]')
    expect(cop).to_contain_text("$600.000,00")
    expect(page.locator("#table-collectors")).to_contain_text("Ana Ruiz")
    screenshot("dashboard-andino-es")

    # Drill down: the debts in the 31-60 bucket of the aging table.
    row = page.locator("#table-aging tr", has_text="31-60")
    row.get_by_role("link").click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("portfolio:debt-list")) + r"\?.*aging=31-60")
    )
    expect(page.locator("main")).to_contain_text("AND-0")
    expect(page.locator("main")).not_to_contain_text("FZ-1")
    screenshot("dashboard-drilldown-es")

    # The same dashboard in English (language switch in the top bar).
    page.go_back()
    page.locator(".langswitch button[value=en]").click()
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("main")).to_contain_text("Roll rates")
    page.wait_for_function("document.querySelector('#chart-aging').width > 0")
    screenshot("dashboard-andino-en")


def test_manager_previews_and_adds_a_segment(live_server, page, screenshot, portfolio_with_history):
    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}{reverse('analytics:segment-list')}")
    page.locator("a[href='?preview=1']").click()
    expect(page.locator("#segments")).to_contain_text("→")
    screenshot("segments-preview-es")
    page.locator(f"a[href='{reverse('analytics:segment-new')}']").click()
    page.locator("#id_creditor").select_option(label="Banco Andino")
    page.locator("#id_code").fill("vip")
    page.locator("#id_name").fill("Clientes VIP")
    page.locator("#id_priority").fill("5")
    page.locator("#id_rules-0-balance_min").fill("5000000")  # no currency: refused
    page.locator("form.form-stack button[type=submit]").click()
    expect(page.locator(".rule-card")).to_contain_text("Un rango de saldo necesita su moneda")
    screenshot("segment-edit-error-es")
    page.locator("#id_rules-0-currency").fill("COP")
    page.locator("form.form-stack button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Clientes VIP")
    expect(page.locator("#segments tbody tr").first).to_contain_text("Clientes VIP")

    # The debt page shows the segment and the debtor's behaviour score with its reasons.
    from portfolio.models import Debt

    debt = Debt.objects.get(debt_ref="AND-0")
    page.goto(f"{live_server.url}{reverse('portfolio:debt-detail', args=[debt.pk])}#segment")
    panel = page.locator("#segment")
    expect(panel).to_contain_text("Puntaje de comportamiento")
    expect(panel).to_contain_text("Antigüedad del último pago")
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot("debt-segment-es").parent / "debt-segment-panel-es.png"))


def test_manager_sees_promises_and_the_message_funnel(
    live_server, page, screenshot, portfolio_with_history
):
    from agreements.models import PromiseToPay
    from analytics.services.snapshots import collection_days_backfill
    from portfolio.models import Debt
    from tests.analytics.helpers import at
    from tests.factories.messaging import make_message

    first, _second, third = Debt.objects.filter(debt_ref__startswith="AND-").order_by("debt_ref")
    for debt, made, due, status in (
        (first, D(2026, 11, 1), D(2026, 11, 4), "kept"),  # paid Nov 5, within the grace
        (third, D(2026, 11, 10), D(2026, 11, 12), "broken"),  # never paid
    ):
        PromiseToPay.objects.create(
            debt=debt,
            debtor=debt.debtor,
            amount=Decimal("200000"),
            currency="COP",
            promised_date=due,
            grace_days=2,
            channel="phone",
            status=status,
            made_on=made,
        )
    day = D(2026, 11, 3)
    make_message(debt=first, business_date=day, status="delivered", sent_at=at(day, 9))
    make_message(
        debt=third,
        business_date=day,
        channel="sms",
        template="firm_notice",
        status="suppressed",
        suppression_rule="CO-WINDOW",
    )
    collection_days_backfill(start=D(2026, 11, 1), end=D(2026, 11, 30))

    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}{reverse('analytics:dashboard')}?{PERIOD}&creditor=banco-andino")
    promises = page.locator('.kpi-stats[data-kind="promises"]')
    expect(promises.locator('[data-kpi="promise-kept-rate"]')).to_have_text(re.compile(r"50,0\s?%"))
    expect(promises).to_contain_text("1 cumplidas, 1 incumplidas")
    funnel = page.locator("#table-funnel-COP")
    expect(funnel.locator('[data-kpi="messages-followed"]')).to_contain_text(
        re.compile(r"1 \(100,0\s?%\)")
    )
    expect(page.locator("#table-suppressions")).to_contain_text("CO-WINDOW")
    expect(page.locator("main")).not_to_contain_text("Tasa de promesas cumplidas: necesita")
    promises.scroll_into_view_if_needed()
    screenshot("dashboard-promises-es")
    funnel.scroll_into_view_if_needed()
    page.screenshot(
        path=str(screenshot("dashboard-funnel-es").parent / "dashboard-funnel-view-es.png")
    )

    page.locator(".langswitch button[value=en]").click()
    expect(page.locator('.kpi-stats[data-kind="promises"]')).to_contain_text("1 kept, 1 broken")
    expect(page.locator("main")).to_contain_text("Messages: from planned to paid")
    screenshot("dashboard-promises-en")


def test_manager_sees_contact_rates_and_drills_into_the_debts(
    live_server, page, screenshot, portfolio_with_history
):
    from analytics.services.snapshots import collection_days_backfill
    from collections_app.models import Interaction
    from portfolio.models import Debt
    from tests.analytics.helpers import at

    # 10 attempts by Ana in November: 6 reached a person, 4 RPCs, 2 promises; an SMS she
    # sent by hand is logged but is no attempt.
    first, second, _third = Debt.objects.filter(debt_ref__startswith="AND-").order_by("debt_ref")
    ana = first.assigned_to
    outcomes = [
        ("call", "no_answer"),
        ("call", "no_answer"),
        ("call", "wrong_number"),
        ("call", "no_answer"),
        ("call", "third_party"),
        ("visit", "third_party"),
        ("call", "right_party_contact"),
        ("call", "refused"),
        ("call", "promise_to_pay"),
        ("visit", "promise_to_pay"),
        ("sms", "callback_requested"),
    ]
    for n, (channel, outcome) in enumerate(outcomes):
        debt = first if n % 2 else second
        Interaction.objects.create(
            debt=debt,
            debtor=debt.debtor,
            collector=ana,
            channel=channel,
            outcome=outcome,
            occurred_at=at(D(2026, 11, 10 + n % 3), 10 + n % 5),
        )
    collection_days_backfill(start=D(2026, 11, 1), end=D(2026, 11, 30))

    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}{reverse('analytics:dashboard')}?{PERIOD}&creditor=banco-andino")
    contacts = page.locator('.kpi-stats[data-kind="contacts"]')
    expect(contacts.locator('[data-kpi="contact-rate"]')).to_have_text(re.compile(r"60,0\s?%"))
    expect(contacts.locator('[data-kpi="rpc-rate"]')).to_have_text(re.compile(r"40,0\s?%"))
    expect(contacts.locator('[data-kpi="promise-rate"]')).to_have_text(re.compile(r"50,0\s?%"))
    expect(contacts).to_contain_text("Intentos de contacto (COP)")
    collectors = page.locator("#table-collectors")
    expect(
        collectors.locator("tr", has_text="Ana Ruiz").locator('[data-col="attempts"]')
    ).to_have_text("10")
    expect(page.locator("main")).not_to_contain_text("Aún no se mide")
    screenshot("dashboard-contacts-es")
    page.locator("#contacts-title").scroll_into_view_if_needed()
    page.screenshot(
        path=str(screenshot("dashboard-contacts-es").parent / "dashboard-contacts-view-es.png")
    )

    # Field visits only: 2 attempts, both reached someone, one RPC that ended in a promise.
    page.locator("#id_channel").select_option("visit")
    page.locator("#kpi-filters button[type=submit]").click()
    contacts = page.locator('.kpi-stats[data-kind="contacts"]')
    expect(contacts.locator('[data-kpi="contact-rate"]')).to_have_text(re.compile(r"100,0\s?%"))
    expect(contacts.locator('[data-kpi="promise-rate"]')).to_have_text(re.compile(r"100,0\s?%"))

    # Drill down: the debts behind the RPC rate (visits: the promise was on AND-0).
    contacts.locator('[data-kpi="rpc-rate"]').click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("portfolio:debt-list")) + r"\?.*contact=rpc")
    )
    expect(page.locator("main")).to_contain_text("AND-0")
    expect(page.locator("main")).not_to_contain_text("AND-1")
    screenshot("dashboard-contacts-drilldown-es")

    page.go_back()
    page.locator(".langswitch button[value=en]").click()
    expect(page.locator("main")).to_contain_text("Contacts: from attempt to promise")
    screenshot("dashboard-contacts-en")


def test_one_weekly_chart_per_currency_and_a_filter_bar_with_real_labels(
    live_server, page, screenshot, portfolio_with_history
):
    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}{reverse('analytics:dashboard')}?{PERIOD}")
    # COP and MXN each get their own weekly chart (never two currencies on one chart)
    expect(page.locator("canvas.chart-collected")).to_have_count(2)
    expect(page.locator("#collected-title")).to_have_text("Recaudo por semana")
    page.wait_for_function(
        "[...document.querySelectorAll('canvas.chart-collected')].every(c => c.width > 0)"
    )
    # The filters say "All", name people, and offer the books' currencies
    expect(page.locator("#id_creditor option").first).to_have_text("Todos")
    expect(page.locator("#id_collector option", has_text="Ana Ruiz")).to_have_count(1)
    currencies = page.locator("#id_currency option")
    expect(currencies).to_have_text(["Todos", "COP", "MXN"])
    page.locator("#id_currency").select_option("MXN")
    page.locator("#kpi-filters button[type=submit]").click()
    expect(page.locator("canvas.chart-collected")).to_have_count(1)
    expect(page.locator("canvas.chart-collected")).to_have_attribute("data-currency", "MXN")
    page.wait_for_function("document.querySelector('canvas.chart-collected').width > 0")
    screenshot("managers-dashboard-charts-es")

    page.locator(".langswitch button[value=en]").click()
    expect(page.locator("#collected-title")).to_have_text("Collected per week")
    expect(page.locator("#id_creditor option").first).to_have_text("All")
    screenshot("managers-dashboard-charts-en")
