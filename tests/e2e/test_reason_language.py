"""In Chromium, in Spanish and in English: the debt page's history and the outbox give the
reasons the cycle recorded (written under Spanish) in the viewer's language, and no raw codes
(stages, transitions, templates) show where their labels belong."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from collections_app.services.cycle import cycle_run_date
from core.dates import business_today
from tests.e2e.test_escalation import log_in
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RAW_CODES = (
    "pre_legal",
    "friendly_reminder",
    "firm_notice",
    "send_firm_notice",
    "send_friendly_reminder",
    "message.",
    "compliance.",
)
SAID = {
    "es": {
        "stage": "Ciclo diario: los días de mora alcanzaron el umbral de la política",
        "consent": "Contacto solo por los canales que el deudor autorizó",
    },
    "en": {
        "stage": "Daily cycle: days past due reached the policy threshold",
        "consent": "Contact only through channels the debtor authorised",
    },
}


def test_history_and_outbox_reasons_follow_the_viewers_language(live_server, page):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    ManagerFactory(username="directora", creditors=[creditor])
    today = business_today()
    # A debt 20 days late whose debtor never consented to e-mail: the cycle (run in Spanish)
    # moves it to firm notice and the consent rule stops its e-mail.
    debt = DebtFactory(creditor=creditor, due_date=today - datetime.timedelta(days=20))
    ContactPointFactory(debtor=debt.debtor, channel="email", consent_granted=False)
    with translation.override("es"):
        cycle_run_date(business_date=today)
    debt.refresh_from_db()
    assert debt.stage == "firm_notice"

    log_in(page, live_server, "directora")
    urls = {
        "debt": f"{live_server.url}{reverse('portfolio:debt-detail', args=[debt.pk])}",
        "outbox": f"{live_server.url}{reverse('messaging:outbox')}?date={today.isoformat()}",
    }
    for language, switch in (("es", None), ("en", "EN")):
        if switch:
            page.goto(urls["debt"])
            page.get_by_role("button", name=switch, exact=True).click()
        page.goto(urls["debt"])
        main = page.locator("main")
        expect(main).to_contain_text(SAID[language]["stage"])
        debt_text = main.inner_text()
        page.goto(urls["outbox"])
        expect(page.locator("main")).to_contain_text(SAID[language]["consent"])
        outbox_text = page.locator("main").inner_text()
        other = "en" if language == "es" else "es"
        for text in (debt_text, outbox_text):
            assert SAID[other]["stage"] not in text
            assert SAID[other]["consent"] not in text
            for code in RAW_CODES:
                assert code not in text, (language, code)
