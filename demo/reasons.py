"""The reasons the demo seed records (codes for core.reasons; see that module).

The demo writes history as if the product had: where the product has a code (agreements,
tasks) the seed uses it; the ledger's own sentences are registered here.
"""

from django.utils.translation import gettext_lazy as _

from core.reasons import reason_register

DPD_POLICY = reason_register(
    "demo.dpd_policy", _("Days past due reached %(dpd)s (default policy).")
)
PAID_IN_FULL = reason_register("demo.paid_in_full", _("The balance was paid in full."))
SETTLED = reason_register("demo.settled", _("Settlement agreement completed with a discount."))
WRITTEN_OFF = reason_register("demo.written_off", _("Written off: no recovery expected."))
TO_LEGAL = reason_register("demo.to_legal", _("Approved for legal action by the manager."))
AGREED_ON_CALL = reason_register(
    "demo.agreed_on_call", _("Agreed on a call; within the collector's limits.")
)
CALL_BACK_AFTER_WORK = reason_register(
    "demo.call_back_after_work", _("Asked to be called back after work.")
)
