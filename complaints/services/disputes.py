"""Disputes staff record as holds become complaints; a hold a complaint owns ends with it.

Registered in ComplaintsConfig.ready() into collections_app's `dispute_opened` and portfolio's
`hold_closing` hooks: every dispute, however it reached us, has a due date and an answer the
debtor receives, and a manager cannot end the hold behind the complaint's back.
"""

from django.utils.translation import gettext as _

from complaints.models import Complaint
from complaints.models.complaint import OPEN_STATUSES, ComplaintChannel, Outcome
from complaints.services.handling import complaint_close
from complaints.services.intake import complaint_for_hold
from core.exceptions import ApplicationError
from portfolio.models import Hold

# How a dispute reached staff (an Interaction.Channel value, "staff", "api") -> the complaint's
# channel; a call, a message on the phone, a visit or the hold form are all "phone".
CHANNELS = {"email": ComplaintChannel.EMAIL, "api": ComplaintChannel.API}


def dispute_opened(*, hold: Hold, user, channel: str, received_at=None, **_ignored) -> Complaint:
    """The dispute complaint of a dispute hold staff just opened."""
    return complaint_for_hold(
        hold=hold,
        user=user,
        channel=CHANNELS.get(channel, ComplaintChannel.PHONE),
        description=hold.reason,
        received_at=received_at,
    )


def hold_closing(*, hold: Hold, user, outcome: str, note: str = "", **_ignored) -> None:
    """A manager resolving a hold an open complaint owns: as withdrawn, the complaint closes
    withdrawn with it; any other outcome is refused, since the debtor is owed an answer and
    sending it is what lifts the hold."""
    owner = Complaint.objects.filter(hold=hold, status__in=OPEN_STATUSES).order_by("pk").first()
    if owner is None:
        return
    if outcome == Hold.Outcome.WITHDRAWN:
        complaint_close(complaint=owner, user=user, outcome=Outcome.WITHDRAWN, note=note)
        heir = Complaint.objects.filter(hold=hold, status__in=OPEN_STATUSES).first()
        if heir is None:
            return
        owner = heir  # another open complaint needs the hold: refused below, nothing changes
    raise ApplicationError(
        _(
            "This hold belongs to complaint %(number)s: the debtor is owed an answer. Send it "
            "from the complaint (that lifts the hold), or resolve the hold as withdrawn if the "
            "debtor withdrew it."
        )
        % {"number": owner.number},
        field="outcome",
    )
