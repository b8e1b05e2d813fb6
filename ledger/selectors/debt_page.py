"""The late interest panel of the staff debt page: the contract rate, the ceiling in force today,
whether it caps the rate, and the interest accrued so far. Read with the page's debt (four
columns of its one query); a panel rendered on its own reads them in four queries."""

import datetime
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery, Sum

from core.dates import business_today
from core.memo import read_once
from core.page_reads import JSONRows, rows_from_json
from ledger.models import AccrualRule, CreditType, EntryKind, LedgerEntry, LedgerSettings, UsuryRate
from ledger.selectors.rules import Ceiling
from portfolio.models import Country

KEY = "ledger_rate"


def _credit_type(*, creditor_id, product, as_of):
    return (
        AccrualRule.objects.filter(creditor_id=creditor_id, product=product, valid_from__lte=as_of)
        .order_by("-valid_from")
        .values("credit_type")[:1]
    )


def _maximum(*, creditor_id, country):
    return LedgerSettings.objects.filter(creditor_id=creditor_id, country=country).values(
        "max_late_rate"
    )[:1]


def _usury(*, as_of):
    return UsuryRate.objects.filter(Q(valid_from__lte=as_of) & Q(valid_to__gte=as_of)).order_by(
        "credit_type", "usury_rate", "id"
    )


def _accrued(*, debt_id):
    return (
        LedgerEntry.objects.filter(debt_id=debt_id, kind=EntryKind.ACCRUAL)
        .values("debt_id")
        .annotate(total=Sum("interest"))
        .values("total")
    )


def debt_page_reads(*, user) -> dict:
    """The panel's reads as columns of the debt page's query (portfolio.hooks.debt_page_reads)."""
    as_of = business_today()
    parts = {
        "credit_type": Subquery(
            _credit_type(
                creditor_id=OuterRef("creditor_id"), product=OuterRef("product"), as_of=as_of
            )
        ),  # fmt: skip
        "maximum": Subquery(
            _maximum(creditor_id=OuterRef("creditor_id"), country=OuterRef("debtor__country"))
        ),
        "usury": JSONRows(_usury(as_of=as_of)),
        "accrued": Subquery(_accrued(debt_id=OuterRef("pk"))),
    }

    def keeper(name):
        def kept(debt, value):
            read = debt.__dict__.setdefault("_ledger_parts", {"as_of": as_of})
            read[name] = rows_from_json(UsuryRate, value) if name == "usury" else value

        return kept

    return {f"_read_ledger_{name}": (expr, keeper(name)) for name, expr in parts.items()}


def _ceiling(*, country, credit_type, maximum, usury) -> Ceiling:
    if country == Country.CO:
        certified = next((r for r in usury if r.credit_type == credit_type), None)
        if certified is not None and (maximum is None or certified.usury_rate <= maximum):
            return Ceiling(certified.usury_rate, "usury", certified.resolution, credit_type)
    if maximum is not None:
        return Ceiling(maximum, "creditor")
    return Ceiling(None, "")


def debt_rate_panel(debt, *, as_of: datetime.date | None = None) -> dict:
    """What the panel shows for `debt` (read with the page's debt when it was)."""

    def read():
        parts = debt.__dict__.get("_ledger_parts")
        if parts is None:
            day = as_of or business_today()
            rules = AccrualRule.objects.filter(
                creditor_id=debt.creditor_id, product=debt.product, valid_from__lte=day
            )
            settings = LedgerSettings.objects.filter(
                creditor_id=debt.creditor_id, country=debt.debtor.country
            )
            entries = LedgerEntry.objects.filter(debt_id=debt.pk, kind=EntryKind.ACCRUAL)
            parts = {
                "as_of": day,
                "credit_type": rules.order_by("-valid_from")
                .values_list("credit_type", flat=True)
                .first(),
                "maximum": settings.values_list("max_late_rate", flat=True).first(),
                "usury": list(_usury(as_of=day)),
                "accrued": entries.aggregate(total=Sum("interest"))["total"],
            }
        ceiling = _ceiling(
            country=debt.debtor.country,
            credit_type=parts["credit_type"] or CreditType.CONSUMER_ORDINARY,
            maximum=parts["maximum"],
            usury=parts["usury"],
        )
        rate = debt.contract_rate
        return {
            "as_of": parts["as_of"],
            "contract_rate": rate,
            "ceiling": ceiling,
            "capped": rate is not None and ceiling.rate is not None and rate > ceiling.rate,
            "accrued": parts["accrued"] or Decimal(0),
        }

    return read_once(debt, KEY, read)
