"""The two-way inbox: what debtors write back (SMS, WhatsApp, e-mail), matched and threaded."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from core.fsm import StateField
from core.models import TimeStampedModel
from messaging.models.outbox import Message
from portfolio.models import Creditor, Debt, Debtor


class InboundChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("E-mail")


class InboundStatus(models.TextChoices):
    UNREAD = "unread", pgettext_lazy("inbound status", "Unread")
    READ = "read", pgettext_lazy("inbound status", "Read")
    HANDLED = "handled", pgettext_lazy("inbound status", "Handled")


class MatchStatus(models.TextChoices):
    MATCHED = "matched", pgettext_lazy("inbound match", "Matched")
    AMBIGUOUS = "ambiguous", pgettext_lazy("inbound match", "Several debtors")
    UNKNOWN = "unknown", pgettext_lazy("inbound match", "Unknown sender")


class InboundMessage(FSMModelMixin, TimeStampedModel):
    """One message a debtor (or someone) sent us, stored once per provider message id.

    `address` is normalised (E.164 for phones, lower-case e-mail) so matching, threading and
    the WhatsApp service window compare like with like. `in_reply_to` is the thread: the
    outbound message the provider named, or the latest one sent to that address on that
    channel. `complaint_id` is a plain id: complaints sits above messaging.
    """

    channel = models.CharField(_("channel"), max_length=10, choices=InboundChannel)
    address = models.CharField(_("from"), max_length=255)
    creditor = models.ForeignKey(
        Creditor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("creditor"),
    )
    debtor = models.ForeignKey(
        Debtor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("debtor"),
    )
    debt = models.ForeignKey(
        Debt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("debt"),
        db_index=False,
    )
    in_reply_to = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    match_status = models.CharField(
        _("match"), max_length=10, choices=MatchStatus, default=MatchStatus.UNKNOWN
    )
    # Debtor ids sharing the address when it is ambiguous: a manager picks one.
    candidate_debtor_ids = models.JSONField(_("candidate debtors"), default=list, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("matched by"),
        db_index=False,
    )
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"), blank=True)
    provider = models.CharField(_("provider"), max_length=20)
    provider_message_id = models.CharField(_("provider message id"), max_length=200)
    received_at = models.DateTimeField(_("received at"))
    is_opt_out = models.BooleanField(_("opt-out"), default=False)
    status = StateField(
        _("status"), default=InboundStatus.UNREAD, choices=InboundStatus.choices, protected=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
        db_index=False,
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("read by"),
        db_index=False,
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
        db_index=False,
    )
    handled_note = models.CharField(_("how it was handled"), max_length=255, blank=True)
    complaint_id = models.PositiveBigIntegerField(_("complaint"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    history = HistoricalRecords(
        no_db_index=["creditor", "debtor", "debt", "in_reply_to", "assigned_to"],
        excluded_fields=["payload", "body"],
        user_db_constraint=False,
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_message_id"], name="inbound_unique_provider_id"
            ),
            models.CheckConstraint(
                condition=~Q(status="handled") | Q(handled_at__isnull=False),
                name="inbound_handled_has_time",
            ),
        ]
        indexes = [
            # The WhatsApp service window: the latest inbound from an address on a channel.
            models.Index(fields=["channel", "address", "received_at"], name="inbound_window_idx"),
            models.Index(fields=["status", "received_at"], name="inbound_status_idx"),
            models.Index(fields=["assigned_to", "status"], name="inbound_assigned_idx"),
            models.Index(fields=["debt", "received_at"], name="inbound_debt_idx"),
        ]

    def __str__(self):
        return f"{self.channel} {self.address} {self.received_at:%Y-%m-%d %H:%M}"

    @transition(field=status, source=InboundStatus.UNREAD, target=InboundStatus.READ)
    def mark_read(self):
        """Someone opened it."""

    @transition(
        field=status,
        source=[InboundStatus.UNREAD, InboundStatus.READ],
        target=InboundStatus.HANDLED,
    )
    def mark_handled(self):
        """Answered, turned into a complaint, or nothing more to do."""

    @transition(field=status, source=InboundStatus.HANDLED, target=InboundStatus.READ)
    def reopen(self):
        """Back to the team: handled too early."""
