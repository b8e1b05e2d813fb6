"""The agreements step of the daily cycle: set-based, idempotent for a rerun of the same date.

Called once per business date from collections_app.services.cycle (a small hook) before the
ladder runs. It breaks agreements with an instalment unpaid past the grace days (debts back to
the stage they held, a task for the collector, the broken notice), judges promises to pay,
plans instalment reminders and missed-instalment notices, and returns the debts whose ladder
is frozen today (active agreements, and those broken today: back on their stage for the day).
"""

import datetime
from collections import defaultdict

import pandas as pd
from django.db import connection
from django.db.models import Min
from django.utils import timezone

from agreements import reasons
from agreements.models import (
    AgreementDebt,
    AgreementStatus,
    Instalment,
    NegotiationPolicy,
    PaymentAgreement,
    PromiseToPay,
)
from agreements.services.lifecycle import agreement_changes_insert
from agreements.services.notices import notices_insert
from core.fsm import transition_sources
from core.reasons import Reason
from portfolio.models import OPEN_STAGES, Debt, Payment, Stage, Task
from portfolio.services.locks import debts_lock_ids
from portfolio.services.stages import stage_moves_apply
from portfolio.services.tasks import system_tasks_insert

UNPAID = (Instalment.Status.PENDING, Instalment.Status.PARTIAL)
DEFAULT_REMINDER_DAYS = NegotiationPolicy._meta.get_field("reminder_days_before").default


def agreements_cycle_day(*, business_date: datetime.date, run=None) -> set[int]:
    """Run the agreements step for one business date; returns the debt ids frozen today."""
    agreements_break_overdue(business_date=business_date, run=run)
    promises_judge(business_date=business_date)
    instalment_notices_plan(business_date=business_date)
    return frozen_debt_ids(business_date=business_date)


def agreements_freeze(debts: pd.DataFrame, frozen: set[int]) -> pd.DataFrame:
    """Mark frozen debts held: no ladder move and no dunning action for them today."""
    if debts.empty or not frozen:
        return debts
    debts = debts.copy()
    debts["held"] = debts["held"] | debts["id"].isin(frozen)
    return debts


def frozen_debt_ids(*, business_date: datetime.date) -> set[int]:
    active = AgreementDebt.objects.filter(is_open=True, agreement__status=AgreementStatus.ACTIVE)
    broken_today = AgreementDebt.objects.filter(
        agreement__status=AgreementStatus.BROKEN, agreement__ended_on=business_date
    )
    return set(active.values_list("debt_id", flat=True)) | set(
        broken_today.values_list("debt_id", flat=True)
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _primary_debts(agreement_ids) -> dict[int, int]:
    return dict(
        AgreementDebt.objects.filter(agreement_id__any=list(agreement_ids))
        .values("agreement_id")
        .annotate(first=Min("debt_id"))
        .values_list("agreement_id", "first")
    )


def _break_transition() -> tuple[set[str], str]:
    """The statuses `PaymentAgreement.break_agreement` leaves from, and the one it goes to."""
    return transition_sources(PaymentAgreement, "status", "break_agreement")


def _overdue_agreements(business_date: datetime.date, among=None) -> list[int]:
    """Agreements that may break with an instalment unpaid past its due date + grace days."""
    sources, _broken = _break_transition()
    overdue = Instalment.objects.filter(
        agreement__status__in=sources, status__in=UNPAID, due_date__lt=business_date
    )
    if among is not None:
        overdue = overdue.filter(agreement_id__any=among)
    rows = overdue.values("agreement_id", "agreement__grace_days").annotate(oldest=Min("due_date"))
    return [
        row["agreement_id"]
        for row in rows
        if row["oldest"] + datetime.timedelta(days=row["agreement__grace_days"]) < business_date
    ]


def agreements_break_overdue(*, business_date: datetime.date, run=None) -> list[int]:
    """Break active agreements with an instalment unpaid past its grace days."""
    candidates = _overdue_agreements(business_date)
    if not candidates:
        return []
    # Debts before agreements, in id order: the order every payment takes its locks in.
    lines = list(
        AgreementDebt.objects.filter(agreement_id__any=candidates).values_list(
            "agreement_id", "debt_id", "stage_at_start"
        )
    )
    debts_lock_ids(d for _a, d, _s in lines)
    status_of = dict(
        PaymentAgreement.objects.filter(pk__any=candidates)
        .order_by("pk")
        .select_for_update()
        .values_list("pk", "status")
    )
    # Asked again under the locks: a payment that got in first may have paid the instalment.
    broken = sorted(_overdue_agreements(business_date, among=candidates))
    if not broken:
        return []
    # The break_agreement transition, set-based: its declared sources and target, and the
    # same AgreementChange record the single-object path writes (agreement_change).
    sources, target = _break_transition()
    reason = Reason(reasons.BROKEN)
    PaymentAgreement.objects.filter(pk__any=broken, status__in=sources).update(
        status=target, ended_on=business_date, updated_at=timezone.now()
    )
    agreement_changes_insert(
        changes=[(pk, status_of[pk]) for pk in broken],
        to_status=target,
        reason=reason,
        as_of=business_date,
    )
    Instalment.objects.filter(
        agreement_id__any=broken, status__in=UNPAID, due_date__lt=business_date
    ).update(status=Instalment.Status.MISSED)
    Instalment.objects.filter(agreement_id__any=broken, status__in=UNPAID).update(
        status=Instalment.Status.CANCELLED
    )
    AgreementDebt.objects.filter(agreement_id__any=broken).update(is_open=False)
    broken_set = set(broken)
    _return_stages(
        [(d, s) for a, d, s in lines if a in broken_set], business_date=business_date, run=run
    )
    primary = _primary_debts(broken)
    owners = dict(Debt.objects.filter(pk__any=primary.values()).values_list("pk", "assigned_to_id"))
    system_tasks_insert(
        kind=Task.Kind.BROKEN_AGREEMENT,
        due_at=_day_start(business_date) + datetime.timedelta(hours=12),
        tasks=(
            (
                primary[pk],
                owners.get(primary[pk]),
                Reason(reasons.TASK_AGREEMENT_BROKEN, {"id": pk}),
                reason,
                f"agreement:{pk}:broken",
            )
            for pk in broken
        ),
    )
    notices_insert(
        debt_ids=primary.values(), template_code="agreement_broken", business_date=business_date
    )
    return broken


def _return_stages(pairs, *, business_date, run) -> None:
    """Debts in `current` go back to their stage from before the agreement, set-based."""
    stage_moves_apply(
        moves=[
            (debt_id, Stage.CURRENT, stage, "return_from_agreement", None)
            for debt_id, stage in pairs
            if stage != Stage.CURRENT
        ],
        as_of=business_date,
        entered_at=_day_start(business_date),
        reason=Reason(reasons.BROKEN_RETURN),
        cycle_run_id=getattr(run, "pk", None),
    )


def promise_broken_tasks(rows, *, business_date: datetime.date) -> None:
    """A task for the collector per broken promise on an open debt (idempotent by its key);
    rows are (promise id, debt id, amount, currency, promised date, assignee id, debt stage)."""
    system_tasks_insert(
        kind=Task.Kind.BROKEN_PROMISE,
        due_at=_day_start(business_date) + datetime.timedelta(hours=12),
        tasks=(
            (
                debt_id,
                assigned_to_id,
                Reason(
                    reasons.TASK_PROMISE_BROKEN,
                    {"amount": amount, "currency": currency, "date": promised_date},
                ),
                "",
                f"promise:{pk}:broken",
            )
            for pk, debt_id, amount, currency, promised_date, assigned_to_id, stage in sorted(rows)
            if stage in OPEN_STAGES
        ),
    )


def promises_judge(*, business_date: datetime.date) -> tuple[int, int]:
    """Pending promises: kept once payments cover them, broken after date + grace unpaid.

    One UPDATE for every promise judged today (payments after the promise's ledger mark and
    before the day's start summed in SQL); it re-checks `pending` under each row's lock, so a
    payment judging the same promise at the same moment wins or loses cleanly."""
    promise, payment, debt = (m._meta.db_table for m in (PromiseToPay, Payment, Debt))
    pending, kept_status, broken_status = (
        PromiseToPay.Status.PENDING,
        PromiseToPay.Status.KEPT,
        PromiseToPay.Status.BROKEN,
    )
    sql = f"""
        WITH paid AS (
            SELECT p.id, (SELECT SUM(x.amount) FROM {payment} x
                           WHERE x.debt_id = p.debt_id AND x.id > p.ledger_mark
                             AND x.paid_at < %(cutoff)s AND x.reversed_at IS NULL) AS total
              FROM {promise} p
             WHERE p.status = %(pending)s AND p.made_on < %(day)s
        ), judged AS (
            SELECT p.id, LEAST(COALESCE(paid.total, 0), p.amount) AS paid_amount,
                   CASE WHEN paid.total >= p.amount THEN %(kept)s ELSE %(broken)s END AS status
              FROM {promise} p JOIN paid ON paid.id = p.id
             WHERE paid.total >= p.amount
                OR p.promised_date + p.grace_days < %(day)s
        )
        UPDATE {promise} p
           SET status = j.status, paid_amount = j.paid_amount, resolved_on = %(day)s,
               updated_at = %(now)s
          FROM judged j, {debt} d
         WHERE p.id = j.id AND d.id = p.debt_id AND p.status = %(pending)s
        RETURNING p.id, p.status, p.debt_id, p.amount, p.currency, p.promised_date,
                  d.assigned_to_id, d.stage
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "cutoff": _day_start(business_date),  # payments up to the end of the day before
                "day": business_date,
                "now": timezone.now(),
                "pending": pending,
                "kept": kept_status,
                "broken": broken_status,
            },
        )
        judged = cursor.fetchall()
    broken = [row for row in judged if row[1] == broken_status]
    promise_broken_tasks(
        [
            (pk, debt_id, amount, currency, promised_date, assigned_to_id, stage)
            for (pk, _s, debt_id, amount, currency, promised_date, assigned_to_id, stage) in broken
        ],
        business_date=business_date,
    )
    return len(judged) - len(broken), len(broken)


def instalment_notices_plan(*, business_date: datetime.date) -> int:
    """Reminders N days before each unpaid instalment; a missed notice the day after its date."""
    by_days = defaultdict(list)
    for creditor_id, days in NegotiationPolicy.objects.values_list(
        "creditor_id", "reminder_days_before"
    ):
        by_days[days].append(creditor_id)
    configured = [c for ids in by_days.values() for c in ids]
    live = Instalment.objects.filter(agreement__status=AgreementStatus.ACTIVE, status__in=UNPAID)
    reminded = set()
    for days, creditor_ids in by_days.items():
        reminded |= set(
            live.filter(
                agreement__creditor_id__in=creditor_ids,
                due_date=business_date + datetime.timedelta(days=days),
            ).values_list("agreement_id", flat=True)
        )
    reminded |= set(
        live.exclude(agreement__creditor_id__in=configured)
        .filter(due_date=business_date + datetime.timedelta(days=DEFAULT_REMINDER_DAYS))
        .values_list("agreement_id", flat=True)
    )
    # The day after the due date, while the grace days still run (no grace: it just breaks).
    missed = set(
        live.filter(
            due_date=business_date - datetime.timedelta(days=1), agreement__grace_days__gt=0
        ).values_list("agreement_id", flat=True)
    )
    count = 0
    for template, agreement_ids in (
        ("instalment_reminder", reminded),
        ("missed_instalment", missed),
    ):
        if agreement_ids:
            count += notices_insert(
                debt_ids=_primary_debts(agreement_ids).values(),
                template_code=template,
                business_date=business_date,
            )
    return count
