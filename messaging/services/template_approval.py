"""Writes of a WhatsApp version's provider template: its Content SID, its variables, its review.

Who may: the managers of the creditor whose text it is (and administrators); only
administrators for a shipped default, as for its text. Every change is stamped on the version
(who, when) and recorded as a TemplateApprovalChange.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from core.exceptions import ApplicationError
from core.roles import is_admin
from core.scoping import user_manages_creditor
from messaging.models import ApprovalStatus, MessageTemplateVersion, TemplateApprovalChange
from messaging.services.whatsapp import provider_template_problems, variables_normalise

PROVIDER_CHANNELS = ("whatsapp",)


def may_manage_provider_template(*, user, version) -> bool:
    """Whether `user` may set the version's provider template and mark its approval."""
    creditor_id = version.template.creditor_id
    if creditor_id is None:
        return is_admin(user)
    return user_manages_creditor(user=user, creditor_id=creditor_id)


def _locked(version, user) -> MessageTemplateVersion:
    if not may_manage_provider_template(user=user, version=version):
        if version.template.creditor_id is None:
            raise ApplicationError(
                _("Only administrators change the shipped default's provider template."),
                field="provider_template_id",
                extra={"status": 403},
            )
        raise ApplicationError(
            _("You do not manage this creditor."), field="creditor", extra={"status": 403}
        )
    if version.template.channel not in PROVIDER_CHANNELS:
        raise ApplicationError(
            _("Only WhatsApp templates carry a provider template."),
            field="provider_template_id",
        )
    return (
        MessageTemplateVersion.objects.select_for_update()
        .select_related("template")
        .get(pk=version.pk)
    )


def _record(version, *, user, from_status, now, note) -> None:
    version.approval_changed_at = now
    version.approval_changed_by = user
    version.save(
        update_fields=[
            "provider_template_id",
            "provider_variables",
            "approval_status",
            "approval_changed_at",
            "approval_changed_by",
        ]
    )
    TemplateApprovalChange.objects.create(
        version=version,
        from_status=from_status,
        to_status=version.approval_status,
        provider_template_id=version.provider_template_id,
        provider_variables=version.provider_variables,
        note=(note or "")[:255],
        changed_by=user,
        changed_at=now,
    )


@transaction.atomic
def template_version_provider_set(
    *, version, user, provider_template_id: str, provider_variables, note: str = "", now=None
) -> MessageTemplateVersion:
    """Set a WhatsApp version's Content SID and variable mapping; a change to an approved,
    pending, rejected or paused version sends it back to draft (the review was of the old)."""
    version = _locked(version, user)
    errors = provider_template_problems(
        provider_template_id=provider_template_id, provider_variables=provider_variables
    )
    if errors:
        field, messages = next(iter(errors.items()))
        raise ApplicationError(" ".join(messages), field=field, extra={"errors": errors})
    sid = (provider_template_id or "").strip()
    variables = variables_normalise(provider_variables)
    if sid == version.provider_template_id and variables == version.provider_variables:
        return version  # nothing changed: nothing to record
    from_status = version.approval_status
    version.provider_template_id = sid
    version.provider_variables = variables
    if version.approval_status != ApprovalStatus.DRAFT:
        version.revise()
    _record(version, user=user, from_status=from_status, now=now or timezone.now(), note=note)
    return version


@transaction.atomic
def template_version_approval(
    *, version, user, action: str, note: str = "", now=None
) -> MessageTemplateVersion:
    """Move a WhatsApp version's review: submit, approve, reject, pause or revise (to draft)."""
    name = action if action in APPROVAL_ACTIONS else None
    if name is None:
        raise ApplicationError(
            _("Unknown action “%(action)s”: one of %(actions)s.")
            % {"action": str(action)[:30], "actions": ", ".join(APPROVAL_ACTIONS)},
            field="action",
        )
    version = _locked(version, user)
    move = getattr(version, name)
    if not can_proceed(move):
        raise ApplicationError(
            _("A version that is %(status)s cannot be %(action)s.")
            % {
                "status": version.get_approval_status_display().lower(),
                "action": ACTION_PAST[name],
            },
            field="action",
        )
    if name in ("submit", "approve") and not version.provider_template_id:
        raise ApplicationError(
            _("Enter the version's Twilio Content SID first."), field="provider_template_id"
        )
    from_status = version.approval_status
    move()
    _record(version, user=user, from_status=from_status, now=now or timezone.now(), note=note)
    return version


# The buttons of the version page, in the order shown.
ACTION_LABELS = {
    "submit": gettext_lazy("Mark submitted for review"),
    "approve": gettext_lazy("Mark approved"),
    "reject": gettext_lazy("Mark rejected"),
    "pause": gettext_lazy("Mark paused"),
    "revise": gettext_lazy("Back to draft"),
}

# What a manager may do to a version's approval: each is the transition of that name.
APPROVAL_ACTIONS = tuple(ACTION_LABELS)

ACTION_PAST = {
    "submit": gettext_lazy("submitted"),
    "approve": gettext_lazy("approved"),
    "reject": gettext_lazy("rejected"),
    "pause": gettext_lazy("paused"),
    "revise": gettext_lazy("sent back to draft"),
}
