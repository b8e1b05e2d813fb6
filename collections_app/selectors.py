"""Reads for escalation: which policy version applies, holds in force, the case timeline."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from collections_app.models import EscalationPolicy, EscalationPolicyVersion, Hold, StageChange
from core.roles import ADMIN, MANAGER, user_role


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
    """The policy version that governs this debt today."""
    segment = debt.segment.code if debt.segment else ""
    return policy_resolver(creditor_ids=[debt.creditor_id]).version_for(
        creditor_id=debt.creditor_id, product=debt.product, segment=segment
    )


def policy_list(*, user) -> QuerySet[EscalationPolicy]:
    """Policies of the creditors the user manages."""
    qs = EscalationPolicy.objects.select_related("creditor", "current_version")
    role = user_role(user)
    if role == ADMIN:
        return qs
    if role == MANAGER:
        return qs.filter(creditor__managers=user)
    return qs.none()


def open_holds_for_debt(*, debt) -> QuerySet[Hold]:
    """Holds in force on a debt: its own and those on its debtor as a whole."""
    return Hold.objects.filter(
        Q(debt=debt) | Q(debtor_id=debt.debtor_id, debt__isnull=True), closed_at__isnull=True
    )


def prefetch_open_holds(debts: QuerySet) -> QuerySet:
    """Attach the holds in force to each debt in two queries (own, and the debtor's)."""
    return debts.prefetch_related(
        Prefetch(
            "holds", queryset=Hold.objects.filter(closed_at__isnull=True), to_attr="open_own_holds"
        ),
        Prefetch(
            "debtor__holds",
            queryset=Hold.objects.filter(closed_at__isnull=True, debt__isnull=True),
            to_attr="open_debtor_holds",
        ),
    )


def holds_for_debt(*, debt) -> QuerySet[Hold]:
    """Every hold, open or closed, that touched this debt."""
    return Hold.objects.filter(
        Q(debt=debt) | Q(debtor_id=debt.debtor_id, debt__isnull=True)
    ).select_related("opened_by", "closed_by")


def stage_changes_for_debt(*, debt) -> QuerySet[StageChange]:
    return StageChange.objects.filter(debt=debt).select_related("actor", "policy_version__policy")


def debt_escalation_context(*, debt, user, as_of) -> dict:
    """What the debt page's escalation panel shows: holds, allowed actions, stage history."""
    from collections_app.services.transitions import available_transitions

    holds = list(holds_for_debt(debt=debt))
    return {
        "holds": holds,
        "open_holds": [h for h in holds if h.is_open],
        "hold_kinds": Hold.Kind.choices,
        "outcomes": Hold.Outcome.choices,
        "transitions": available_transitions(debt=debt, user=user, as_of=as_of)
        if debt.is_open
        else [],
        "stage_changes": list(stage_changes_for_debt(debt=debt)),
    }
