"""The managers' pages in Chromium, as a manager lives them: amounts per currency on the
assignment, approvals with their reasons and schedule, the dashboard's today band, the
reminder cadence as a form."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.dates import business_today
from portfolio.models import Stage
from tests.collections_app.workspace_helpers import callable_debt
from tests.e2e.conftest import log_in
from tests.factories.portfolio import (
    CreditorFactory,
)
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("contact_hours"),
]


def make_debt(creditor, ref, principal, currency="COP", stage=Stage.FIRM_NOTICE, collector=None):
    return callable_debt(
        creditor, ref, principal, collector=collector, currency=currency, stage=stage
    )


def test_assign_shows_each_currency_apart(live_server, page, screenshot):
    # Given open debts in COP, MXN and USD
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    ManagerFactory(username="directora", creditors=[creditor])
    CollectorFactory(username="ana", first_name="Ana", last_name="Ruiz")
    make_debt(creditor, "COP-1", "1000000")
    make_debt(creditor, "COP-2", "2500000")
    make_debt(creditor, "MXN-1", "15000", currency="MXN")
    make_debt(creditor, "USD-1", "300", currency="USD")

    # When the manager opens the assignment and previews it
    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}{reverse('collections:assign')}?stage=firm_notice")
    totals = page.get_by_test_id("selection-totals")
    # Then the selection shows one total per currency, never their sum
    expect(totals.locator("li")).to_have_count(3)
    expect(totals.locator("[data-currency=COP]")).to_contain_text("$3.500.000,00 (2 obligaciones)")
    expect(totals.locator("[data-currency=MXN]")).to_contain_text("MXN\u00a015.000,00")
    expect(totals.locator("[data-currency=USD]")).to_contain_text("US$300,00")
    expect(page.locator("main")).not_to_contain_text("3.515.300")
    page.get_by_label("Ana Ruiz").check()
    page.locator("form.card button.btn--primary").click()
    preview = page.get_by_test_id("preview")
    expect(preview.locator("[data-currency]")).to_have_count(3)
    expect(preview.locator("[data-currency=MXN]")).to_have_text("MXN\u00a015.000,00")
    expect(preview).not_to_contain_text("3.515.300")
    screenshot("managers-assign-currencies-es")

    # The same page in English
    page.locator(".langswitch button[value=en]").click()
    totals = page.get_by_test_id("selection-totals")
    expect(totals.locator("[data-currency=COP]")).to_contain_text("COP\u00a03,500,000.00")
    expect(totals.locator("[data-currency=USD]")).to_contain_text("$300.00")
    expect(page.locator("main")).not_to_contain_text("3,515,300")
    screenshot("managers-assign-currencies-en")


def sent_pre_legal_notice(debt, *, days_ago):
    """The pre-legal notice of `debt`, sent `days_ago` business days ago."""
    from django.utils import timezone

    from messaging.models import Message, MessageDebt

    sent = timezone.now() - datetime.timedelta(days=days_ago)
    message = Message.objects.create(
        creditor=debt.creditor,
        debtor=debt.debtor,
        channel="email",
        template="pre_legal_notice",
        stage=Stage.PRE_LEGAL,
        business_date=business_today() - datetime.timedelta(days=days_ago),
        planned_for=sent,
        sent_at=sent,
        status=Message.Status.SENT,
        idempotency_key=f"e2e-notice-{debt.pk}",
    )
    MessageDebt.objects.create(message=message, debt=debt)


def test_approvals_show_why_and_when_and_need_a_reason(live_server, page, screenshot):
    from agreements.models import AgreementStatus
    from agreements.services.lifecycle import agreement_create
    from collections_app.services.policies import policy_ensure_defaults
    from collections_app.services.workspace import legal_request

    # Given an agreement in 24 instalments (limit 12) and a legal request on a debt whose
    # pre-legal notice went out 3 days ago (the policy wants 10)
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    ManagerFactory(username="directora", creditors=[creditor])
    ana = CollectorFactory(username="ana", first_name="Ana", last_name="Ruiz")
    policy_ensure_defaults()
    debt = make_debt(creditor, "OBL-1", "1200000", collector=ana)
    agreement = agreement_create(
        user=ana,
        debt_ids=[debt.pk],
        as_of=business_today(),
        notes="",
        kind="instalment_plan",
        instalment_count=24,
        down_payment=Decimal("0"),
        first_due_date=business_today() + datetime.timedelta(days=7),
        frequency="monthly",
        channel="phone",
    )
    legal_debt = make_debt(creditor, "LEG-1", "5000000", stage=Stage.PRE_LEGAL, collector=ana)
    legal_debt.due_date = business_today() - datetime.timedelta(days=150)
    legal_debt.save(update_fields=["due_date"])
    sent_pre_legal_notice(legal_debt, days_ago=3)
    legal_request(user=ana, debt=legal_debt, reason="No responde", as_of=business_today())
    eligible_on = business_today() + datetime.timedelta(days=7)

    # When the manager opens the approvals
    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}{reverse('collections:approvals')}")
    card = page.locator(f"#agreement-{agreement.pk}")
    # Then the agreement says which limit it breaks and shows its schedule
    expect(card.locator("[data-limit=instalments]")).to_contain_text("24 cuotas; el límite es")
    expect(card.get_by_test_id("schedule").locator("tbody tr")).to_have_count(24)
    # and the legal request cannot be handed over yet: it says from which date
    row = page.locator("tr[data-debt='LEG-1']")
    expect(row.get_by_role("button", name="Pasar a jurídico")).to_be_disabled()
    expect(row.get_by_test_id("legal-from")).to_contain_text(
        f"{eligible_on.day}/{eligible_on.month}/{eligible_on.year}"
    )
    expect(row.get_by_test_id("legal-reasons")).to_contain_text("10 días")
    screenshot("managers-approvals-es")

    # Approving without a reason is refused, nothing changes
    card.get_by_role("button", name="Aprobar").click()
    expect(page.locator(".messages")).to_contain_text("Indique el motivo")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.PENDING_APPROVAL
    # With a reason it is approved on the same page, recorded with who decided
    page.locator(f"#agreement-{agreement.pk} textarea[name=reason]").fill("Cliente antiguo")
    page.locator(f"#agreement-{agreement.pk}").get_by_role("button", name="Aprobar").click()
    expect(page.locator("h1")).to_have_text("Aprobaciones")
    expect(page.locator(f"#agreement-{agreement.pk}")).to_have_count(0)
    agreement.refresh_from_db()
    last = agreement.changes.order_by("-id").first()
    assert agreement.status == AgreementStatus.ACTIVE
    assert (last.actor.username, last.reason) == ("directora", "Cliente antiguo")

    # The same page in English
    page.locator(".langswitch button[value=en]").click()
    row = page.locator("tr[data-debt='LEG-1']")
    expect(row.get_by_test_id("legal-from")).to_contain_text("Possible from")
    expect(row.get_by_role("button", name="Hand to legal")).to_be_disabled()
    screenshot("managers-approvals-en")


def test_dashboard_shows_today_live_without_snapshots(live_server, page, screenshot):
    from agreements.models import PromiseToPay
    from collections_app.models import Interaction
    from tests.analytics.helpers import pay
    from tests.factories.messaging import make_message

    # Given a fresh portfolio (no nightly snapshot yet) and a day of work
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    ManagerFactory(username="directora", creditors=[creditor])
    ana = CollectorFactory(username="ana", first_name="Ana", last_name="Ruiz")
    today = business_today()
    cop = make_debt(creditor, "COP-1", "1000000", collector=ana)
    usd = make_debt(creditor, "USD-1", "900", currency="USD")
    from django.utils import timezone

    Interaction.objects.create(
        debt=cop,
        debtor=cop.debtor,
        collector=ana,
        channel="call",
        outcome="promise_to_pay",
        occurred_at=timezone.now(),
    )
    PromiseToPay.objects.create(
        debt=cop,
        debtor=cop.debtor,
        amount=Decimal("300000"),
        currency="COP",
        promised_date=today + datetime.timedelta(days=5),
        channel="phone",
        made_on=today,
    )
    pay(cop, "200000", today, "T-1")
    pay(usd, "100", today, "T-2")
    for _ in range(3):
        make_message(debt=cop, business_date=today, status="suppressed", suppression_rule="CAP")

    # When the manager opens the dashboard
    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}{reverse('analytics:dashboard')}")
    band = page.get_by_test_id("today")
    # Then today's figures show, per currency
    expect(band.locator("[data-kpi=today-contacts] .summary__value")).to_have_text("1")
    payments = band.locator("[data-kpi=today-payments]")
    expect(payments.locator("[data-currency=COP]")).to_have_text("$200.000,00")
    expect(payments.locator("[data-currency=USD]")).to_have_text("US$100,00")
    expect(band.locator("[data-kpi=today-promises]")).to_contain_text("$300.000,00")
    expect(band.locator("[data-status=suppressed]")).to_contain_text("Suprimido: 3")
    screenshot("managers-dashboard-today-es")
    # and a payment figure drills down to the debts it counts
    payments.locator("[data-currency=USD]").click()
    expect(page.get_by_test_id("debt-count")).to_have_text("1")
    expect(page.locator("main")).to_contain_text("USD-1")
    expect(page.locator("main")).not_to_contain_text("COP-1")
    # the list says what the figure filtered by
    expect(page.get_by_test_id("applied-filters")).to_contain_text("Pagada desde")
    # and the promise figure to the debts promised today
    page.go_back()
    page.get_by_test_id("today").locator("[data-kpi=today-promises] [data-currency=COP]").click()
    expect(page.get_by_test_id("debt-count")).to_have_text("1")
    expect(page.locator("main")).to_contain_text("COP-1")
    expect(page.get_by_test_id("applied-filters")).to_contain_text("Promesa hecha desde")

    # The same dashboard in English
    page.go_back()
    page.locator(".langswitch button[value=en]").click()
    band = page.get_by_test_id("today")
    expect(band).to_contain_text("Payments received")
    expect(band.locator("[data-status=suppressed]")).to_contain_text("Suppressed: 3")
    screenshot("managers-dashboard-today-en")


def test_reminder_cadence_is_a_form_not_json(live_server, page, screenshot):
    from collections_app.models import EscalationPolicy
    from collections_app.services.cadence import cadence_rows
    from collections_app.services.policies import policy_ensure_defaults

    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    ManagerFactory(username="directora", creditors=[creditor])
    policy_ensure_defaults()
    policy = EscalationPolicy.objects.get(creditor=creditor)

    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}{reverse('collections:policy-edit', args=[policy.pk])}")
    cadence = page.get_by_test_id("cadence")
    # The reminders are rows of selects and fields, not a JSON text area
    expect(cadence.locator("textarea")).to_have_count(0)
    rows = cadence.locator("tbody tr.cadence-row")
    expect(rows).to_have_count(len(cadence_rows(policy.current_version.cadence)))
    expect(rows.first.locator("select[name$=stage]")).to_have_value("current")

    # A reminder on a day already used for that channel is refused, nothing saved
    page.get_by_role("button", name="Añadir un recordatorio").click()
    new = rows.last
    new.locator("select[name$=stage]").select_option("friendly_reminder")
    new.locator("select[name$=trigger]").select_option("dpd")
    new.locator("input[name$=day]").fill("5")
    new.locator("select[name$=channel]").select_option("email")
    new.locator("input[name$=template]").fill("friendly")
    page.locator("[name=change_note]").fill("Un correo más")
    page.get_by_role("button", name="Guardar como nueva versión").click()
    expect(page.locator(".cadence-row--error")).to_have_count(1)
    expect(page.locator(".cadence-row--error")).to_contain_text("sin repetir")
    screenshot("managers-cadence-error-es")
    assert policy.versions.count() == 1

    # Day 20 is after the others: saved as the JSON the cycle reads
    page.locator(".cadence-row--error input[name$=day]").fill("20")
    page.locator("[name=change_note]").fill("Un correo más")
    page.get_by_role("button", name="Guardar como nueva versión").click()
    expect(page.locator(".messages")).to_contain_text("versión 2")
    policy.refresh_from_db()
    assert policy.current_version.cadence["friendly_reminder"][-1] == {
        "dpd": [20],
        "channels": ["email"],
        "template": "friendly",
    }
    screenshot("managers-cadence-saved-es")

    page.locator(".langswitch button[value=en]").click()
    expect(page.get_by_role("button", name="Add a reminder")).to_be_visible()
    expect(page.get_by_test_id("cadence").locator("thead")).to_contain_text("Template code")
    screenshot("managers-cadence-en")
