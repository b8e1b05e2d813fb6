"""Handing debts in `legal` over to a law firm: one case per debt, with the power of attorney."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.exceptions import ApplicationError
from core.roles import is_manager
from core.scoping import scope_for_user
from core.uploads import upload_validate
from legal.models import (
    OPEN_CASE_STATES,
    CaseState,
    LawFirm,
    LegalCase,
    LegalCaseChange,
    LegalDocument,
    PrescriptionBasis,
)
from legal.services.documents import document_add
from portfolio.models import Debt, Stage

HANDOFF_MAX = 500


def _debt_ids(debts) -> list[int]:
    ids = set()
    for debt in debts:
        ids.add(debt.pk if isinstance(debt, Debt) else int(debt))
    return sorted(ids)


@transaction.atomic
def case_handoff(
    *,
    user,
    debts,
    firm: LawFirm,
    lawyer=None,
    power_of_attorney,
    note: str = "",
    as_of: datetime.date,
    prescription_basis: str = PrescriptionBasis.PROMISSORY_NOTE,
) -> list[LegalCase]:
    """Open a prepared case at `firm` for each debt (in `legal`, of a creditor the user manages,
    without an open case), the power of attorney stored on each. All or nothing."""
    if not is_manager(user):
        raise ApplicationError(_("Only managers hand debts over to a law firm."), field="debts")
    ids = _debt_ids(debts)
    if not ids:
        raise ApplicationError(_("Choose at least one debt to hand over."), field="debts")
    if len(ids) > HANDOFF_MAX:
        raise ApplicationError(
            _("Hand over at most %(max)s debts at a time.") % {"max": HANDOFF_MAX}, field="debts"
        )
    if prescription_basis not in PrescriptionBasis.values:
        raise ApplicationError(_("Unknown basis for the claim."), field="prescription_basis")
    if power_of_attorney is None:
        raise ApplicationError(
            _("Attach the power of attorney (PDF, PNG or JPG)."), field="power_of_attorney"
        )
    upload_validate(power_of_attorney, field="power_of_attorney")

    # The firm first, then the debts in id order: two hand-offs of the same debts (a double
    # submit) queue behind each other, and the second finds the case the first opened.
    firm = LawFirm.objects.select_for_update().filter(pk=firm.pk).first()
    if firm is None or not firm.is_active:
        raise ApplicationError(_("This law firm is not active."), field="firm")
    locked = list(
        scope_for_user(Debt.objects.all(), user=user)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(locked) != len(ids):
        # Another creditor's debt looks exactly like a missing one.
        raise ApplicationError(_("Some of the chosen debts were not found."), field="debts")
    not_in_legal = [d.debt_ref for d in locked if d.stage != Stage.LEGAL]
    if not_in_legal:
        raise ApplicationError(
            ngettext(
                "Debt %(refs)s is not in the legal stage: move it there first.",
                "Debts %(refs)s are not in the legal stage: move them there first.",
                len(not_in_legal),
            )
            % {"refs": ", ".join(not_in_legal)},
            field="debts",
        )
    open_refs = list(
        LegalCase.objects.filter(debt_id__in=ids, state__in=OPEN_CASE_STATES)
        .order_by("debt_id")
        .values_list("debt__debt_ref", flat=True)
    )
    if open_refs:
        raise ApplicationError(
            ngettext(
                "Debt %(refs)s already has an open legal case.",
                "Debts %(refs)s already have an open legal case.",
                len(open_refs),
            )
            % {"refs": ", ".join(open_refs)},
            field="debts",
        )
    retained = set(firm.creditors.values_list("pk", flat=True))
    not_retained = sorted({d.creditor.name for d in locked if d.creditor_id not in retained})
    if not_retained:
        raise ApplicationError(
            _("%(firm)s is not retained by %(creditors)s.")
            % {"firm": firm.name, "creditors": ", ".join(not_retained)},
            field="firm",
        )
    if lawyer is not None and not firm.lawyers.filter(pk=lawyer.pk).exists():
        raise ApplicationError(_("This lawyer does not belong to the firm."), field="lawyer")

    now = timezone.now()
    cases = LegalCase.objects.bulk_create(
        [
            LegalCase(
                debt=debt,
                creditor_id=debt.creditor_id,
                firm=firm,
                lawyer=lawyer,
                prescription_basis=prescription_basis,
                handed_over_on=as_of,
                handed_over_by=user,
                handover_note=note,
            )
            for debt in locked
        ]
    )
    LegalCaseChange.objects.bulk_create(
        [
            LegalCaseChange(
                case=case,
                to_state=CaseState.PREPARED,
                transition="handoff",
                note=_("Handed over to %(firm)s.") % {"firm": firm.name}
                + (f" {note}" if note else ""),
                changed_by=user,
                changed_at=now,
            )
            for case in cases
        ]
    )
    # Each case keeps its own copy (a case's files go wherever the case goes); storing an
    # upload consumes it, so each copy is made from the bytes read once.
    power_of_attorney.seek(0)
    content = power_of_attorney.read()
    for case in cases:
        document_add(
            user=user,
            case=case,
            kind=LegalDocument.Kind.POWER_OF_ATTORNEY,
            upload=SimpleUploadedFile(
                power_of_attorney.name, content, content_type=power_of_attorney.content_type
            ),
            now=now,
        )
    return cases
