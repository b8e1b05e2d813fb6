"""Before an experiment starts: how many accounts each arm needs, and how long that takes.

`sample_size_per_arm` is the textbook sample size for comparing two proportions with a
two-sided z-test at equal group sizes (Fleiss, Levin & Paik, *Statistical Methods for Rates and
Proportions*, 3rd ed., 2003, eq. 4.14, without the continuity correction):

    n = [z(1-α/2)·√(2·p̄·q̄) + z(1-β)·√(p1·q1 + p2·q2)]² / (p2 - p1)²,   p̄ = (p1 + p2) / 2

`days_to_supply` says how long the experiment's segment takes to put that many debtors in its
smallest arm: today's members plus the segment's daily inflow of new debtors (last 30 days).
"""

import datetime
import math
from decimal import Decimal, InvalidOperation
from statistics import NormalDist

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from portfolio.models import OPEN_STAGES, Debt

# The window the segment's daily inflow of new debtors is measured over.
INFLOW_DAYS = 30


def _proportion(value, *, field: str) -> float:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ApplicationError(_("Enter a number."), field=field) from exc
    if not number.is_finite() or not Decimal(0) < number < Decimal(100):
        raise ApplicationError(_("Enter a percentage between 0 and 100."), field=field)
    return float(number) / 100


def sample_size_exact(
    *,
    baseline_pct,
    lift_pct,
    alpha: float = 0.05,
    power: float = 0.8,
    continuity_correction: bool = False,
) -> float:
    """The unrounded accounts per arm (optionally with Fleiss's continuity correction)."""
    p1 = _proportion(baseline_pct, field="baseline_pct")
    lift = _proportion(lift_pct, field="lift_pct")
    p2 = p1 + lift
    if p2 >= 1:
        raise ApplicationError(
            _("The baseline plus the lift must stay below 100%."), field="lift_pct"
        )
    if not 0 < alpha < 1:
        raise ApplicationError(_("Alpha is between 0 and 1."), field="alpha")
    if not 0 < power < 1:
        raise ApplicationError(_("Power is between 0 and 1."), field="power")
    normal = NormalDist()
    z_alpha = normal.inv_cdf(1 - alpha / 2)
    z_beta = normal.inv_cdf(power)
    p_bar = (p1 + p2) / 2
    n = (
        z_alpha * math.sqrt(2 * p_bar * (1 - p_bar))
        + z_beta * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    ) ** 2 / (p2 - p1) ** 2
    if continuity_correction:
        n = n / 4 * (1 + math.sqrt(1 + 4 / (n * (p2 - p1)))) ** 2
    return n


def sample_size_per_arm(*, baseline_pct, lift_pct, alpha: float = 0.05, power: float = 0.8) -> int:
    """Accounts each arm needs to detect `lift_pct` points over `baseline_pct`% (two-sided)."""
    return math.ceil(
        sample_size_exact(baseline_pct=baseline_pct, lift_pct=lift_pct, alpha=alpha, power=power)
    )


def _segment_counts(*, creditor, segment, as_of: datetime.date) -> tuple[int, int]:
    """(debtors in the segment today, of whom first entered it in the last INFLOW_DAYS days).

    A debtor's entry is the earliest of their open debts' (the day the debt joined the segment,
    or was loaded for a whole-book experiment)."""
    debt = Debt._meta.db_table
    stages = [str(stage) for stage in OPEN_STAGES]
    marks = ", ".join(["%s"] * len(stages))
    since = as_of - datetime.timedelta(days=INFLOW_DAYS)
    if segment is None:
        # The day it was loaded, in the operation's time zone (like business_today).
        entered = "(d.created_at AT TIME ZONE %s)::date"
        source = f"{debt} d"
        params: list = [settings.TIME_ZONE, creditor.pk, *stages]
        where = f"d.creditor_id = %s AND d.stage IN ({marks})"
    else:
        from analytics.models import DebtSegment

        entered = "ds.assigned_on"
        source = f"{debt} d JOIN {DebtSegment._meta.db_table} ds ON ds.debt_id = d.id"
        params = [creditor.pk, segment.pk, *stages]
        where = f"d.creditor_id = %s AND ds.segment_id = %s AND d.stage IN ({marks})"
    sql = f"""
        SELECT count(*), count(*) FILTER (WHERE first_in > %s)
          FROM (SELECT d.debtor_id, min({entered}) AS first_in FROM {source}
                 WHERE {where} GROUP BY d.debtor_id) m
         WHERE first_in <= %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [since, *params, as_of])
        members, new = cursor.fetchone()
    return members, new


def days_to_supply(
    *, creditor, segment, share_pct, needed: int, as_of: datetime.date
) -> int | None:
    """Days until the smallest arm (`share_pct`% of the segment) holds `needed` debtors: 0 when
    today's members suffice, None when they do not and no new debtors came in 30 days."""
    share = Decimal(str(share_pct))
    if not Decimal(0) < share <= Decimal(100):
        raise ApplicationError(_("A share is between 0% and 100%."), field="share_pct")
    if needed < 0:
        raise ApplicationError(_("Enter a number of 0 or more."), field="needed")
    total_needed = math.ceil(Decimal(needed) * 100 / share)
    members, new = _segment_counts(creditor=creditor, segment=segment, as_of=as_of)
    if members >= total_needed:
        return 0
    if not new:
        return None
    return math.ceil((total_needed - members) * INFLOW_DAYS / new)
