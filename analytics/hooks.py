"""What analytics contributes to the apps below it (their hooks; see core.hooks)."""

from analytics.models import BehaviourScore, DebtSegment, SegmentDefinition
from core.hooks import Hook

# Called with `as_of=` inside the nightly run, right after the segments are written (and before
# the KPI snapshots): experiments refresh who is in their arms from the new segments.
segments_written = Hook("analytics.segments_written")

# Extra tables of the KPI exports from the apps above (experiments: one row per arm). Each
# registered function takes no argument and returns a list of analytics.exports.ExtraTable
# (name, label, build); `build(filters=KpiFilters)` is called only when that table is exported.
kpi_export_extra = Hook("analytics.kpi_export_extra")


def debt_segment_codes_sql() -> str:
    """Each debt's segment code, as a relation (debt_id, code) the daily cycle joins."""
    return (
        f"(SELECT ds.debt_id, sd.code FROM {DebtSegment._meta.db_table} ds"
        f" JOIN {SegmentDefinition._meta.db_table} sd ON sd.id = ds.segment_id)"
    )


def debt_segment(debt) -> SegmentDefinition | None:
    """The segment the nightly job put this debt in (None before its first run)."""
    try:
        return debt.segment_state.segment
    except DebtSegment.DoesNotExist:
        return None


def debt_segment_code(debt) -> str:
    segment = debt_segment(debt)
    return segment.code if segment else ""


def debt_page_related() -> list[str]:
    return ["segment_state__segment"]


def debt_page_reads(*, user) -> dict:
    """The debtor's behaviour score, read with the debt page's debt (portfolio.hooks.
    debt_page_reads) for the segment panel (core.memo key "behaviour_score")."""
    from django.db.models import OuterRef

    from core.memo import keep
    from core.page_reads import JSONRows, rows_from_json

    def load(debt, text):
        rows = rows_from_json(BehaviourScore, text)
        keep(debt, "behaviour_score", rows[0] if rows else None)

    score = BehaviourScore.objects.filter(debtor_id=OuterRef("debtor_id")).order_by("pk")[:1]
    return {"_read_behaviour_score": (JSONRows(score), load)}


def debtor_score_queryset():
    """The behaviour score of the queue's debtor (OuterRef("debtor_id"))."""
    from django.db.models import OuterRef

    return BehaviourScore.objects.filter(debtor_id=OuterRef("debtor_id"))


def segment_choices(*, creditor_ids: list[int]) -> list[SegmentDefinition]:
    """The segments of these creditors, for the work queue's filters."""
    return list(SegmentDefinition.objects.filter(creditor__in=creditor_ids).order_by("name", "id"))


def register() -> None:
    from analytics.filters import register_debt_filters
    from collections_app import hooks as collections
    from portfolio import hooks as portfolio

    collections.debt_segment_codes_sql.register(debt_segment_codes_sql, key="analytics")
    collections.debtor_score_queryset.register(debtor_score_queryset, key="analytics")
    collections.segment_choices.register(segment_choices, key="analytics")
    collections.debt_segment_code.register(debt_segment_code, key="analytics")
    portfolio.debt_page_related.register(debt_page_related, key="analytics")
    portfolio.debt_page_reads.register(debt_page_reads, key="analytics")
    register_debt_filters()
