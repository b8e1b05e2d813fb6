"""The prescription clock (docs/legal.md, "Prescription").

A promissory note's action prescribes 3 years after the debt's due date (Código de Comercio
art. 789); a claim on the contract, 5 years (Código Civil art. 2536). The filing of the claim
and the debtor's acknowledgement of the debt (a payment, an agreement the debtor entered, or an
acknowledgement entered by hand) interrupt it: the term starts again from the latest of them.
A term in years ends on the same day of the month that many years later, or the month's last
day when it has no such day (Código de Comercio art. 829): 29 Feb 2024 + 3 years = 28 Feb 2027.

Everything is computed in SQL over sets of debts (the hand-off list orders by it, the daily
alert job filters by it); `prescription_date` is the same computation for one debt.
"""

import datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    DateField,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils.translation import gettext as _

from agreements.models import PaymentAgreement
from core.exceptions import ApplicationError
from legal.models import (
    OPEN_CASE_STATES,
    CaseOutcome,
    LegalCase,
    PrescriptionBasis,
    PrescriptionInterruption,
)
from portfolio.models import Debt, Payment

TERM_YEARS = {PrescriptionBasis.PROMISSORY_NOTE: 3, PrescriptionBasis.CONTRACT: 5}
# Months elapsed since the term started at which the creditor's managers are warned (12, 6 and
# 3 months before a promissory note prescribes).
ALERT_MONTHS = (24, 30, 33)


class PlusYears(Func):
    """date + N years on PostgreSQL: the same day N years on, or the month's last day (art. 829
    C.Co.), which is what adding an interval of years to a date does."""

    output_field = DateField()

    def __init__(self, expression, years: int):
        super().__init__(expression)
        self.template = f"((%(expressions)s) + make_interval(years => {int(years)}))::date"


def _max_date(queryset: QuerySet, field: str):
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1], output_field=DateField())


def term_start_expression(*, as_of: datetime.date):
    """The date the current term started: the due date or the latest interruption up to `as_of`
    (GREATEST skips the NULL of a debt without one)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    interruption = _max_date(
        PrescriptionInterruption.objects.filter(debt=OuterRef("pk"), on__lte=as_of), "on"
    )
    payment = Subquery(
        Payment.objects.filter(debt=OuterRef("pk"))
        .annotate(day=TruncDate("paid_at", tzinfo=zone))
        .filter(day__lte=as_of)
        .order_by("-paid_at")
        .values("day")[:1],
        output_field=DateField(),
    )
    agreement = _max_date(
        PaymentAgreement.objects.filter(
            debts=OuterRef("pk"), activated_on__isnull=False, activated_on__lte=as_of
        ),
        "activated_on",
    )
    # A case's filing date counts even before its service records the interruption; a
    # withdrawn claim interrupts nothing (Código General del Proceso art. 95).
    filing = _max_date(
        LegalCase.objects.filter(debt=OuterRef("pk"), filed_on__lte=as_of).exclude(
            outcome=CaseOutcome.WITHDRAWN
        ),
        "filed_on",
    )
    return Greatest(
        F("due_date"), interruption, payment, agreement, filing, output_field=DateField()
    )


def basis_expression(default: str = PrescriptionBasis.PROMISSORY_NOTE):
    """What the claim rests on: the open case's basis, else `default`."""
    case_basis = LegalCase.objects.filter(debt=OuterRef("pk"), state__in=OPEN_CASE_STATES)
    return Coalesce(Subquery(case_basis.values("prescription_basis")[:1]), Value(default))


def prescription_annotate(
    debts: QuerySet[Debt],
    *,
    as_of: datetime.date,
    basis: str = PrescriptionBasis.PROMISSORY_NOTE,
) -> QuerySet[Debt]:
    """`debts` with `term_start`, `prescription_basis` and `prescribes_on` (one SQL query)."""
    if basis not in TERM_YEARS:
        raise ApplicationError(_("Unknown basis for the claim."), field="prescription_basis")
    debts = debts.annotate(
        term_start=term_start_expression(as_of=as_of),
        prescription_basis=basis_expression(basis),
    )
    return debts.annotate(
        prescribes_on=Case(
            *(
                When(prescription_basis=value, then=PlusYears(F("term_start"), years))
                for value, years in TERM_YEARS.items()
            ),
            output_field=DateField(),
        )
    )


def prescription_dates(
    debt_ids,
    *,
    as_of: datetime.date,
    basis: str = PrescriptionBasis.PROMISSORY_NOTE,
) -> dict[int, datetime.date]:
    """Debt id -> the date its action prescribes, as the records stand on `as_of`."""
    debts = Debt.objects.filter(pk__in=list(debt_ids))
    debts = prescription_annotate(debts, as_of=as_of, basis=basis)
    return dict(debts.order_by().values_list("pk", "prescribes_on"))


def prescription_date(
    *, debt: Debt, basis: str = PrescriptionBasis.PROMISSORY_NOTE, as_of: datetime.date
) -> datetime.date:
    """The date `debt`'s action prescribes (its open case's basis wins over `basis`)."""
    return prescription_dates([debt.pk], as_of=as_of, basis=basis)[debt.pk]


def term_years(basis: str) -> int:
    return TERM_YEARS[basis]


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same rule as the SQL, in Python (29 Feb + 3 years = 28 Feb)."""
    return day + relativedelta(years=years)


@transaction.atomic
def interruption_record(
    *,
    debt: Debt,
    kind: str,
    on: datetime.date,
    source: str = PrescriptionInterruption.Source.MANUAL,
    note: str = "",
    user=None,
) -> PrescriptionInterruption:
    """Record an act that restarts the term from `on` (the case's filing, an acknowledgement).
    The services that file a case call this with kind="filing"."""
    if kind not in PrescriptionInterruption.Kind.values:
        raise ApplicationError(_("Unknown kind of interruption."), field="kind")
    if source not in PrescriptionInterruption.Source.values:
        raise ApplicationError(_("Unknown source of the interruption."), field="source")
    if on < debt.due_date:
        # Before the debt fell due no term was running: there is nothing to interrupt.
        raise ApplicationError(
            _("The date is before the debt's due date: the term had not started."), field="on"
        )
    existing = PrescriptionInterruption.objects.filter(
        debt=debt, kind=kind, on=on, source=source
    ).first()
    if existing is not None:
        return existing  # the same act recorded twice changes nothing
    return PrescriptionInterruption.objects.create(
        debt=debt, kind=kind, on=on, source=source, note=note[:255], created_by=user
    )
