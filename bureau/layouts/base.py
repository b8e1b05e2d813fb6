"""The facts every layout maps from, and the registry of layouts (see bureau.layouts)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class FileHeader:
    """Who furnishes, to whom, for which cut-off."""

    bureau: str  # bureau.models.Bureau value
    furnisher_id: str  # the creditor's subscriber / furnisher code at the bureau
    furnisher_name: str
    cut_off: datetime.date
    created_on: datetime.date
    collection_agency: bool = True  # Cartera furnishes as a collector (Metro 2 account type 48)


@dataclass(frozen=True)
class AccountFacts:
    """One debt as of the cut-off: the same facts whatever the bureau's layout."""

    debt_id: int
    account_number: str  # the creditor's obligation number (Debt.debt_ref)
    # The person
    document_type: str  # CC, CE, NIT, PA, INE, RFC, CURP, SSN, ITIN, PASSPORT
    document_number: str
    full_name: str
    address_line: str
    city: str
    region: str
    postal_code: str
    country: str
    birth_date: datetime.date | None
    # The obligation
    product: str  # portfolio.models.Product value
    currency: str
    original_amount: Decimal
    balance: Decimal
    amount_past_due: Decimal
    days_late: int
    opened_on: datetime.date | None
    due_on: datetime.date | None  # the oldest unpaid amount's due date
    first_delinquency_on: datetime.date | None
    last_payment_on: datetime.date | None
    last_payment_amount: Decimal
    closed_on: datetime.date | None
    instalments_agreed: int
    instalments_paid: int
    instalments_late: int
    # What the debt is, in Cartera's words (a layout maps it to its own codes)
    state: str  # "late" | "current" | "paid" | "settled" | "written_off" | "agreement"
    disputed: str  # "" | "open" (XB, reclamo en trámite) | "resolved" (XH)
    action: str  # bureau.models.ReportAction value: "report" | "delete" | "withdraw"
    original_creditor: str = ""  # Metro 2 K1 segment
    payment_history: str = ""  # 24 months, newest first, Metro 2 profile characters
    associated: tuple = field(default_factory=tuple)  # Metro 2 J1: co-debtors, if any


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" stops the run; "warning" is shown
    code: str  # the check's id, e.g. "M2-STATUS-DOFD"
    message: str
    debt_id: int | None = None
    field_name: str = ""


class Layout(Protocol):
    bureau: str
    version: str
    country: str
    file_extension: str

    def render(self, header: FileHeader, accounts: list[AccountFacts]) -> bytes: ...

    def parse(self, data: bytes) -> tuple[FileHeader, list[AccountFacts]]: ...

    def check(self, header: FileHeader, accounts: list[AccountFacts]) -> list[Finding]: ...

    def status_code(self, account: AccountFacts) -> str: ...


_LAYOUTS: dict[str, Layout] = {}


def layout_register(layout: Layout) -> Layout:
    _LAYOUTS[layout.bureau] = layout
    return layout


def layout_for(bureau: str) -> Layout:
    """The layout a bureau's file is written in (KeyError: no layout for that bureau)."""
    from bureau.layouts import registry  # noqa: F401  (imports every adapter, which registers)

    return _LAYOUTS[bureau]


def layouts() -> dict[str, Layout]:
    from bureau.layouts import registry  # noqa: F401

    return dict(_LAYOUTS)
