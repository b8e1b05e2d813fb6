"""The reasons collections_app's services record (codes for core.reasons; see that module)."""

from django.utils.translation import gettext_lazy as _

from core.reasons import reason_register
from ledger.models import ReversalReason

CYCLE_THRESHOLD = reason_register(
    "cycle.dpd_threshold", _("Daily cycle: days past due reached the policy threshold")
)
TASK_CALLBACK = reason_register("task.callback", _("Call back %(name)s"))
TASK_LEGAL_REQUEST = reason_register(
    "task.legal_request", _("Legal escalation requested for %(ref)s")
)

PAYMENT_REVERSED = reason_register(
    "payment.reversed_reopen",
    _("Payment %(reference)s reversed (%(reason)s): owed again"),
    labels={"reason": ReversalReason},
)
