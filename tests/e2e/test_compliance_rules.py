"""The contact-rules page in Chromium: a manager tightens Colombia's hours for her creditor,
tries a looser window and gets the legal bound as an error, then sees the rule in force."""

import pytest
from playwright.sync_api import expect

from messaging.models import ComplianceOverride
from tests.e2e.conftest import log_in
from tests.factories.portfolio import CreditorFactory
from tests.factories.users import ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_tightens_the_colombian_window(live_server, page, screenshot):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    ManagerFactory(username="directora", creditors=[creditor])
    log_in(page, live_server, "directora")
    page.get_by_role("link", name="Reglas de contacto").click()
    expect(page.locator("h1")).to_have_text("Reglas de contacto")
    expect(page.locator("body")).to_contain_text("Ley 2300 de 2023")
    screenshot("compliance-rules-es")

    page.get_by_role("link", name="Hacer una regla más estricta").click()
    page.get_by_label("Regla").select_option("CO-WINDOW")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_label("lunes")).to_have_value("07:00-19:00")
    page.get_by_label("lunes").fill("06:00-18:00")
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator(".field-error").first).to_contain_text("07:00-19:00")
    screenshot("compliance-override-error-es")
    assert not ComplianceOverride.objects.exists()

    for day in ("lunes", "martes", "miércoles", "jueves", "viernes"):
        page.get_by_label(day).fill("08:00-18:00")
    page.get_by_label("Por qué").fill("Política del banco")
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator(".messages")).to_contain_text("CO-WINDOW para Banco Andino guardada")
    expect(page.locator("#overrides")).to_contain_text("CO-WINDOW")
    expect(page.locator("body")).to_contain_text("más estricta")
    assert ComplianceOverride.objects.get().params["weekly"][0] == [["08:00", "18:00"]]
    screenshot("compliance-rules-override-es")


def test_manager_tries_a_contact_on_a_colombian_saturday(live_server, page, screenshot):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    ManagerFactory(username="directora", creditors=[creditor])
    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}/messaging/compliance/")
    page.get_by_role("link", name="Probar un contacto").click()
    page.locator("#id_channel").select_option("sms")
    page.get_by_label("Fecha local").fill("2026-12-05")
    page.get_by_label("Hora local").fill("15:01")
    page.get_by_role("button", name="Verificar este contacto").click()
    result = page.locator("#try-result")
    expect(result).to_contain_text("no permitido")
    expect(result).to_contain_text("CO-WINDOW")
    expect(result).to_contain_text("lunes 7 diciembre 2026, 07:00")
    screenshot("compliance-try-es")
    page.get_by_label("Fechas de los avisos").fill("2026-11-01")
    page.get_by_label("Fecha del reporte").fill("2026-11-20")
    page.get_by_label("Saldo adeudado").fill("5000000")
    page.get_by_role("button", name="Verificar el reporte").click()
    expect(page.locator("#bureau-result")).to_contain_text("CO-BUREAU")
    expect(page.locator("#bureau-result")).to_contain_text("2026-11-21")
    screenshot("compliance-bureau-es")
    page.get_by_role("button", name="EN").click()
    expect(page.locator("h1")).to_have_text("Try a contact")
    screenshot("compliance-try-en")
