"""Reads for escalation: which policy version applies, holds in force, the case timeline."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet, Sum

from collections_app.hooks import debt_segment_code
from collections_app.models import (
    CycleRun,
    CycleRunCreditor,
    EscalationPolicy,
    EscalationPolicyVersion,
)
from core.memo import read_once
from core.scoping import scope_for_user
from messaging.hooks import debtor_arms_sql
from portfolio.models import Creditor, Hold, StageChange
from portfolio.selectors import holds_for_debt


@dataclass(frozen=True)
class PolicyResolver:
    """Finds a debt's policy version by (creditor, product, segment), most specific first."""

    by_scope: dict[tuple[int, str, str], EscalationPolicyVersion]

    def version_for(
        self, *, creditor_id: int, product: str, segment: str = ""
    ) -> EscalationPolicyVersion | None:
        for scope in (
            (creditor_id, product, segment),
            (creditor_id, "", segment),
            (creditor_id, product, ""),
            (creditor_id, "", ""),
        ):
            version = self.by_scope.get(scope)
            if version is not None:
                return version
        return None


def policy_resolver(*, creditor_ids=None) -> PolicyResolver:
    """Load the current version of every active policy (a handful of rows) once."""
    qs = EscalationPolicy.objects.filter(is_active=True, current_version__isnull=False)
    if creditor_ids is not None:
        qs = qs.filter(creditor_id__in=creditor_ids)
    qs = qs.select_related("current_version")
    return PolicyResolver(
        by_scope={(p.creditor_id, p.product, p.segment): p.current_version for p in qs}
    )


def policy_version_for_debt(*, debt) -> EscalationPolicyVersion | None:
    """The policy version that governs this debt today: its debtor's arm's, when the debtor is
    in an active challenger of a running policy experiment (as the daily cycle decides)."""
    arm_version = _arm_policy_version(debt)
    if arm_version is not None:
        return arm_version
    return policy_resolver(creditor_ids=[debt.creditor_id]).version_for(
        creditor_id=debt.creditor_id,
        product=debt.product,
        segment=debt_segment_code.call_one(debt),
    )


def _arm_policy_version(debt) -> EscalationPolicyVersion | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.policy_version_id FROM {debtor_arms_sql.call_one()} r"
            " WHERE r.debtor_id = %s AND r.creditor_id = %s AND r.policy_version_id IS NOT NULL",
            [debt.debtor_id, debt.creditor_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return EscalationPolicyVersion.objects.filter(pk=row[0]).first()


def policy_list(*, user) -> QuerySet[EscalationPolicy]:
    """Policies of the creditors the user manages."""
    return scope_for_user(
        EscalationPolicy.objects.select_related("creditor", "current_version"), user=user
    )


def stage_changes_for_debt(*, debt) -> list[StageChange]:
    """The debt's stage changes, newest first, each with its policy version (or None)."""
    return attach_policy_versions(
        list(StageChange.objects.filter(debt=debt).select_related("actor"))
    )


def attach_policy_versions(changes: list[StageChange]) -> list[StageChange]:
    """`changes`, each with its policy version (one query when any has one)."""
    ids = {c.policy_version_id for c in changes if c.policy_version_id}
    versions = EscalationPolicyVersion.objects.select_related("policy").in_bulk(ids)
    for change in changes:
        change.policy_version = versions.get(change.policy_version_id)
    return changes


def debt_holds(*, debt) -> list[Hold]:
    """Every hold, open or closed, that touched the debt: read once per page, for the panels
    that show them (header, escalation, timeline) and the call check."""
    return read_once(debt, "holds", lambda: list(holds_for_debt(debt=debt)))


def debt_stage_changes(*, debt) -> list[StageChange]:
    """stage_changes_for_debt, read once per page (the escalation panel and the timeline)."""
    return read_once(debt, "stage_changes", lambda: stage_changes_for_debt(debt=debt))


def debt_escalation_context(*, debt, user, as_of) -> dict:
    """What the debt page's escalation panel shows: holds, allowed actions, stage history."""
    from collections_app.services.transitions import available_transitions

    holds = debt_holds(debt=debt)
    return {
        "holds": holds,
        "open_holds": [h for h in holds if h.is_open],
        "hold_kinds": Hold.Kind.choices,
        "outcomes": Hold.Outcome.choices,
        "transitions": available_transitions(debt=debt, user=user, as_of=as_of)
        if debt.is_open
        else [],
        "stage_changes": debt_stage_changes(debt=debt),
    }


COUNT_FIELDS = ("debts_evaluated", "debts_moved", "debts_held", "actions_planned")


@dataclass(frozen=True)
class CycleRunView:
    """A cycle run with its counts over the creditors the viewer may see (None: not known)."""

    run: CycleRun
    debts_evaluated: int | None
    debts_moved: int | None
    debts_held: int | None
    actions_planned: int | None


def cycle_run_list(*, user, limit: int = 14) -> list[CycleRunView]:
    """The latest cycle runs, each counting only the debts of the creditors `user` may see."""
    runs = list(CycleRun.objects.all()[:limit])
    ids = [run.id for run in runs]
    shares = scope_for_user(CycleRunCreditor.objects.filter(run_id__in=ids), user=user)
    sums = {
        row.pop("run_id"): row
        for row in shares.values("run_id").annotate(**{f: Sum(f) for f in COUNT_FIELDS})
    }
    split = set(CycleRunCreditor.objects.filter(run_id__in=ids).values_list("run_id", flat=True))
    # Runs from before the per-creditor counts were kept have only the totals over every
    # creditor: those are shown to whoever sees every creditor, and to nobody else.
    sees_all = None
    result = []
    for run in runs:
        if run.id in split:
            counts = {f: (sums.get(run.id) or {}).get(f) or 0 for f in COUNT_FIELDS}
        else:
            if sees_all is None:
                sees_all = (
                    scope_for_user(Creditor.objects.all(), user=user, creditor="").count()
                    == Creditor.objects.count()
                )
            counts = {f: getattr(run, f) if sees_all else None for f in COUNT_FIELDS}
        result.append(CycleRunView(run=run, **counts))
    return result
