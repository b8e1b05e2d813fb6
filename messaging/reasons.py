"""The reasons messaging's services record (codes for core.reasons; see that module)."""

from django.utils.translation import gettext_lazy as _

from core.reasons import reason_register

NO_ADDRESS = reason_register("message.no_address", _("no contact point for this channel"))
OPTED_OUT = reason_register("message.opted_out", _("the debtor opted out of this channel"))
NO_LAWFUL_MOMENT = reason_register("message.no_window", _("no lawful moment within a week"))
