"""Access to debtors' full identity documents: allowed to few, and every access is logged."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core.roles import ADMIN, MANAGER, user_role
from portfolio.models import Debtor, DebtorDataAccess
from portfolio.selectors import debtor_queryset
from portfolio.services.data_access import debtor_data_access_record

# Who may see a full document number. Collectors are left out on purpose (data minimisation,
# Ley 1581 / LFPDPPP): the masked number's last four digits are enough to confirm identity on a
# call, and a collector who truly needs the full number asks a manager.
DOCUMENT_REVEAL_ROLES = (ADMIN, MANAGER)


def document_reveal_allowed(*, user) -> bool:
    """Whether the user's role may reveal full identity documents at all."""
    return user_role(user) in DOCUMENT_REVEAL_ROLES


@transaction.atomic
def debtor_document_reveal(
    *,
    user,
    debtor: Debtor,
    via: str,
    ip_address: str | None = None,
    purpose: str = "",
) -> str:
    """Return the debtor's full document and log the access; PermissionDenied if not allowed."""
    if not document_reveal_allowed(user=user):
        raise PermissionDenied(_("Your role may not see full identity documents."))
    if not debtor_queryset(user=user).filter(pk=debtor.pk).exists():
        raise PermissionDenied(_("You may not see this debtor."))
    debtor_data_access_record(
        user=user,
        debtor_ids=[debtor.pk],
        data=DebtorDataAccess.Data.DOCUMENT,
        via=via,
        ip_address=ip_address,
        purpose=purpose,
    )
    return debtor.document_number
