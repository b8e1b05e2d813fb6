"""Reads of collections_app, split by sub-domain: `escalation` (policies, holds and stage
history of a debt), `workspace` (the work queue, the case timeline, tasks, approvals) and
`case_panel` (what the debt page's case panel shows; imported from its module, as it builds
forms too)."""

from collections_app.selectors.escalation import (
    PolicyResolver,
    debt_escalation_context,
    policy_list,
    policy_resolver,
    policy_version_for_debt,
    stage_changes_for_debt,
)
from collections_app.selectors.workspace import (
    TIMELINE_LIMIT,
    Event,
    case_holds,
    case_timeline,
    legal_requests,
    my_tasks,
    pre_legal_candidates,
    work_queue,
    work_queue_annotate,
    work_queue_base,
    work_queue_page,
)

__all__ = [
    "TIMELINE_LIMIT",
    "Event",
    "PolicyResolver",
    "case_holds",
    "case_timeline",
    "debt_escalation_context",
    "legal_requests",
    "my_tasks",
    "policy_list",
    "policy_resolver",
    "policy_version_for_debt",
    "pre_legal_candidates",
    "stage_changes_for_debt",
    "work_queue",
    "work_queue_annotate",
    "work_queue_base",
    "work_queue_page",
]
