"""What the bureau pages' and API's tests share: a tiny file layout registered for the test
only (not the adapters'), and a creditor with one debt that may be reported at the cut-off
(a prior notice sent long enough before) and one that may not (no notice)."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from bureau.layouts import base as layouts
from bureau.layouts.base import Finding, layout_register
from tests.complaints.helpers import at, debt_with_email
from tests.factories.messaging import make_message
from tests.factories.portfolio import CreditorFactory
from tests.factories.users import CollectorFactory, ManagerFactory

CUT_OFF = datetime.date(2026, 11, 30)
NOTICE_SENT = datetime.date(2026, 10, 15)  # 46 days before the cut-off: the 20 have passed


@dataclass(frozen=True)
class TinyLayout:
    """One line per account: its number, status code and balance (and a warning to show)."""

    bureau: str = "datacredito"
    version: str = "test-1"
    country: str = "CO"
    file_extension: str = "txt"

    def render(self, header, accounts) -> bytes:
        lines = [f"H|{header.furnisher_id}|{header.cut_off.isoformat()}"]
        lines += [f"D|{a.account_number}|{self.status_code(a)}|{a.balance}" for a in accounts]
        return ("\n".join(lines) + "\n").encode()

    def parse(self, data: bytes):
        raise NotImplementedError

    def check(self, header, accounts) -> list:
        return [
            Finding("warning", "TINY-1", "Checked by the tiny layout.", debt_id=a.debt_id)
            for a in accounts[:1]
        ]

    def status_code(self, account) -> str:
        return "01" if account.days_late else "00"


@pytest.fixture(name="tiny_layout")
def tiny_layout_fixture():
    layouts.layouts()  # the adapters register first: the tiny layout replaces theirs here
    kept = dict(layouts._LAYOUTS)
    layout = layout_register(TinyLayout())
    yield layout
    layouts._LAYOUTS.clear()
    layouts._LAYOUTS.update(kept)


def send_notice(debt, day: datetime.date = NOTICE_SENT):
    sent = at(day)
    return make_message(
        debt=debt,
        template="bureau_notice",
        status="delivered",
        planned_for=sent,
        sent_at=sent,
        delivered_at=sent + datetime.timedelta(minutes=5),
    )


@pytest.fixture(name="book")
def book_fixture(tiny_layout):
    creditor = CreditorFactory(name="Banco Andino")
    other = CreditorFactory(name="Financiera Otra")
    noticed = debt_with_email(creditor=creditor, due_date=datetime.date(2026, 8, 1))
    send_notice(noticed)
    silent = debt_with_email(creditor=creditor, due_date=datetime.date(2026, 8, 1))
    return {
        "creditor": creditor,
        "other": other,
        "noticed": noticed,
        "silent": silent,
        "manager": ManagerFactory(creditors=[creditor]),
        "other_manager": ManagerFactory(creditors=[other]),
        "collector": CollectorFactory(),
        "now": timezone.now(),
    }
