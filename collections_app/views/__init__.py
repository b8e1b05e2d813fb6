"""HTML pages of collections_app: `escalation` (policies, the daily cycle, manual stage moves
and holds) and `workspace` (the collectors' work queue, tasks, assignment and approvals)."""
