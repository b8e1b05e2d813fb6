"""Writes on debts that the API exposes: assignment to a collector."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.roles import COLLECTOR, is_manager, user_role
from portfolio.models import Debt

User = get_user_model()


@transaction.atomic
def debt_assign(*, debt: Debt, collector: User | None, actor: User) -> Debt:
    """Assign the debt to a collector (or unassign it with None); managers and admins only."""
    if not is_manager(actor):
        raise ApplicationError(_("Only managers and administrators may assign debts."))
    if collector is not None and user_role(collector) != COLLECTOR:
        raise ApplicationError(
            _("User %(username)s is not a collector.") % {"username": collector.username},
            field="assigned_to",
        )
    if collector is not None and not collector.is_active:
        raise ApplicationError(_("This collector is not active."), field="assigned_to")
    # Two managers re-assigning the same case at once must not interleave.
    locked = Debt.objects.select_for_update().get(pk=debt.pk)
    if locked.assigned_to_id == (collector.pk if collector else None):
        return locked
    locked.assigned_to = collector
    locked._history_user = actor  # token requests bypass the history middleware's user
    locked._change_reason = "assigned" if collector else "unassigned"
    locked.save(update_fields=["assigned_to", "updated_at"])
    return locked


def collector_get(*, user_id: int) -> User:
    """The user with this id, or a field error naming `assigned_to`."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise ApplicationError(
            _("User %(id)s does not exist.") % {"id": user_id}, field="assigned_to"
        )
    return user
