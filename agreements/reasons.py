"""The reasons agreements' services record (codes for core.reasons; see that module)."""

from django.utils.translation import gettext_lazy as _

from core.reasons import reason_register


def _approval_needed(params) -> str:
    from agreements.services.terms import approval_messages

    return "; ".join(approval_messages(params.get("items") or []))


WITHIN_LIMITS = reason_register("agreement.within_limits", _("Within the negotiation limits."))
APPROVED = reason_register("agreement.approved", _("Approved."))
NEEDS_APPROVAL = reason_register(
    "agreement.needs_approval", _("Beyond the negotiation limits."), render=_approval_needed
)
ACTIVE = reason_register("agreement.active", _("Agreement #%(id)s active"))
CANCELLED = reason_register("agreement.cancelled", _("Agreement #%(id)s cancelled: %(reason)s"))
COMPLETED = reason_register("agreement.completed", _("Agreement #%(id)s completed"))
PAID = reason_register("agreement.paid", _("Paid: %(amount)s %(currency)s."))
BROKEN = reason_register(
    "agreement.broken", _("Daily cycle: an instalment stayed unpaid past the grace days.")
)
BROKEN_RETURN = reason_register(
    "agreement.broken_return",
    _("Daily cycle: agreement broken; back to the stage it held before."),
)
TASK_AGREEMENT_BROKEN = reason_register(
    "task.agreement_broken", _("Agreement #%(id)s broken: call the debtor")
)
TASK_PROMISE_BROKEN = reason_register(
    "task.promise_broken", _("Promise of %(amount)s %(currency)s by %(date)s broken")
)
REOPENED = reason_register(
    "agreement.reopened",
    _("Payment %(reference)s reversed: agreement #%(id)s is not paid up and is active again."),
)
FORGIVENESS_UNDONE = reason_register(
    "agreement.forgiveness_undone",
    _("Payment %(reference)s reversed: agreement #%(id)s active again, the forgiven rest is owed."),
)
