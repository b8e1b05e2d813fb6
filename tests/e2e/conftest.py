"""Browser fixtures: Playwright (sync API) driving Debian's Chromium; never `playwright install`."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (factories, assertions) are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 768}
TABLET = {"width": 820, "height": 1180}
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def require_chromium(path: str = CHROMIUM) -> None:
    """Fail the browser tests with one line that says what to do when Chromium is missing."""
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"Chromium is not at {path}: `make test` installs it (Debian's chromium package, "
            "apt-get install chromium), or leave the browser tests out with -m 'not e2e'.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # A Colombian browser: Accept-Language es-CO, so pages start in Spanish as in production.
    context = browser.new_context(viewport=DESKTOP, locale="es-CO", timezone_id="America/Bogota")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot as var/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page, live_server, username):
    """Sign a staff user in through the Spanish login page (factories' password)."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill("pass-1234")
    page.get_by_role("button", name="Iniciar sesión").click()


def in_language(page, language):
    """Staff pages start in Spanish (the browser's es-CO); switch the page to English when
    `language` is "en", through the header's language switch."""
    if language == "en":
        page.locator(".topbar .langswitch button[value=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
