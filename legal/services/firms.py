"""Law firms and their lawyers, as a manager (for their creditors) or an admin keeps them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.roles import ADMIN, LAWYER, is_manager, user_role
from legal.models import OPEN_CASE_STATES, LawFirm, LegalCase, LegalCaseChange
from portfolio.selectors import creditor_list

FIRM_FIELDS = ("name", "country", "city", "tax_id", "contact_email", "contact_phone", "is_active")


def _check_manager(user):
    if not is_manager(user):
        raise ApplicationError(_("Only managers and administrators keep law firms."))


@transaction.atomic
def firm_save(*, user, firm: LawFirm | None = None, creditors, **fields) -> LawFirm:
    """Create or update a firm; `creditors` are which of the user's creditors retain it (the
    other creditors' retention is theirs and stays as it is)."""
    _check_manager(user)
    managed = set(creditor_list(user=user).values_list("pk", flat=True))
    chosen = {c.pk for c in creditors}
    if chosen - managed:
        raise ApplicationError(_("You do not manage one of these creditors."), field="creditors")
    if not chosen and user_role(user) != ADMIN:
        # A firm no creditor of theirs retains would vanish from the manager's pages.
        raise ApplicationError(
            _("Choose at least one of your creditors that retains the firm."), field="creditors"
        )
    unknown = set(fields) - set(FIRM_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown firm field."), field=sorted(unknown)[0])
    if not (fields.get("name") or "").strip():
        raise ApplicationError(_("Give the firm's name."), field="name")
    if firm is None:
        firm = LawFirm.objects.create(**fields)
        kept = set()
    else:
        firm = LawFirm.objects.select_for_update().get(pk=firm.pk)
        for name, value in fields.items():
            setattr(firm, name, value)
        firm.save(update_fields=[*fields, "updated_at"])
        kept = set(firm.creditors.exclude(pk__in=managed).values_list("pk", flat=True))
    firm.creditors.set(kept | chosen)
    return firm


@transaction.atomic
def firm_lawyer_add(*, user, firm: LawFirm, username: str):
    """Add an existing user with the lawyer role to the firm."""
    _check_manager(user)
    lawyer = get_user_model().objects.filter(username__iexact=username.strip()).first()
    if lawyer is None:
        raise ApplicationError(_("No user with this username."), field="username")
    if user_role(lawyer) != LAWYER:
        raise ApplicationError(
            _("This user is not outside counsel (the lawyer role): staff cannot join a firm."),
            field="username",
        )
    firm.lawyers.add(lawyer)
    return lawyer


@transaction.atomic
def firm_lawyer_create(
    *,
    user,
    firm: LawFirm,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
):
    """Create a user with the lawyer role (the initial password set by the manager, who hands
    it over outside Cartera) and add them to the firm."""
    _check_manager(user)
    User = get_user_model()
    username = username.strip()
    if not username:
        raise ApplicationError(_("Give a username."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(_("This username is taken."), field="username")
    candidate = User(username=username, first_name=first_name, last_name=last_name, email=email)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), field="password") from exc
    candidate.set_password(password)
    candidate.save()
    candidate.groups.add(Group.objects.get_or_create(name=LAWYER)[0])
    firm.lawyers.add(candidate)
    return candidate


@transaction.atomic
def firm_lawyer_remove(*, user, firm: LawFirm, lawyer_id: int) -> None:
    """The lawyer leaves the firm: its open cases they held stay with the firm, unassigned (each
    change on the case's record); they no longer see them."""
    _check_manager(user)
    lawyer = firm.lawyers.filter(pk=lawyer_id).first()
    if lawyer is None:
        raise ApplicationError(_("This lawyer is not in the firm."), field="lawyer")
    firm.lawyers.remove(lawyer)
    cases = list(
        LegalCase.objects.select_for_update()
        .filter(firm=firm, lawyer=lawyer, state__in=OPEN_CASE_STATES)
        .order_by("pk")
    )
    if cases:
        LegalCase.objects.filter(pk__in=[c.pk for c in cases]).update(lawyer=None)
        now = timezone.now()
        note = _("%(name)s left the firm: the case has no lawyer assigned.") % {
            "name": lawyer.get_full_name() or lawyer.get_username()
        }
        LegalCaseChange.objects.bulk_create(
            [LegalCaseChange(case=c, note=note, changed_by=user, changed_at=now) for c in cases]
        )
