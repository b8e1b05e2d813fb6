"""Two hand-offs of the same debts at once (a double submit): one wins, the other is refused."""

import datetime
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from core.exceptions import ApplicationError
from legal.models import LegalCase
from legal.services.handoff import case_handoff
from portfolio.models import Debt, Stage
from tests.factories.legal import LawFirmFactory
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_opens_each_case_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    creditor = CreditorFactory()
    manager = ManagerFactory(creditors=[creditor])
    firm = LawFirmFactory(creditors=[creditor])
    debts = [DebtFactory(creditor=creditor, due_date=datetime.date(2025, 2, 1)) for _ in range(3)]
    Debt.objects.filter(pk__in=[d.pk for d in debts]).update(stage=Stage.LEGAL)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(order):
        try:
            barrier.wait()
            case_handoff(
                user=manager,
                debts=[debts[i].pk for i in order],
                firm=firm,
                power_of_attorney=SimpleUploadedFile("poder.pdf", b"%PDF-1.4 poder"),
                note="",
                as_of=datetime.date(2026, 12, 4),
            )
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(exc.field)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(o,)) for o in ((0, 1, 2), (2, 1, 0))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["debts", "ok"]
    assert LegalCase.objects.count() == 3
