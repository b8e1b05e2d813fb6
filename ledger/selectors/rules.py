"""Reads of the book rules pages and of the rate ceilings in force (imports, the debt page)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from core.scoping import scope_for_user
from ledger.models import AccrualRule, CreditType, FeeRule, LedgerSettings, UsuryRate
from ledger.services.application import application_order_default
from portfolio.models import Country, Creditor


def rules_creditors(*, user) -> QuerySet[Creditor]:
    """The creditors whose book rules the user may see and change."""
    return scope_for_user(Creditor.objects.all(), user=user, creditor="").order_by("name", "pk")


def rules_page(*, creditor: Creditor) -> dict:
    """The creditor's settings per country (its chosen order or the default), its accrual rule
    versions and its fee rules."""
    rows = LedgerSettings.objects.filter(creditor=creditor).select_related("updated_by")
    chosen = {row.country: row for row in rows}
    countries = [
        {
            "country": code,
            "label": label,
            "settings": chosen.get(code),
            "order": chosen[code].application_order if code in chosen
            else application_order_default(code),
        }
        for code, label in Country.choices
    ]  # fmt: skip
    return {
        "countries": countries,
        "accrual_rules": list(
            AccrualRule.objects.filter(creditor=creditor)
            .select_related("created_by")
            .order_by("product", "-valid_from")
        ),
        "fee_rules": list(
            FeeRule.objects.filter(creditor=creditor)
            .select_related("created_by")
            .order_by("-is_active", "country", "stage", "-created_at")
        ),
    }


def usury_rates() -> QuerySet[UsuryRate]:
    """The certified rates, newest period first."""
    return UsuryRate.objects.select_related("loaded_by").order_by("-valid_from", "credit_type")


@dataclass(frozen=True)
class Ceiling:
    """The highest late rate allowed (% a year) and where it comes from."""

    rate: Decimal | None  # None: no ceiling known (no certified rate, no creditor maximum)
    source: str  # "usury" | "creditor" | ""
    resolution: str = ""
    credit_type: str = ""


def _rule_credit_types(creditor_id: int, as_of: datetime.date) -> dict[str, str]:
    """{product: the credit type of its rule in force on `as_of`}."""
    rules = (
        AccrualRule.objects.filter(creditor_id=creditor_id, valid_from__lte=as_of)
        .order_by("product", "-valid_from")
        .distinct("product")
        .values_list("product", "credit_type")
    )
    return dict(rules)


def rate_ceilings(*, creditor_id: int, as_of: datetime.date):
    """A function (country, product) -> Ceiling on `as_of` for the creditor, read in 3 queries:
    Colombia the certified usury rate of the product rule's credit type (consumer when the
    product has no rule) or the creditor's maximum when lower; elsewhere the creditor's."""
    credit_types = _rule_credit_types(creditor_id, as_of)
    maximum = dict(
        LedgerSettings.objects.filter(
            creditor_id=creditor_id, max_late_rate__isnull=False
        ).values_list("country", "max_late_rate")
    )
    usury = {}
    for rate in UsuryRate.objects.filter(Q(valid_from__lte=as_of) & Q(valid_to__gte=as_of)):
        kept = usury.get(rate.credit_type)
        if kept is None or rate.usury_rate < kept.usury_rate:
            usury[rate.credit_type] = rate

    def ceiling(country: str, product: str) -> Ceiling:
        own = maximum.get(country)
        if country == Country.CO:
            credit_type = credit_types.get(product, CreditType.CONSUMER_ORDINARY)
            certified = usury.get(credit_type)
            if certified is not None and (own is None or certified.usury_rate <= own):
                return Ceiling(certified.usury_rate, "usury", certified.resolution, credit_type)
        if own is not None:
            return Ceiling(own, "creditor")
        return Ceiling(None, "")

    return ceiling
