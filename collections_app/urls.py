from django.urls import path

from collections_app.views import escalation, inbox, reversals, suspense, workspace

app_name = "collections"
urlpatterns = [
    # The collector workspace: the work queue, my tasks, assignment, approvals.
    path("", workspace.queue_view, name="queue"),
    path("next/", workspace.next_case_view, name="next"),
    path("tasks/", workspace.tasks_view, name="tasks"),
    path("tasks/<int:pk>/done/", workspace.task_done_view, name="task-done"),
    path("assign/", workspace.assign_view, name="assign"),
    path("approvals/", workspace.approvals_view, name="approvals"),
    path("approvals/legal/<int:pk>/", workspace.legal_approve_view, name="legal-approve"),
    path("debts/<int:pk>/interactions/", workspace.interaction_new_view, name="interaction-new"),
    path("debts/<int:pk>/legal-request/", workspace.legal_request_view, name="legal-request"),
    path("debts/<int:pk>/assign/", workspace.assign_one_view, name="assign-one"),
    # The team inbox: what debtors wrote back (SMS, WhatsApp, e-mail).
    path("inbox/", inbox.inbox_view, name="inbox"),
    path("inbox/badge/", inbox.inbox_badge_view, name="inbox-badge"),
    path("inbox/<int:pk>/", inbox.inbound_detail_view, name="inbound-detail"),
    path("inbox/<int:pk>/read/", inbox.inbound_read_view, name="inbound-read"),
    path("inbox/<int:pk>/handled/", inbox.inbound_handled_view, name="inbound-handled"),
    path("inbox/<int:pk>/reopen/", inbox.inbound_reopen_view, name="inbound-reopen"),
    path("inbox/<int:pk>/assign/", inbox.inbound_assign_view, name="inbound-assign"),
    path("inbox/<int:pk>/match/", inbox.inbound_match_view, name="inbound-match"),
    path("inbox/<int:pk>/reply/", inbox.inbound_reply_view, name="inbound-reply"),
    # Suspense: money no debt could take, applied to a debt or refunded (with a record).
    path("suspense/", suspense.suspense_list_view, name="suspense-list"),
    path("suspense/<int:pk>/", suspense.suspense_detail_view, name="suspense-detail"),
    path("suspense/<int:pk>/apply/", suspense.suspense_apply_view, name="suspense-apply"),
    path("suspense/<int:pk>/refund/", suspense.suspense_refund_view, name="suspense-refund"),
    # Escalation: policies, the daily cycle, manual stage moves and holds.
    path("policies/", escalation.policy_index, name="policy-list"),
    path("policies/new/", escalation.policy_new, name="policy-new"),
    path("policies/<int:pk>/", escalation.policy_edit, name="policy-edit"),
    path("cycle/", escalation.cycle_overview, name="cycle"),
    path("debts/<int:pk>/transition/", escalation.debt_transition_view, name="debt-transition"),
    path("debts/<int:pk>/holds/", escalation.debt_hold_open_view, name="debt-hold-open"),
    path("holds/<int:pk>/close/", escalation.hold_close_view, name="hold-close"),
    # Corrections: a payment reversed from the debt page; reversals and write-offs listed.
    path("payments/<int:pk>/reverse/", reversals.payment_reverse_view, name="payment-reverse"),
    path("reversals/", reversals.reversal_list_view, name="reversal-list"),
]
