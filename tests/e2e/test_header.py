"""The staff header in Chromium: on a 1366-wide laptop a manager's eleven entries and a
collector's seven sit on one row under the brand and the user's tools, in Spanish as in
English; no entry's label breaks over two lines at any width (entries wrap whole); a lawyer's
or a complaints officer's few entries stay beside the brand."""

import pytest

from tests.e2e.conftest import DESKTOP, TABLET, in_language, log_in
from tests.factories.legal import LawFirmFactory
from tests.factories.portfolio import CreditorFactory
from tests.factories.users import (
    CollectorFactory,
    LawyerFactory,
    ManagerFactory,
    OfficerFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _boxes(page, selector):
    return [item.bounding_box() for item in page.locator(selector).all()]


def _middle(box):
    return box["y"] + box["height"] / 2


def _entries(page):
    entries = _boxes(page, "nav.mainnav a")
    assert entries, "no entry in the main navigation"
    return entries


def _each_on_one_line(entries):
    # A label broken over two lines makes its entry taller than the others.
    one_line = min(box["height"] for box in entries)
    assert all(box["height"] < one_line * 1.4 for box in entries), [b["height"] for b in entries]


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("role", ["manager", "collector"])
def test_staff_entries_sit_on_one_row_under_the_brand_and_the_tools(
    live_server, page, screenshot, role, language
):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    if role == "manager":
        user = ManagerFactory(username="directora", creditors=[creditor], first_name="Gabriela")
    else:
        user = CollectorFactory(username="gestora", first_name="Camila", last_name="Rojas")
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, user.username)
    in_language(page, language)

    entries = _entries(page)
    assert len(entries) == (11 if role == "manager" else 7)
    # One row: every entry at the same height on the page, none broken over two lines.
    assert max(box["y"] for box in entries) - min(box["y"] for box in entries) < 2
    _each_on_one_line(entries)
    # The brand and the user's tools share the row above it.
    brand = page.locator(".topbar .brand").bounding_box()
    log_out = page.locator(".topbar .usermenu button").bounding_box()
    assert abs(_middle(brand) - _middle(log_out)) < 6
    assert min(box["y"] for box in entries) >= brand["y"] + brand["height"]
    screenshot(f"header-{role}-{language}-1366")

    # On a tablet the entries wrap, each whole.
    page.set_viewport_size(TABLET)
    _each_on_one_line(_entries(page))


@pytest.mark.parametrize("role", ["lawyer", "complaints_officer"])
def test_a_lawyers_or_an_officers_few_entries_stay_beside_the_brand(live_server, page, role):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    if role == "lawyer":
        firm = LawFirmFactory(name="Ríos & Asociados", creditors=[creditor])
        user = LawyerFactory(username="abogada", firms=[firm])
    else:
        user = OfficerFactory(username="quejas")
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, user.username)

    entries = _entries(page)
    assert len(entries) <= 3
    brand = page.locator(".topbar .brand").bounding_box()
    assert all(abs(_middle(entry) - _middle(brand)) < 6 for entry in entries)
