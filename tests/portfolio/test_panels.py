"""The debt page's panels from other apps: each in its own wrapper, so an action can send fresh
copies of the ones it changed (htmx out-of-band swaps) with the page's header."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portfolio.panels import debt_page_refresh, panel_id
from portfolio.selectors import debt_detail_get
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db


def test_every_registered_panel_has_its_own_wrapper_on_the_page(client, manager, creditor):
    debt = DebtFactory(creditor=creditor)
    client.force_login(manager)

    html = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()

    ids = re.findall(r'<div id="(debt-panel-[^"]+)" class="debt-panel">', html)
    assert ids == [
        "debt-panel-collections-work",
        "debt-panel-collections-timeline",
        "debt-panel-collections-escalation",
        "debt-panel-agreements",
        "debt-panel-ledger",
        "debt-panel-complaints",
        "debt-panel-legal",
        "debt-panel-analytics",
        "debt-panel-bureau",
        "debt-panel-portal",
        "debt-panel-collections-payments",
        "debt-panel-messaging",
    ]
    # the work panel comes right after the header, before the debt's facts
    assert html.index('id="debt-header"') < html.index(ids[0]) < html.index("balance-title")
    assert "hx-swap-oob" not in html


def test_a_refresh_sends_the_header_and_the_panels_asked_for_out_of_band(manager, creditor):
    debt = DebtFactory(creditor=creditor)
    request = RequestFactory().get("/")
    request.user = manager

    html = debt_page_refresh(
        request=request,
        debt=debt_detail_get(user=manager, pk=debt.pk),
        panels=["agreements", "collections.timeline"],
    )

    assert re.findall(r'id="([^"]+)"\s+hx-swap-oob="true"', html) == ["debt-header"]
    assert re.findall(r'<div id="([^"]+)" class="debt-panel" hx-swap-oob="true">', html) == [
        "debt-panel-collections-timeline",
        "debt-panel-agreements",
    ]
    assert panel_id("collections.timeline") == "debt-panel-collections-timeline"
    assert debt.debt_ref in html
