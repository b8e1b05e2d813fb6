"""Message templates by code × channel × language; every edit is a new immutable version.

A template without a creditor is a shipped default: what every creditor sends until its managers
write their own text. A creditor's own template (same code, channel and language) replaces the
default for that creditor's debtors only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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


class MessageTemplateVersion(models.Model):
    """One immutable text of a template; the newest active version is the one sent."""

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

    class Meta:
        ordering = ["template_id", "-number"]
        verbose_name = _("message template version")
        verbose_name_plural = _("message template versions")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_unique"),
        ]

    def __str__(self):
        return f"{self.template} v{self.number}"


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
