"""Staff pages never widen the screen: a wide table scrolls inside its card, long links in a
message wrap, and on a phone the charts, the experiment and policy forms, the case header and a
legal case's number fit its width.

Each case failed before its fix: the legal KPIs' per-firm table ran past its card and the page
at 1366 px; tomorrow's preview let a payment link run off the page; on a phone the dashboard's
charts kept a 420 px column, the visually hidden labels in the experiment's arms table were
placed against the page (not the table's scrolling wrap) and widened it, and the case header
kept the balance and the stage side by side, its eight outcome keys sat four to a row,
their labels running past the keys, and a policy's reminders table widened the editor's
one-column grid (`1fr` is at least as wide as its content); a lawyer's case page kept its
23-digit case number on one line; the page that starts making a rule stricter cut each rule's
description at the 14rem every select is held to, and opened on "This field is required".
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from complaints.models import Complaint
from portfolio.models import Creditor
from tests.complaints.helpers import debt_with_email, file_complaint
from tests.e2e.conftest import DESKTOP, PHONE_390, TABLET, in_language, legal_kpis_url, log_in
from tests.factories.users import OfficerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["es", "en"]


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def andino_officer(**names):
    """staff_book's Banco Andino and a complaints officer `quejas` working its complaints."""
    creditor = Creditor.objects.get(code="banco-andino")
    return creditor, OfficerFactory(username="quejas", creditors=[creditor], **names)


def assert_longest_choice_reads_whole(select) -> None:
    """Choose the select's longest option and check its text fits the box (40 px: the
    padding and the arrow)."""
    longest = select.evaluate(
        """s => {
            const o = [...s.options].reduce((a, b) => (b.text.length > a.text.length ? b : a));
            s.value = o.value;
            const c = document.createElement("canvas").getContext("2d");
            c.font = getComputedStyle(s).font;
            return {option: o.text, text: c.measureText(o.text).width, box: s.clientWidth};
        }"""
    )
    assert longest["text"] + 40 <= longest["box"], longest


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_legal_kpis_tables_scroll_inside_their_cards(
    live_server, page, screenshot, staff_book, language
):
    log_in(page, live_server, "directora")
    in_language(page, language)
    for viewport in (DESKTOP, TABLET):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}{legal_kpis_url()}")
        firms = page.locator("#kpis-firms")
        expect(firms).to_contain_text("Cobranza Jurídica Andina")
        assert page_width(page) <= viewport["width"]
        # the table is as wide as its columns need, inside a wrap that scrolls
        assert firms.evaluate("t => t.parentElement.classList.contains('table-wrap')")
        card = page.locator("section.card", has=firms).bounding_box()
        wrap = page.locator(".table-wrap", has=firms).bounding_box()
        assert wrap["x"] + wrap["width"] <= card["x"] + card["width"]
    page.set_viewport_size(DESKTOP)
    screenshot(f"legal-kpis-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_phone_the_staff_pages_fit_the_screen(
    live_server, page, screenshot, staff_book, language
):
    log_in(page, live_server, "directora")
    in_language(page, language)
    page.set_viewport_size(PHONE_390)
    pages = {
        "dashboard": reverse("analytics:dashboard"),
        "tomorrow": reverse("messaging:tomorrow"),
        "experiment-new": reverse("experiments:new"),
        "debt": reverse("portfolio:debt-detail", args=[staff_book["big"].pk]),
        "policy-new": reverse("collections:policy-new"),
        "policy": reverse("collections:policy-edit", args=[staff_book["policy"].pk]),
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        if name == "dashboard":
            page.wait_for_function("document.querySelector('canvas.chart-collected').width > 0")
        if name == "tomorrow":
            # a sample message, its long links wrapped inside its box
            expect(page.locator(".message-body").first).to_contain_text("/portal/")
        assert page_width(page) <= PHONE_390["width"], name
        if name == "debt":
            # each outcome key holds its whole label
            keys = page.locator(".outcome-key")
            expect(keys).to_have_count(8)
            assert (
                keys.evaluate_all("ks => ks.filter(k => k.scrollWidth > k.clientWidth).length") == 0
            )
        screenshot(f"phone-{name}-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_phone_a_lawyers_case_fits_with_its_case_number(
    live_server, page, screenshot, staff_book, language
):
    log_in(page, live_server, "abogada")
    in_language(page, language)
    page.set_viewport_size(PHONE_390)
    page.goto(f"{live_server.url}{reverse('legal:case-detail', args=[staff_book['case'].pk])}")
    expect(page.get_by_test_id("case-number")).to_have_text("11001310300312026000001")
    assert page_width(page) <= PHONE_390["width"]
    screenshot(f"phone-legal-case-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_complaints_queue_shows_every_column_on_a_laptop(
    live_server, page, screenshot, staff_book, language
):
    # the queue a complaints officer works all day: each complaint's number and debt on one
    # line, the creditor under the debt, and the assignee in view without scrolling the table
    creditor, officer = andino_officer(first_name="Sofía", last_name="Quintero")
    for n in range(3):
        debt = debt_with_email(creditor=creditor, debt_ref=f"BA-TC-0000{n:04d}")
        complaint = file_complaint(debt=debt, user=officer, kind="bureau_claim")
        Complaint.objects.filter(pk=complaint.pk).update(assigned_to=officer)
    log_in(page, live_server, "quejas")
    in_language(page, language)
    page.goto(f"{live_server.url}{reverse('complaints:queue')}")
    table = page.locator("table:has(tr[data-number])")
    expect(table.locator("tr[data-number]")).to_have_count(3)
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    number = table.locator("tr[data-number] a.strong").first
    assert number.evaluate("a => a.getClientRects().length") == 1  # one line
    expect(table.locator("tr[data-number]").first).to_contain_text("Banco Andino")
    screenshot(f"complaints-queue-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_making_a_rule_stricter_starts_without_errors_and_shows_the_rules_whole_name(
    live_server, page, screenshot, staff_book, language
):
    # opened from the contact rules page: its creditor chosen, nothing refused yet, and the
    # rule's select as wide as its longest description ("CO-WINDOW · Contact hours: ...")
    log_in(page, live_server, "directora")
    in_language(page, language)
    andino = Creditor.objects.get(code="banco-andino")
    page.goto(f"{live_server.url}{reverse('messaging:compliance-rules')}?creditor={andino.pk}")
    page.locator(f"a[href$='overrides/new/?creditor={andino.pk}']").click()
    expect(page.locator("#id_creditor")).to_have_value(str(andino.pk))
    expect(page.locator(".field-error")).to_have_count(0)
    assert_longest_choice_reads_whole(page.locator("#id_rule_id"))
    screenshot(f"override-start-{language}")
    page.set_viewport_size(PHONE_390)
    assert page_width(page) <= PHONE_390["width"]
    screenshot(f"phone-override-start-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_closing_a_complaint_shows_each_outcome_and_root_cause_whole(
    live_server, page, screenshot, staff_book, language
):
    # "No procedente: la deuda o la gestión se mantiene" was cut at "Procedente: el deudor…"
    # in the close form: every select was held to 14rem, its column had 25rem
    creditor, officer = andino_officer()
    complaint = file_complaint(debt=debt_with_email(creditor=creditor), user=officer)
    log_in(page, live_server, "quejas")
    in_language(page, language)
    page.goto(f"{live_server.url}{reverse('complaints:detail', args=[complaint.pk])}")
    for name in ("outcome", "root_cause"):
        assert_longest_choice_reads_whole(page.locator(f"form select[name={name}]"))
    screenshot(f"complaint-close-{language}")
