"""The 403, 404 and 500 pages in Chromium, in Spanish and in English: the staff look with a way
back to the collector's queue, the portal's look (on a phone) with a way back to the portal."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, SCREENSHOTS
from tests.factories.users import CollectorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
TEXT = {
    "es": {
        "404": "No encontramos esta página",
        "403": "No puede abrir esta página",
        "403 why": "Solo los directores de cobranza y los administradores pueden abrir",
        "500": "Algo falló de nuestro lado",
        "queue": "Ir a mi cartera",
        "start": "Volver al inicio",
        "portal 403": "Esta página no está disponible",
        "portal start": "Ir al inicio del portal",
        "portal 500 call": "Si vuelve a pasar, llámanos al +57 601 555 0100.",
        "portal back": "Volver al portal",
        "portal home": "Consulta y paga tus deudas",
    },
    "en": {
        "404": "We could not find this page",
        "403": "You cannot open this page",
        "403 why": "Only managers and administrators may open this page.",
        "500": "Something went wrong on our side",
        "queue": "Go to my work queue",
        "start": "Back to the start",
        "portal 403": "This page is not available",
        "portal start": "Go to the portal start",
        "portal 500 call": "If it keeps happening, call us at +57 601 555 0100.",
        "portal back": "Back to the portal",
        "portal home": "See and pay your debts",
    },
}


@pytest.fixture
def failing_pages(settings):
    # The project's URLs plus /boom/, /portal/boom/ (a bug) and /portal/forbidden/ (a 403).
    settings.ROOT_URLCONF = "tests.error_urls"


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def heading(page):
    return page.get_by_role("heading", level=1)


@pytest.mark.parametrize(("locale", "lang"), [("es-CO", "es"), ("en-US", "en")])
def test_error_pages_in_both_looks_and_languages(live_server, browser, failing_pages, locale, lang):
    text = TEXT[lang]
    collector = CollectorFactory(username="gestor")
    staff = browser.new_context(viewport=DESKTOP, locale=locale, timezone_id="America/Bogota")
    page = staff.new_page()
    page.set_default_timeout(15_000)

    # A page that does not exist: the staff look, in the browser's language
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    expect(heading(page)).to_have_text(text["404"])
    expect(page.locator("html")).to_have_attribute("lang", lang)
    shot(page, f"error-staff-404-{lang}")

    # A collector on a manager's page: what was refused and why, and the way to their queue
    client = Client()
    client.force_login(collector)
    staff.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    response = page.goto(f"{live_server.url}/collections/assign/")
    assert response.status == 403
    expect(heading(page)).to_have_text(text["403"])
    expect(page.get_by_text(text["403 why"])).to_be_visible()
    shot(page, f"error-staff-403-{lang}")
    page.get_by_role("link", name=text["queue"]).click()
    expect(page).to_have_url(f"{live_server.url}/collections/")

    # A bug: the 500 page, still styled and translated, with a way back
    response = page.goto(f"{live_server.url}/boom/")
    assert response.status == 500
    expect(heading(page)).to_have_text(text["500"])
    expect(page.get_by_role("link", name=text["start"])).to_have_attribute("href", "/")
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") != "none"
    shot(page, f"error-staff-500-{lang}")
    staff.close()

    # The same three in the portal, on a debtor's phone
    portal = browser.new_context(
        viewport=PHONE, locale=locale, timezone_id="America/Bogota", is_mobile=True
    )
    page = portal.new_page()
    page.set_default_timeout(15_000)
    response = page.goto(f"{live_server.url}/portal/no-such-page/")
    assert response.status == 404
    expect(heading(page)).to_have_text(text["404"])
    expect(page.locator(".p-header")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, f"error-portal-404-{lang}")
    page.get_by_role("link", name=text["portal start"]).click()
    expect(heading(page)).to_have_text(text["portal home"])

    response = page.goto(f"{live_server.url}/portal/forbidden/")
    assert response.status == 403
    expect(heading(page)).to_have_text(text["portal 403"])
    shot(page, f"error-portal-403-{lang}")

    response = page.goto(f"{live_server.url}/portal/boom/")
    assert response.status == 500
    expect(heading(page)).to_have_text(text["500"])
    expect(page.get_by_text(text["portal 500 call"])).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, f"error-portal-500-{lang}")
    page.get_by_role("link", name=text["portal back"]).click()
    expect(heading(page)).to_have_text(text["portal home"])
    portal.close()
