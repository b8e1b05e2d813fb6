"""Remittance (agency model): commission rates, and the statement of what was collected for a
creditor in a period, net of the agency's commission.

A statement's lines are the ledger's own entries (payments, recoveries, reversals) written in
one INSERT … SELECT; its totals are their sums, so the statement always equals the ledger. An
entry is in at most one statement that is not void: a draft thrown away frees its entries.

Commission: for each entry, the creditor's rate set (all rates with one `valid_from`) with the
latest `valid_from` on or before the entry's business date; within it the rate of the entry's
stage (a set by stage) or of its days-past-due bucket (a set by age), both as they were when
the entry was posted. No rate matches: 0 %, and the statement warns about that line.

A reversal undoes a payment's commission too. If the payment was in an issued statement, the
reversal is carried into the statement of its own period as a negative line with minus the
commission that payment's line had; if not, it is netted with minus the commission computed
for the payment (so a payment and its reversal in one period remit nothing).

Entries that arrive late (a payment file with last month's payments, loaded after last month's
statement was issued) carry a business date in a period already remitted: the next statement
picks them up, so nothing collected is left out of every statement.

Concurrency: every write on a creditor's statements and rates (prepare, issue, void, a new
rate) takes one transaction-level advisory lock per creditor first, then the statement's row:
two prepares for one creditor queue, so an entry can never land in two statements.
"""

import datetime
import hashlib
from decimal import Decimal, InvalidOperation

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import INPUT_DATE_MAX, INPUT_DATE_MIN
from core.exceptions import ApplicationError
from core.money import CURRENCIES
from core.scoping import user_manages_creditor

# The commission of entries is asked here with the services (ledger.commission holds its SQL).
from ledger.commission import (  # noqa: F401
    AMOUNT,
    COMMISSION,
    PERCENT,
    EntryCommission,
    commission_for,
    rate_bucket_label,
    rated_from,
    tables,
)
from ledger.models import (
    COLLECTED_KINDS,
    CommissionBasis,
    CommissionRate,
    EntryKind,
    Remittance,
    RemittanceLine,
    RemittanceStatus,
)
from ledger.statements import remittance_pdf
from portfolio.models import Creditor, Stage

# Namespace of the advisory locks, one per creditor, that serialise its remittance writers.
REMITTANCE_LOCK_KEY = 42_021
VOID_REASON_MAX = 500


def _lock_creditor(creditor_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REMITTANCE_LOCK_KEY, creditor_id])


def _audit(*, user, remittance: Remittance, flag: int, message: str) -> None:
    # Who prepared, issued or voided a statement, and when: kept in the admin's change log,
    # which shows it on the record's history; the statement page lists it too.
    if user is None or not getattr(user, "pk", None):
        return
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=Remittance.objects.filter(pk=remittance.pk),
        action_flag=flag,
        change_message=message,
        single_object=True,
    )


# --- commission rates --------------------------------------------------------------------------


def _percent(value) -> Decimal:
    try:
        percent = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("Enter the commission as a number."), field="percent") from None
    if not percent.is_finite() or percent.as_tuple().exponent < -2:
        raise ApplicationError(
            _("Enter the commission with at most two decimals."), field="percent"
        )
    if not Decimal(0) <= percent <= Decimal(100):
        raise ApplicationError(_("The commission must be between 0 and 100 %."), field="percent")
    return percent


def _day(value, *, field: str) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ApplicationError(_("Enter a valid date."), field=field)
    if not INPUT_DATE_MIN <= value <= INPUT_DATE_MAX:
        raise ApplicationError(
            _("Enter a date between %(min)s and %(max)s.")
            % {"min": INPUT_DATE_MIN.isoformat(), "max": INPUT_DATE_MAX.isoformat()},
            field=field,
        )
    return value


def _buckets_overlap(a_min: int, a_max: int | None, b_min: int, b_max: int | None) -> bool:
    return (b_max is None or a_min <= b_max) and (a_max is None or b_min <= a_max)


@transaction.atomic
def commission_rate_create(
    *,
    creditor: Creditor,
    basis: str,
    percent,
    valid_from: datetime.date,
    stage: str = "",
    min_dpd: int | None = None,
    max_dpd: int | None = None,
    user,
) -> CommissionRate:
    """Add one commission rate to the creditor's rate set valid from `valid_from`.

    A set is by stage or by age, not both; by stage, one rate per stage; by age, buckets of
    days past due [min_dpd, max_dpd] (no max: open-ended) that do not overlap.
    """
    if not user_manages_creditor(user=user, creditor_id=creditor.pk):
        raise ApplicationError(_("Unknown creditor."), field="creditor")
    if basis not in CommissionBasis.values:
        raise ApplicationError(_("Choose by stage or by days past due."), field="basis")
    percent = _percent(percent)
    valid_from = _day(valid_from, field="valid_from")
    stage = (stage or "").strip()
    if basis == CommissionBasis.STAGE:
        if stage not in Stage.values:
            raise ApplicationError(_("Choose the stage this rate applies to."), field="stage")
        if min_dpd is not None or max_dpd is not None:
            raise ApplicationError(
                _("A rate by stage has no days-past-due bucket."), field="min_dpd"
            )
    else:
        if stage:
            raise ApplicationError(_("A rate by days past due has no stage."), field="stage")
        if min_dpd is None:
            raise ApplicationError(_("Give the bucket's first day past due."), field="min_dpd")
        if min_dpd < 0 or (max_dpd is not None and max_dpd < 0):
            raise ApplicationError(_("Days past due cannot be negative."), field="min_dpd")
        if max_dpd is not None and max_dpd < min_dpd:
            raise ApplicationError(
                _("The bucket's last day must not be before its first."), field="max_dpd"
            )

    _lock_creditor(creditor.pk)
    same_set = list(CommissionRate.objects.filter(creditor=creditor, valid_from=valid_from))
    if any(rate.basis != basis for rate in same_set):
        raise ApplicationError(
            _(
                "The rates valid from %(date)s are set %(basis)s: one set is by stage or by days "
                "past due, not both."
            )
            % {
                "date": valid_from.isoformat(),
                "basis": CommissionBasis(same_set[0].basis).label.lower(),
            },
            field="basis",
        )
    if basis == CommissionBasis.STAGE and any(rate.stage == stage for rate in same_set):
        raise ApplicationError(
            _("There already is a rate for this stage from %(date)s.")
            % {"date": valid_from.isoformat()},
            field="stage",
        )
    if basis == CommissionBasis.AGE:
        for rate in same_set:
            if _buckets_overlap(min_dpd, max_dpd, rate.min_dpd, rate.max_dpd):
                raise ApplicationError(
                    _("This bucket overlaps the bucket %(bucket)s valid from %(date)s.")
                    % {"bucket": rate_bucket_label(rate), "date": valid_from.isoformat()},
                    field="min_dpd",
                )
    return CommissionRate.objects.create(
        creditor=creditor,
        basis=basis,
        stage=stage if basis == CommissionBasis.STAGE else "",
        min_dpd=min_dpd if basis == CommissionBasis.AGE else None,
        max_dpd=max_dpd if basis == CommissionBasis.AGE else None,
        percent=percent,
        valid_from=valid_from,
        created_by=user,
    )


# --- statements --------------------------------------------------------------------------------

# The entries a statement takes: the creditor's payments, recoveries and reversals in the
# currency, posted in the period, or posted earlier in a period an issued statement already
# covers (they arrived after it), and in no other statement that is not void.
_PICK_SQL = """
    WITH covered AS (
        SELECT period_start, period_end FROM {remittance}
        WHERE creditor_id = %(creditor)s AND currency = %(currency)s AND status = 'issued'
    ),
    picked AS (
        SELECT e.* FROM {entry} e
        WHERE e.creditor_id = %(creditor)s AND e.currency = %(currency)s
          AND e.kind IN ('payment', 'recovery', 'reversal')
          AND e.posted_on <= %(end)s
          AND (e.posted_on >= %(start)s OR EXISTS (
              SELECT 1 FROM covered c WHERE e.posted_on BETWEEN c.period_start AND c.period_end
          ))
          AND NOT EXISTS (
              SELECT 1 FROM {line} l JOIN {remittance} r ON r.id = l.remittance_id
              WHERE l.entry_id = e.id AND r.status <> 'void' AND r.id <> %(remittance)s
          )
    )
"""

_INSERT_SQL = """
    INSERT INTO {line} (remittance_id, entry_id, debt_id, payment_id, kind, posted_on, amount,
                        stage, days_past_due, percent, commission)
    SELECT %(remittance)s, p.id, p.debt_id, p.payment_id, p.kind, p.posted_on, {amount},
           p.stage, p.days_past_due, {percent}, {commission}
    {rated_from}
    ORDER BY p.posted_on, p.id
"""


def _validate_period(
    *, creditor: Creditor, currency: str, start, end, as_of: datetime.date
) -> tuple[str, datetime.date, datetime.date]:
    currency = (currency or "").strip().upper() if isinstance(currency, str) else ""
    if currency not in CURRENCIES:
        raise ApplicationError(_("Enter an ISO 4217 currency code."), field="currency")
    start = _day(start, field="period_start")
    end = _day(end, field="period_end")
    if end < start:
        raise ApplicationError(_("The period must not end before it starts."), field="period_end")
    if end > as_of:
        raise ApplicationError(
            _("The period cannot end in the future (today is %(today)s).")
            % {"today": as_of.isoformat()},
            field="period_end",
        )
    return currency, start, end


def _overlapping(*, creditor: Creditor, currency: str, start, end) -> Remittance | None:
    return (
        Remittance.objects.filter(creditor=creditor, currency=currency)
        .exclude(status=RemittanceStatus.VOID)
        .filter(period_start__lte=end, period_end__gte=start)
        .order_by("period_start")
        .first()
    )


def remittance_totals(remittance: Remittance) -> dict:
    """Collected, reversed (a positive number), commission and net of the statement's lines."""
    sums = RemittanceLine.objects.filter(remittance=remittance).aggregate(
        collected=Sum("amount", filter=Q(kind__in=COLLECTED_KINDS)),
        reversals=Sum("amount", filter=Q(kind=EntryKind.REVERSAL)),
        commission=Sum("commission"),
    )
    collected = sums["collected"] or Decimal("0.00")
    reversed_ = -(sums["reversals"] or Decimal("0.00"))
    commission = sums["commission"] or Decimal("0.00")
    return {
        "collected": collected,
        "reversed": reversed_,
        "commission": commission,
        "net": collected - reversed_ - commission,
    }


@transaction.atomic
def remittance_prepare(
    *,
    creditor: Creditor,
    currency: str,
    period_start: datetime.date,
    period_end: datetime.date,
    user,
    as_of: datetime.date,
) -> Remittance:
    """A draft statement of what was collected for `creditor` in the period, net of commission.

    Refused: a creditor the user does not manage, a period that ends after `as_of` (the
    business date) or overlaps a statement of the creditor and currency that is not void.
    """
    if user is None or not user_manages_creditor(user=user, creditor_id=creditor.pk):
        raise ApplicationError(_("Unknown creditor."), field="creditor")
    currency, start, end = _validate_period(
        creditor=creditor, currency=currency, start=period_start, end=period_end, as_of=as_of
    )
    _lock_creditor(creditor.pk)
    clash = _overlapping(creditor=creditor, currency=currency, start=start, end=end)
    if clash is not None:
        raise ApplicationError(
            _(
                "This period overlaps the %(status)s statement of %(start)s to %(end)s: void it "
                "first or choose days after it."
            )
            % {
                "status": clash.get_status_display().lower(),
                "start": clash.period_start.isoformat(),
                "end": clash.period_end.isoformat(),
            },
            field="period_start",
        )
    try:
        with transaction.atomic():
            remittance = Remittance.objects.create(
                creditor=creditor,
                currency=currency,
                period_start=start,
                period_end=end,
                created_by=user,
            )
    except IntegrityError:  # the unique constraint, should a writer bypass the lock
        raise ApplicationError(
            _("A statement for this creditor, currency and period already exists."),
            field="period_start",
        ) from None
    names = tables()
    sql = _PICK_SQL.format(**names) + _INSERT_SQL.format(
        amount=AMOUNT, percent=PERCENT, commission=COMMISSION, rated_from=rated_from(), **names
    )
    params = {
        "creditor": creditor.pk,
        "currency": currency,
        "start": start,
        "end": end,
        "remittance": remittance.pk,
        "cut": remittance.created_at,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    for name, value in remittance_totals(remittance).items():
        setattr(remittance, name, value)
    remittance.save(update_fields=["collected", "reversed", "commission", "net", "updated_at"])
    _audit(user=user, remittance=remittance, flag=ADDITION, message="prepared")
    return remittance


def _locked(remittance: Remittance, *, user) -> Remittance:
    if user is None or not user_manages_creditor(user=user, creditor_id=remittance.creditor_id):
        raise ApplicationError(_("Unknown statement."), extra={"status": 404})
    _lock_creditor(remittance.creditor_id)
    return Remittance.objects.select_for_update().select_related("creditor").get(pk=remittance.pk)


@transaction.atomic
def remittance_issue(*, remittance: Remittance, user) -> Remittance:
    """Make a draft statement final (sent to the creditor), keeping its PDF's SHA-256."""
    remittance = _locked(remittance, user=user)
    if remittance.status != RemittanceStatus.DRAFT:
        raise ApplicationError(
            _("Only a draft statement can be issued; this one is %(status)s.")
            % {"status": remittance.get_status_display().lower()},
            field="status",
        )
    remittance.issue()
    remittance.issued_at = timezone.now()
    remittance.issued_by = user
    remittance.pdf_sha256 = hashlib.sha256(remittance_pdf(remittance=remittance)).hexdigest()
    remittance.save(update_fields=["status", "issued_at", "issued_by", "pdf_sha256", "updated_at"])
    _audit(user=user, remittance=remittance, flag=CHANGE, message="issued")
    return remittance


@transaction.atomic
def remittance_void(*, remittance: Remittance, user, reason: str) -> Remittance:
    """Throw a draft statement away (its entries are free for another one), saying why."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ApplicationError(_("Say why the statement is voided."), field="reason")
    if len(reason) > VOID_REASON_MAX:
        raise ApplicationError(
            _("Keep the reason under %(max)s characters.") % {"max": VOID_REASON_MAX},
            field="reason",
        )
    remittance = _locked(remittance, user=user)
    if remittance.status != RemittanceStatus.DRAFT:
        raise ApplicationError(
            _("Only a draft statement can be voided; this one is %(status)s.")
            % {"status": remittance.get_status_display().lower()},
            field="status",
        )
    remittance.void()
    remittance.void_reason = reason
    remittance.save(update_fields=["status", "void_reason", "updated_at"])
    _audit(user=user, remittance=remittance, flag=CHANGE, message=f"voided: {reason}")
    return remittance
