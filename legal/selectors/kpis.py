"""The legal stage's KPIs, per creditor and per creditor and firm, for a date range.

- recovered in legal: payments on a case's debt made while the case was open (from the
  hand-off to its closing day), paid in the range; per currency, never mixed;
- costs (one function, `costs_total`) and what is recovered net of them, and the cost per peso
  (or dollar) recovered;
- median days from hand-off to the payment order (cases whose order came in the range) and to
  recovery (the first payment after the hand-off, in the range);
- cases by state (handed over by the range's end);
- prescriptions avoided (cases filed in the range on or before their prescription date) and
  lost (cases closed in the range as prescribed).

Court deposits (títulos judiciales) count once paid over to the creditor through the ledger, as
payments; a deposits record, if one is kept apart, plugs in beside `recovered_totals`.

Each figure is one aggregate query grouped by the row's keys; nothing is read row by row.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    Aggregate,
    Count,
    DateField,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import Coalesce, TruncDate

from core.dates import INPUT_DATE_MAX
from legal.models import CaseOutcome, CostStatus, LawFirm, LegalCost
from legal.selectors.cases import cases_for_user
from legal.services.prescription import TERM_YEARS, PlusYears
from portfolio.models import Creditor, Payment

# The KPI reads the prescription date before any interruption (the due date plus the term of
# services.prescription.TERM_YEARS): a case filed on or before it certainly avoided it.
# The rows: per creditor, and per creditor and firm.
LEVELS = {"creditors": ("creditor_id",), "firms": ("creditor_id", "firm_id")}


class Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class DaysBetween(Func):
    """Whole days from the second date to the first (PostgreSQL's date - date)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


def _prescribes_on():
    return SqlCase(
        *(
            When(prescription_basis=basis, then=PlusYears(F("debt__due_date"), years))
            for basis, years in TERM_YEARS.items()
        ),
        output_field=DateField(),
    )


def _grouped(rows, keys, value_name) -> dict:
    return {tuple(row[k] for k in keys): row[value_name] for row in rows}


def recovered_totals(cases: QuerySet, *, keys, date_from, date_to) -> dict:
    """{(row key, currency): amount} paid on the cases' debts while each case was open."""
    rows = (
        cases.annotate(paid_on=TruncDate("debt__payments__paid_at"))
        .filter(
            Q(paid_on__gte=F("handed_over_on")),
            Q(closed_on__isnull=True) | Q(paid_on__lte=F("closed_on")),
            paid_on__gte=date_from,
            paid_on__lte=date_to,
        )
        .values(*keys, currency=F("debt__payments__currency"))
        .annotate(total=Sum("debt__payments__amount"))
        .order_by()
    )
    return {(tuple(r[k] for k in keys), r["currency"]): r["total"] for r in rows}


def costs_total(cases: QuerySet, *, keys, date_from, date_to) -> dict:
    """{(row key, currency): amount} the cases cost in the range: every cost of the ledger
    (court costs, disbursements, the firm's fees) incurred in it and not rejected, grouped like
    `recovered_totals`. A cost waiting for approval counts: it was incurred."""
    rows = (
        LegalCost.objects.filter(
            case__in=cases, incurred_on__gte=date_from, incurred_on__lte=date_to
        )
        .exclude(status=CostStatus.REJECTED)
        .values(*(f"case__{k}" for k in keys), "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(tuple(r[f"case__{k}"] for k in keys), r["currency"]): r["total"] for r in rows}


def _median_days(cases: QuerySet, *, keys, start, end, date_from, date_to) -> dict:
    rows = (
        cases.filter(**{f"{end}__gte": date_from, f"{end}__lte": date_to})
        .values(*keys)
        .annotate(days=Median(DaysBetween(F(end), F(start))))
        .order_by()
    )
    return _grouped(rows, keys, "days")


def _first_payment_on():
    payments = Payment.objects.annotate(paid_on=TruncDate("paid_at")).filter(
        paid_on__gte=OuterRef("handed_over_on"),
        paid_on__lte=Coalesce(OuterRef("closed_on"), Value(INPUT_DATE_MAX)),
        debt_id=OuterRef("debt_id"),
    )
    return Subquery(payments.order_by("paid_at", "id").values("paid_on")[:1])


def _by_state(cases: QuerySet, *, keys) -> dict:
    counts = defaultdict(dict)
    for row in cases.values(*keys, "state").annotate(n=Count("id")).order_by():
        counts[tuple(row[k] for k in keys)][row["state"]] = row["n"]
    return counts


def _count(cases: QuerySet, *, keys, **filters) -> dict:
    rows = cases.filter(**filters).values(*keys).annotate(n=Count("id")).order_by()
    return _grouped(rows, keys, "n")


def _days(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


def _money_rows(totals: dict, key) -> dict[str, Decimal]:
    return {cur: amount for (k, cur), amount in totals.items() if k == key}


def _level_rows(cases: QuerySet, *, keys, date_from, date_to) -> list[dict]:
    span = {"keys": keys, "date_from": date_from, "date_to": date_to}
    recovered = recovered_totals(cases, **span)
    costs = costs_total(cases, **span)
    to_order = _median_days(cases, start="handed_over_on", end="payment_order_on", **span)
    to_recovery = _median_days(
        cases.annotate(first_paid_on=_first_payment_on()),
        start="handed_over_on",
        end="first_paid_on",
        **span,
    )
    states = _by_state(cases, keys=keys)
    avoided = _count(
        cases.annotate(prescribes_on=_prescribes_on()).filter(filed_on__lte=F("prescribes_on")),
        keys=keys,
        filed_on__gte=date_from,
        filed_on__lte=date_to,
    )
    lost = _count(
        cases,
        keys=keys,
        outcome=CaseOutcome.PRESCRIBED,
        closed_on__gte=date_from,
        closed_on__lte=date_to,
    )
    rows = []
    for key in sorted(states):
        got = _money_rows(recovered, key)
        spent = _money_rows(costs, key)
        currencies = sorted(got.keys() | spent.keys())
        zero = Decimal("0.00")
        rows.append(
            {
                "key": key,
                "cases": sum(states[key].values()),
                "cases_by_state": dict(sorted(states[key].items())),
                "recovered": [{"currency": c, "amount": got.get(c, zero)} for c in currencies],
                "costs": [{"currency": c, "amount": spent.get(c, zero)} for c in currencies],
                "net": [
                    {"currency": c, "amount": got.get(c, zero) - spent.get(c, zero)}
                    for c in currencies
                ],
                "cost_per_recovered": [
                    {
                        "currency": c,
                        "ratio": (spent.get(c, zero) / got[c]).quantize(Decimal("0.0001"))
                        if got.get(c)
                        else None,
                    }
                    for c in currencies
                ],
                "median_days_to_payment_order": _days(to_order.get(key)),
                "median_days_to_recovery": _days(to_recovery.get(key)),
                "prescriptions_avoided": avoided.get(key, 0),
                "prescriptions_lost": lost.get(key, 0),
            }
        )
    return rows


def legal_kpis(
    *,
    user,
    date_from: datetime.date,
    date_to: datetime.date,
    creditor_id: int | None = None,
    firm_id: int | None = None,
) -> dict:
    """The legal KPIs of the cases the user sees, per creditor and per creditor and firm."""
    cases = cases_for_user(user).filter(handed_over_on__lte=date_to)
    if creditor_id:
        cases = cases.filter(creditor_id=creditor_id)
    if firm_id:
        cases = cases.filter(firm_id=firm_id)
    cases = cases.select_related(None)
    levels = {
        level: _level_rows(cases, keys=keys, date_from=date_from, date_to=date_to)
        for level, keys in LEVELS.items()
    }
    creditor_ids = {row["key"][0] for row in levels["creditors"]}
    firm_ids = {row["key"][1] for row in levels["firms"]}
    creditors = dict(Creditor.objects.filter(pk__in=creditor_ids).values_list("pk", "name"))
    firms = dict(LawFirm.objects.filter(pk__in=firm_ids).values_list("pk", "name"))
    for level, rows in levels.items():
        for row in rows:
            key = row.pop("key")
            row["creditor"], row["creditor_name"] = key[0], creditors.get(key[0], "")
            if level == "firms":
                row["firm"], row["firm_name"] = key[1], firms.get(key[1], "")
    return {"date_from": date_from, "date_to": date_to, **levels}
