"""A tiny test layout registered for every bureau (the real adapters live in their own
modules and are tested there), and helpers that put notices in the ledger."""

import datetime
import json
from decimal import Decimal

import pytest

from bureau.layouts import base
from bureau.layouts.base import AccountFacts, FileHeader, Finding
from bureau.models import BUREAU_COUNTRY, Bureau
from tests.factories.messaging import make_message


class LineLayout:
    """One JSON line per account; status codes by state and days late (Metro 2's numbers)."""

    version = "test-1"
    file_extension = "jsonl"

    def __init__(self, bureau: str):
        self.bureau = bureau
        self.country = BUREAU_COUNTRY[bureau]
        self.errors_for: set[int] = set()

    def status_code(self, account: AccountFacts) -> str:
        if account.action != "report":
            return "DA"
        if account.state == "paid":
            return "13"
        if account.state == "settled":
            return "62"
        if account.state == "written_off":
            return "97"
        if account.state in ("current", "agreement"):
            return "11"
        for limit, code in ((30, "11"), (60, "71"), (90, "78"), (120, "80"), (150, "82")):
            if account.days_late < limit:
                return code
        return "84"

    def check(self, header: FileHeader, accounts: list[AccountFacts]) -> list[Finding]:
        return [
            Finding("error", "TEST-ERR", "bad account", debt_id=a.debt_id)
            for a in accounts
            if a.debt_id in self.errors_for
        ]

    def render(self, header: FileHeader, accounts: list[AccountFacts]) -> bytes:
        def plain(value):
            if isinstance(value, (datetime.date, Decimal)):
                return str(value)
            return value

        rows = [{k: plain(v) for k, v in vars(a).items()} for a in accounts]
        return "\n".join(json.dumps(row, sort_keys=True) for row in rows).encode()

    def parse(self, data: bytes):
        raise NotImplementedError


@pytest.fixture(autouse=True)
def test_layouts(request):
    """Every bureau writes the test layout while the test runs; the registry is restored.
    The adapters' own tests (a module with REAL_LAYOUTS = True) keep the real ones."""
    if getattr(request.module, "REAL_LAYOUTS", False):
        yield base.layouts()
        return
    base.layouts()  # the real adapters register first, so ours replace them
    saved = dict(base._LAYOUTS)
    registered = {code: LineLayout(code) for code in Bureau.values}
    base._LAYOUTS.update(registered)
    yield registered
    base._LAYOUTS.clear()
    base._LAYOUTS.update(saved)


def sent_notice(debt, on: datetime.date, *, template="bureau_notice", status="sent", **fields):
    """A bureau notice that left on `on` at noon in the debtor's time zone."""
    import zoneinfo

    moment = datetime.datetime.combine(
        on, datetime.time(12), tzinfo=zoneinfo.ZoneInfo(debt.debtor.timezone)
    )
    values = {
        "template": template,
        "stage": "pre_legal",
        "status": status,
        "business_date": on,
        "planned_for": moment,
        "sent_at": moment if status in ("sent", "delivered", "failed") else None,
    }
    if status == "delivered":
        values["delivered_at"] = moment
    values.update(fields)
    message = make_message(debt=debt, **values)
    if status == "delivered" and values.get("channel") == "letter":
        # A delivered letter is one with its proof of receipt (a certified notice counts only
        # with it: messaging.services.compliance.certified).
        from messaging.models import LetterProof

        LetterProof.objects.create(
            message=message,
            kind=LetterProof.Kind.PROVIDER,
            received_on=on,
            event_key=f"test:{message.pk}",
        )
    return message
