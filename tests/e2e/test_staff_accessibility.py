"""Staff pages pass axe-core, and a table that scrolls sideways can be scrolled from the keyboard.

A sweep with axe-core of every page a manager, a collector, a lawyer and a complaints officer
reach from `make run`'s demo (es and en, 1366 and 390 px) found:
- the legal KPIs' per-firm table (and on a phone an experiment's results, which htmx brings)
  scrolling in a wrap that no keyboard could reach (serious: scrollable-region-focusable):
  every `.table-wrap` whose table is wider than it now becomes a focusable group named by its
  card's heading (static/js/tables.js), and stops being one when the table fits again;
- the dashboard's aging chart and aging table both labelled by one id (`aging-title`);
- the contact tester's two results as two landmarks of one name ("Result");
- three tables with an empty column header (the debt statement's, the tasks' and the legal
  escalations');
- the roll-rate matrix's links in the brand colour on its deepest shades, 3.0:1 (serious:
  color-contrast); they now take the text colour.
Looking at the matrix in Spanish then showed it unshaded: its rate went into the CSS as "1,0".
Each case here failed before its fix.
"""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from collections_app.services.workspace import legal_request
from core.dates import business_today
from portfolio.models import Task
from portfolio.services.tasks import task_create
from tests.e2e.conftest import (
    DESKTOP,
    PHONE_390,
    STAFF_BROWSER,
    axe_findings,
    in_language,
    legal_kpis_url,
    log_in,
)
from tests.factories.experiments import make_experiment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["es", "en"]
EVERY_IMPACT = ("minor", "moderate", "serious", "critical")


@pytest.fixture
def staff_page(new_page):
    """Opens a staff page in a context that lets axe-core in (bypass_csp: it is injected
    inline)."""

    def open_page(viewport=DESKTOP):
        return new_page(**{**STAFF_BROWSER, "viewport": viewport}, bypass_csp=True)

    return open_page


@pytest.mark.parametrize("language", LANGUAGES)
def test_manager_and_collector_pages_have_no_axe_violations(
    live_server, staff_page, staff_book, language
):
    big = staff_book["big"]
    collector = big.assigned_to
    task_create(
        debt=big,
        kind=Task.Kind.CALLBACK,
        title="Llamar de nuevo",
        due_at=timezone.now() + datetime.timedelta(hours=2),
        assigned_to=collector,
    )
    legal_request(user=collector, debt=big, reason="No responde", as_of=business_today())
    visits = {
        "directora": {
            "dashboard": reverse("analytics:dashboard"),
            "contact tester": reverse("messaging:compliance-try"),
            "statement": reverse("ledger:debt-statement", args=[big.pk]),
            "approvals": reverse("collections:approvals"),
            "legal KPIs": legal_kpis_url(),
        },
        "gestor": {
            "tasks": reverse("collections:tasks"),
            "queue": reverse("collections:queue"),
            "case": reverse("portfolio:debt-detail", args=[big.pk]),
        },
    }
    findings: list[str] = []
    for username, pages in visits.items():
        page = staff_page()
        log_in(page, live_server, username)
        in_language(page, language)
        for name, url in pages.items():
            page.goto(f"{live_server.url}{url}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            findings += axe_findings(page, f"{username} {name}", impacts=EVERY_IMPACT)
            if name == "dashboard":
                # The roll-rate matrix shades each cell by its rate (a CSS number: "1.0" in
                # every language; Spanish's "1,0" drew no shade at all).
                shade = page.locator("td.heat").first.evaluate(
                    "td => getComputedStyle(td).backgroundColor"
                )
                assert shade not in ("rgba(0, 0, 0, 0)", "transparent"), shade
    assert findings == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_table_that_scrolls_sideways_takes_the_keyboard(
    live_server, staff_page, staff_book, language
):
    page = staff_page(PHONE_390)
    log_in(page, live_server, "directora")
    in_language(page, language)
    page.goto(f"{live_server.url}{legal_kpis_url()}")
    heading = {"es": "Por acreedor y firma de abogados", "en": "Per creditor and law firm"}[
        language
    ]
    wrap = page.locator(".table-wrap", has=page.locator("#kpis-firms"))
    expect(wrap).to_have_attribute("tabindex", "0")
    expect(wrap).to_have_attribute("role", "group")
    expect(wrap).to_have_accessible_name(heading)
    # Tab reaches it, and the arrow keys scroll it (no link or field in it to land on).
    assert wrap.evaluate("w => w.scrollLeft") == 0
    wrap.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('#kpis-firms').parentElement.scrollLeft > 0"
    )
    assert axe_findings(page, f"legal KPIs at {PHONE_390['width']} px", impacts=EVERY_IMPACT) == []
    # Wide enough for the per-creditor table, its wrap is no tab stop: it has nothing to scroll.
    narrow = page.locator(".table-wrap", has=page.locator("#kpis-creditors"))
    expect(narrow).to_have_attribute("tabindex", "0")
    page.set_viewport_size({"width": 2400, "height": 900})
    expect(narrow).not_to_have_attribute("tabindex", "0")
    expect(narrow).not_to_have_attribute("role", "group")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_wide_table_htmx_swaps_in_takes_the_keyboard_too(
    live_server, staff_page, staff_book, language
):
    # An experiment's results arrive after the page, through htmx.
    manager = User.objects.get(username="directora")
    experiment = make_experiment(user=manager, creditor=staff_book["big"].creditor)
    page = staff_page(PHONE_390)
    log_in(page, live_server, "directora")
    in_language(page, language)
    page.goto(f"{live_server.url}{reverse('experiments:detail', args=[experiment.pk])}")
    wrap = page.locator("#experiment-results .table-wrap")
    expect(wrap).to_have_attribute("tabindex", "0")
    expect(wrap).to_have_accessible_name({"es": "Resultados", "en": "Results"}[language])
    assert axe_findings(page, "experiment", impacts=EVERY_IMPACT) == []
