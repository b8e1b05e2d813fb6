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


IMPORT_SAID = {
    "es": {
        "file": "Modo estricto: no se escribió nada porque algunas filas no son válidas.",
        "row": "La moneda USD no coincide con la moneda de la deuda, COP.",
        "future": "La hora del pago no puede estar en el futuro.",
    },
    "en": {
        "file": "Strict mode: nothing was written because some rows are invalid.",
        "row": "Currency USD does not match the debt's currency COP.",
        "future": "Payment time cannot be in the future.",
    },
}


def test_an_imports_errors_follow_the_viewers_language(live_server, page, tmp_path, settings):
    from decimal import Decimal

    from imports.models import ImportBatch
    from imports.services.payments_file import payments_import_run
    from imports.services.portfolio_file import import_batch_create

    settings.MEDIA_ROOT = tmp_path / "media"
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    ManagerFactory(username="directora", creditors=[creditor])
    DebtFactory(creditor=creditor, debt_ref="OBL-1", principal=Decimal("100.00"), currency="COP")
    # A strict payments file with a currency mismatch and a payment in the future, run by a
    # worker in Spanish
    path = tmp_path / "pagos.csv"
    path.write_text(
        "debt_ref,amount,currency,paid_at,method,reference\n"
        "OBL-1,10.00,USD,2026-11-02T09:00:00Z,pse,P-1\n"
        "OBL-1,10.00,COP,2999-01-01T09:00:00Z,pse,P-2\n",
        encoding="utf-8",
    )
    with translation.override("es"):
        batch = payments_import_run(
            batch=import_batch_create(
                kind=ImportBatch.Kind.PAYMENTS, creditor=creditor, path=path, strict=True
            )
        )
    assert batch.status == ImportBatch.Status.REJECTED

    log_in(page, live_server, "directora")
    url = f"{live_server.url}{reverse('imports:import-detail', args=[batch.pk])}"
    for language, switch in (("es", None), ("en", "EN")):
        page.goto(url)
        if switch:
            page.get_by_role("button", name=switch, exact=True).click()
            page.goto(url)
        main = page.locator("main")
        for text in IMPORT_SAID[language].values():
            expect(main).to_contain_text(text)
        other = IMPORT_SAID["en" if language == "es" else "es"]
        shown = main.inner_text()
        for text in other.values():
            assert text not in shown, (language, text)
        assert "payment.currency_mismatch" not in shown and "import.strict" not in shown
