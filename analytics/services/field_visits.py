"""Field-visit tasks for the segments whose strategy includes one (set-based, idempotent).

The nightly job calls `field_visit_tasks_sync` once segments are written: every open, assigned
debt of an active segment with `field_visits` gets one open FIELD_VISIT task for its
collector, where the debtor's jurisdiction allows visits. Which jurisdictions allow them is
the compliance engine's data (`visits_forbidden_by`: CO-VISIT, DEFAULT-VISIT), asked once per
(country, region) present, never per debt. A rerun creates nothing twice: a debt with an
open field-visit task (system or manual) gets none, and the source key
`field-visit:<debt>:<segment>` gives one system visit per debt and segment. Open system
visits of debts that left such a segment, closed, or whose debtor may no longer be visited
are cancelled.
"""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from analytics import reasons
from messaging.services.compliance import visits_forbidden_by
from portfolio.models import OPEN_STAGES, Task

SOURCE_PREFIX = "field-visit:"
NAME = "\x00"  # stands for the debtor's name in the translated title

_ELIGIBLE = """
    FROM portfolio_debt d
    JOIN analytics_debtsegment ds ON ds.debt_id = d.id
    JOIN analytics_segmentdefinition s
      ON s.id = ds.segment_id AND s.field_visits AND s.is_active
    JOIN portfolio_debtor p ON p.id = d.debtor_id
   WHERE d.stage IN ({stages})
"""


def _stages() -> tuple[str, list[str]]:
    return ", ".join(["%s"] * len(OPEN_STAGES)), [str(s) for s in OPEN_STAGES]


def visitable_jurisdictions() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(allowed, forbidden) (country, region) pairs among the debtors of field-visit segments."""
    stages, params = _stages()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT UPPER(p.country), UPPER(COALESCE(p.region, ''))"
            + _ELIGIBLE.format(stages=stages),
            params,
        )
        pairs = sorted(cursor.fetchall())
    allowed = [
        pair for pair in pairs if visits_forbidden_by(country=pair[0], region=pair[1]) is None
    ]
    return allowed, [pair for pair in pairs if pair not in allowed]


def _pairs_sql(pairs) -> tuple[str, list[str]]:
    if not pairs:
        return "FALSE", []
    sql = " OR ".join(
        ["(UPPER(p.country) = %s AND UPPER(COALESCE(p.region, '')) = %s)"] * len(pairs)
    )
    return f"({sql})", [value for pair in pairs for value in pair]


@transaction.atomic
def field_visit_tasks_sync(*, as_of: datetime.date) -> dict[str, int]:
    """Create the missing field-visit tasks and cancel the stale ones; returns the counts."""
    allowed, _forbidden = visitable_jurisdictions()
    stages, stage_params = _stages()
    where_allowed, pair_params = _pairs_sql(allowed)
    now = timezone.now()
    due = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time(12)))
    # The title and note are codes shown in the viewer's language; the text (the operation's
    # language) is what a row without codes would show.
    with translation.override(settings.LANGUAGE_CODE):
        before, after = (_("Field visit to %(name)s") % {"name": NAME}).split(NAME, 1)
        note = _("The segment's strategy includes a field visit.")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO portfolio_task
                   (debt_id, assigned_to_id, kind, due_at, status, title, title_code,
                    title_params, note, note_code, note_params, created_at, source_key)
            SELECT d.id, d.assigned_to_id, %s, %s, %s,
                   SUBSTR(%s || p.full_name || %s, 1, 200), %s,
                   jsonb_build_object('name', p.full_name), %s, %s, '{{}}'::jsonb, %s,
                   %s || CAST(d.id AS varchar(20)) || ':' || CAST(s.id AS varchar(20))
            {_ELIGIBLE.format(stages=stages)}
               AND d.assigned_to_id IS NOT NULL
               AND {where_allowed}
               AND NOT EXISTS (
                   SELECT 1 FROM portfolio_task t
                    WHERE t.debt_id = d.id AND t.kind = %s AND t.status = %s
               )
            ON CONFLICT (source_key) DO NOTHING
            """,
            [
                Task.Kind.FIELD_VISIT.value,
                due,
                Task.Status.OPEN.value,
                before,
                after,
                reasons.TASK_FIELD_VISIT,
                note,
                reasons.TASK_FIELD_VISIT_NOTE,
                now,
                SOURCE_PREFIX,
                *stage_params,
                *pair_params,
                Task.Kind.FIELD_VISIT.value,
                Task.Status.OPEN.value,
            ],
        )
        created = cursor.rowcount
        # Still due: open debts of a field-visit segment whose debtor may be visited.
        cursor.execute(
            f"""
            UPDATE portfolio_task SET status = %s
             WHERE kind = %s AND status = %s AND source_key LIKE %s
               AND debt_id NOT IN (
                   SELECT d.id {_ELIGIBLE.format(stages=stages)} AND {where_allowed}
               )
            """,
            [
                Task.Status.CANCELLED.value,
                Task.Kind.FIELD_VISIT.value,
                Task.Status.OPEN.value,
                SOURCE_PREFIX + "%",
                *stage_params,
                *pair_params,
            ],
        )
        cancelled = cursor.rowcount
    return {"created": created, "cancelled": cancelled}
