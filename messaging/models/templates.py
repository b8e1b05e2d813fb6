"""Message templates by code × channel × language; every edit is a new immutable version.

A template without a creditor is a shipped default: what every creditor sends until its managers
write their own text. A creditor's own template (same code, channel and language) replaces the
default for that creditor's debtors only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMModelMixin, transition

from core.fsm import StateField
from core.models import TimeStampedModel
from portfolio.models import Channel, Creditor, Language


class MessageTemplate(TimeStampedModel):
    """What a message with this code says on this channel in this language (see its versions)."""

    creditor = models.ForeignKey(
        Creditor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="message_templates",
        verbose_name=_("creditor"),
        help_text=_("Empty for the shipped default that every creditor starts from."),
        db_index=False,  # the creditor's unique constraint leads with it
    )
    code = models.CharField(_("code"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    language = models.CharField(_("language"), max_length=2, choices=Language)
    description = models.CharField(_("description"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code", "channel", "language"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "channel", "language"],
                condition=Q(creditor__isnull=True),
                name="message_template_default_unique",
            ),
            models.UniqueConstraint(
                fields=["creditor", "code", "channel", "language"],
                name="message_template_creditor_unique",
            ),
        ]

    def __str__(self):
        owner = f" · {self.creditor_id}" if self.creditor_id else ""
        return f"{self.code} · {self.channel} · {self.language}{owner}"

    @property
    def is_default(self) -> bool:
        return self.creditor_id is None


class ApprovalStatus(models.TextChoices):
    """Where a version stands with the provider (WhatsApp: Meta's review of the template)."""

    DRAFT = "draft", pgettext_lazy("template approval", "Draft")
    PENDING = "pending", pgettext_lazy("template approval", "Pending approval")
    APPROVED = "approved", pgettext_lazy("template approval", "Approved")
    REJECTED = "rejected", pgettext_lazy("template approval", "Rejected")
    PAUSED = "paused", pgettext_lazy("template approval", "Paused")


class MessageTemplateVersion(FSMModelMixin, models.Model):
    """One immutable text of a template; the newest active version is the one sent.

    A WhatsApp version also carries the provider's approved template (Twilio Content SID) and
    which context variable fills each of its numbered placeholders: outside the debtor's
    24-hour service window WhatsApp only delivers an approved template, never free text.
    """

    template = models.ForeignKey(MessageTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    is_active = models.BooleanField(_("active"), default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
        help_text=_("Empty for the seeded default text."),
    )
    change_note = models.CharField(_("change note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    provider_template_id = models.CharField(
        _("provider template id"),
        max_length=34,
        blank=True,
        help_text=_("WhatsApp: the Twilio Content SID of the approved template (HX…)."),
    )
    # {"1": "first_name", "2": "amount", ...}: Twilio's placeholder number -> context name.
    provider_variables = models.JSONField(
        _("provider template variables"), default=dict, blank=True
    )
    approval_status = StateField(
        _("approval status"),
        max_length=10,
        default=ApprovalStatus.DRAFT,
        choices=ApprovalStatus.choices,
        protected=True,
    )
    approval_changed_at = models.DateTimeField(_("approval changed at"), null=True, blank=True)
    approval_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approval changed by"),
        db_index=False,
    )

    class Meta:
        ordering = ["template_id", "-number"]
        verbose_name = _("message template version")
        verbose_name_plural = _("message template versions")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_unique"),
        ]

    def __str__(self):
        return f"{self.template} v{self.number}"

    @property
    def provider_ready(self) -> bool:
        """Whether the provider may be asked to send this version as its approved template."""
        return self.approval_status == ApprovalStatus.APPROVED and bool(self.provider_template_id)

    # The provider's review. Transitions only move the status; the services check who may,
    # stamp who and when, and write the TemplateApprovalChange record.
    @transition(
        field=approval_status,
        source=[ApprovalStatus.DRAFT, ApprovalStatus.REJECTED],
        target=ApprovalStatus.PENDING,
    )
    def submit(self):
        """Sent to the provider for review."""

    @transition(
        field=approval_status,
        source=[ApprovalStatus.DRAFT, ApprovalStatus.PENDING, ApprovalStatus.PAUSED],
        target=ApprovalStatus.APPROVED,
    )
    def approve(self):
        """The provider approved it: WhatsApp may send it outside the service window."""

    @transition(
        field=approval_status,
        source=[ApprovalStatus.DRAFT, ApprovalStatus.PENDING],
        target=ApprovalStatus.REJECTED,
    )
    def reject(self):
        """The provider refused it."""

    @transition(field=approval_status, source=ApprovalStatus.APPROVED, target=ApprovalStatus.PAUSED)
    def pause(self):
        """The provider paused it (quality); approving it again resumes it."""

    @transition(
        field=approval_status,
        source=[
            ApprovalStatus.PENDING,
            ApprovalStatus.APPROVED,
            ApprovalStatus.REJECTED,
            ApprovalStatus.PAUSED,
        ],
        target=ApprovalStatus.DRAFT,
    )
    def revise(self):
        """Its provider id or variables changed: the approval no longer holds."""


class TemplateApprovalChange(models.Model):
    """One move of a version's approval status, or of its provider id and variables: who, when."""

    version = models.ForeignKey(
        MessageTemplateVersion, on_delete=models.CASCADE, related_name="approval_changes"
    )
    from_status = models.CharField(_("from"), max_length=10, choices=ApprovalStatus)
    to_status = models.CharField(_("to"), max_length=10, choices=ApprovalStatus)
    provider_template_id = models.CharField(_("provider template id"), max_length=34, blank=True)
    provider_variables = models.JSONField(
        _("provider template variables"), default=dict, blank=True
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("template approval change")
        verbose_name_plural = _("template approval changes")

    def __str__(self):
        return f"{self.version} {self.from_status} → {self.to_status}"


# The names people read for the shipped template codes (a creditor's own codes show as typed).
TEMPLATE_LABELS = {
    "pre_due_reminder": _("Pre-due reminder"),
    "friendly": _("Friendly reminder"),
    "firm_notice": _("Formal notice"),
    "firm_weekly": _("Weekly firm reminder"),
    "firm_call": _("Firm-notice call"),
    "pre_legal_notice": _("Pre-legal notice"),
    "pre_legal_call": _("Pre-legal call"),
    "bureau_notice": _("Credit bureau prior notice"),
    "payment_thanks": _("Thank-you for the payment"),
    "agreement_confirmation": _("Agreement confirmation"),
    "instalment_reminder": _("Instalment reminder"),
    "missed_instalment": _("Missed instalment"),
    "agreement_completed": _("Agreement completed"),
    "agreement_broken": _("Agreement broken"),
    "inbox_reply": _("Reply from the inbox"),
}


def template_label(code: str) -> str:
    """The translated name of a template code (the code itself for a creditor's own)."""
    label = TEMPLATE_LABELS.get(code)
    return str(label) if label is not None else code
