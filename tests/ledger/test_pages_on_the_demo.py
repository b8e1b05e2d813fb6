"""Every page of the books renders on the demo's data for its manager, in Spanish and English."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ledger.models import Remittance, SuspenseItem
from portfolio.models import Debt

pytestmark = pytest.mark.django_db


def test_every_ledger_page_renders_on_the_demo(client):
    call_command("seed_demo", "--debtors=60", "--as-of=2026-12-04")
    client.force_login(get_user_model().objects.get(username="gerente"))
    debt = Debt.objects.filter(ledger_entries__kind="accrual", creditor__code="banco-andino")[0]
    item = SuspenseItem.objects.filter(creditor__code="banco-andino")[0]
    remittance = Remittance.objects.get(creditor__code="banco-andino")
    urls = [
        "/ledger/", "/ledger/journal/", "/ledger/journal/?kind=accrual", "/ledger/rules/",
        "/ledger/usury/", "/ledger/remittances/", "/ledger/remittances/new/",
        f"/ledger/remittances/{remittance.pk}/", "/ledger/commission/",
        "/collections/suspense/", f"/collections/suspense/{item.pk}/", "/collections/reversals/",
        f"/ledger/debts/{debt.pk}/statement/", f"/debts/{debt.pk}/", "/ledger/journal/export.csv",
        f"/ledger/remittances/{remittance.pk}/pdf/", f"/ledger/remittances/{remittance.pk}/csv/",
        f"/ledger/debts/{debt.pk}/statement/pdf/",
    ]  # fmt: skip
    refused = [
        (language, url, status)
        for language in ("es", "en")
        for url in urls
        if (status := client.get(url, HTTP_ACCEPT_LANGUAGE=language).status_code) != 200
    ]
    assert refused == []
