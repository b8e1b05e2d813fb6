"""The reasons portfolio's services record (codes for core.reasons; see that module)."""

from django.utils.translation import gettext_lazy as _

from core.reasons import reason_register

PAYMENT_RECORDED = reason_register("payment.recorded", _("Payment %(reference)s"))
