"""Each arm's counts on a business date, read set-based: one statement per measure, all arms.

Intention to treat: an arm's accounts are every debtor ever assigned to it (`Assignment`, on or
before `as_of`), whether they left the segment or not, and only their debts of the experiment's
creditor count. Every window runs from the debtor's `assigned_on` to `as_of` (both included, in
the operation's time zone for instants):

- **accounts**: debtors assigned to the arm.
- **delinquent / cured**: a debtor is *delinquent at assignment* when at least one of their
  debts of the creditor stood in a past-due stage (friendly reminder, firm notice, pre-legal,
  legal) at the end of `assigned_on`; such a debtor is *cured* when every one of those debts
  stands in `current`, `paid` or `settled` at the end of `as_of`. A debt's stage on a date is
  read from its stage changes (the last one on or before the date; before its first change,
  the stage that change left; with none, today's stage), so a replayed date gives the same
  answer. Cure rate = cured / delinquent (debtors with nothing past due at assignment cannot
  cure and are left out of it; randomisation happens before, so the arms stay comparable).
- **collected** (per currency, never mixed): payments on those debts paid since assignment;
  `payers` debtors paid something, and `sum_squares` is the sum over debtors of the square of
  what each paid (for Welch's interval of the amount per account, zeros included).
- **promises made / kept / broken**: promises to pay on those debts made since assignment;
  kept and broken count those resolved by `as_of`.
- **complaints**: complaints of the creditor by those debtors received since assignment.
- **opt-outs**: debtors with at least one consent revocation (any channel) since assignment.
- **messages planned / suppressed / contacts**: messages recorded with the arm
  (`Message.experiment_arm_id`) for a business date up to `as_of`; suppressed are those the
  compliance engine refused (status `suppressed`; a cancellation because the debt was paid or
  the address is missing is not a refusal); contacts are those actually sent.
- **payments**: the number of payments counted in `collected`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection

from agreements.models import PromiseToPay
from complaints.models import Complaint
from experiments.models import Arm, Assignment
from messaging.models import Message
from portfolio.models import ConsentEvent, ContactPoint, Debt, Payment, Stage, StageChange

DELINQUENT_STAGES = (Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE, Stage.PRE_LEGAL, Stage.LEGAL)
CURED_STAGES = (Stage.CURRENT, Stage.PAID, Stage.SETTLED)


@dataclass
class Collected:
    amount: Decimal = Decimal("0.00")
    payers: int = 0
    payments: int = 0
    sum_squares: Decimal = Decimal("0")


@dataclass
class ArmCounts:
    """What `arm_counts` reads for one arm (definitions in the module's docstring)."""

    accounts: int = 0
    delinquent: int = 0
    cured: int = 0
    collected: dict[str, Collected] = field(default_factory=dict)
    promises_made: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    complaints: int = 0
    opt_outs: int = 0
    messages_planned: int = 0
    messages_suppressed: int = 0
    contacts: int = 0

    @property
    def payments(self) -> int:
        return sum(c.payments for c in self.collected.values())


def _assigned_cte() -> str:
    return f"""asg AS (
        SELECT a.arm_id, a.debtor_id, a.creditor_id, a.assigned_on,
               (a.assigned_on::timestamp AT TIME ZONE %(tz)s) AS since
          FROM {Assignment._meta.db_table} a
         WHERE a.experiment_id = ANY(%(experiments)s) AND a.assigned_on <= %(as_of)s)"""


def _stage_on(day: str) -> str:
    """SQL of debt d's stage at the end of the date expression `day`."""
    changes = StageChange._meta.db_table
    return f"""COALESCE(
        (SELECT sc.to_stage FROM {changes} sc WHERE sc.debt_id = d.id AND sc.business_date <= {day}
          ORDER BY sc.business_date DESC, sc.occurred_at DESC, sc.id DESC LIMIT 1),
        (SELECT sc.from_stage FROM {changes} sc WHERE sc.debt_id = d.id AND sc.business_date > {day}
          ORDER BY sc.business_date, sc.occurred_at, sc.id LIMIT 1),
        d.stage)"""


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def arm_counts(*, experiment_ids: list[int], as_of: datetime.date) -> dict[int, ArmCounts]:
    """Every arm's counts of these experiments on `as_of`, keyed by arm id (arms with no
    assignment yet are absent)."""
    if not experiment_ids:
        return {}
    params = {
        "experiments": list(experiment_ids),
        "as_of": as_of,
        "until": as_of + datetime.timedelta(days=1),
        "tz": settings.TIME_ZONE,
        "delinquent": [str(s) for s in DELINQUENT_STAGES],
        "cured": [str(s) for s in CURED_STAGES],
        "suppressed": str(Message.Status.SUPPRESSED),
        "kept": str(PromiseToPay.Status.KEPT),
        "broken": str(PromiseToPay.Status.BROKEN),
    }
    until = "(%(until)s::timestamp AT TIME ZONE %(tz)s)"
    debt = Debt._meta.db_table
    counts: dict[int, ArmCounts] = {}
    with_asg = f"WITH {_assigned_cte()}"

    for arm_id, accounts in _rows(
        f"{with_asg} SELECT arm_id, count(*) FROM asg GROUP BY arm_id", params
    ):
        counts[arm_id] = ArmCounts(accounts=accounts)

    for arm_id, delinquent, cured in _rows(
        f"""{with_asg}, owed AS (
            SELECT asg.arm_id, asg.debtor_id,
                   bool_and({_stage_on("%(as_of)s::date")} = ANY(%(cured)s)) AS cured
              FROM asg JOIN {debt} d ON d.debtor_id = asg.debtor_id
                   AND d.creditor_id = asg.creditor_id
             WHERE {_stage_on("asg.assigned_on")} = ANY(%(delinquent)s)
             GROUP BY asg.arm_id, asg.debtor_id)
        SELECT arm_id, count(*), count(*) FILTER (WHERE cured) FROM owed GROUP BY arm_id""",
        params,
    ):
        counts[arm_id].delinquent, counts[arm_id].cured = delinquent, cured

    for arm_id, currency, amount, payers, payments, squares in _rows(
        f"""{with_asg}, paid AS (
            SELECT asg.arm_id, asg.debtor_id, p.currency, sum(p.amount) AS amount,
                   count(*) AS payments
              FROM asg JOIN {debt} d ON d.debtor_id = asg.debtor_id
                   AND d.creditor_id = asg.creditor_id
              JOIN {Payment._meta.db_table} p ON p.debt_id = d.id
             WHERE p.paid_at >= asg.since AND p.paid_at < {until}
             GROUP BY asg.arm_id, asg.debtor_id, p.currency)
        SELECT arm_id, currency, sum(amount), count(*), sum(payments), sum(amount * amount)
          FROM paid GROUP BY arm_id, currency""",
        params,
    ):
        counts[arm_id].collected[currency] = Collected(
            amount=amount, payers=payers, payments=int(payments), sum_squares=squares
        )

    for arm_id, made, kept, broken in _rows(
        f"""{with_asg}
        SELECT asg.arm_id, count(*),
               count(*) FILTER (WHERE pr.status = %(kept)s AND pr.resolved_on <= %(as_of)s),
               count(*) FILTER (WHERE pr.status = %(broken)s AND pr.resolved_on <= %(as_of)s)
          FROM asg JOIN {debt} d ON d.debtor_id = asg.debtor_id
               AND d.creditor_id = asg.creditor_id
          JOIN {PromiseToPay._meta.db_table} pr ON pr.debt_id = d.id
         WHERE pr.made_on >= asg.assigned_on AND pr.made_on <= %(as_of)s
         GROUP BY asg.arm_id""",
        params,
    ):
        row = counts[arm_id]
        row.promises_made, row.promises_kept, row.promises_broken = made, kept, broken

    for arm_id, complaints in _rows(
        f"""{with_asg}
        SELECT asg.arm_id, count(*)
          FROM asg JOIN {Complaint._meta.db_table} c ON c.debtor_id = asg.debtor_id
               AND c.creditor_id = asg.creditor_id
         WHERE c.received_on >= asg.assigned_on AND c.received_on <= %(as_of)s
         GROUP BY asg.arm_id""",
        params,
    ):
        counts[arm_id].complaints = complaints

    for arm_id, opt_outs in _rows(
        f"""{with_asg}
        SELECT asg.arm_id, count(*) FROM asg
         WHERE EXISTS (
               SELECT 1 FROM {ContactPoint._meta.db_table} cp
                 JOIN {ConsentEvent._meta.db_table} ce ON ce.contact_point_id = cp.id
                WHERE cp.debtor_id = asg.debtor_id AND NOT ce.granted
                  AND ce.occurred_at >= asg.since AND ce.occurred_at < {until})
         GROUP BY asg.arm_id""",
        params,
    ):
        counts[arm_id].opt_outs = opt_outs

    for arm_id, planned, suppressed, contacts in _rows(
        f"""SELECT m.experiment_arm_id, count(*),
                   count(*) FILTER (WHERE m.status = %(suppressed)s),
                   count(*) FILTER (WHERE m.sent_at IS NOT NULL AND m.sent_at < {until})
              FROM {Message._meta.db_table} m
             WHERE m.experiment_arm_id IN (
                   SELECT id FROM {Arm._meta.db_table} WHERE experiment_id = ANY(%(experiments)s))
               AND m.business_date <= %(as_of)s
             GROUP BY m.experiment_arm_id""",
        params,
    ):
        row = counts.setdefault(arm_id, ArmCounts())
        row.messages_planned, row.messages_suppressed, row.contacts = planned, suppressed, contacts
    return counts
