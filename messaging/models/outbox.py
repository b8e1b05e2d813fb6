"""The outbox: one Message per debtor, channel and contact; delivery events; sandbox records."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import TimeStampedModel
from core.reasons import reason_text
from portfolio.models import Channel, Creditor, Debt, Debtor, Language, Stage


class Message(TimeStampedModel):
    """One contact with a debtor on one channel, covering one or more of their debts.

    `idempotency_key` is unique in the database: planning twice, a retried task or a crashed
    worker can never produce (or send) the same message twice.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("message status", "Planned")
        SENT = "sent", pgettext_lazy("message status", "Sent")
        DELIVERED = "delivered", pgettext_lazy("message status", "Delivered")
        FAILED = "failed", pgettext_lazy("message status", "Failed")
        SUPPRESSED = "suppressed", pgettext_lazy("message status", "Suppressed")
        CANCELLED = "cancelled", pgettext_lazy("message status", "Cancelled")

    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="messages", db_index=False
    )
    # Found through the (debtor, planned_for) index below: a debtor_id index of its own would
    # only repeat it, at the cost of one more index entry for every message planned.
    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    debts = models.ManyToManyField(
        Debt, through="MessageDebt", related_name="messages", verbose_name=_("debts")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    template = models.CharField(_("template"), max_length=60)
    template_version = models.ForeignKey(
        "messaging.MessageTemplateVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("template version"),
        db_index=False,
    )
    purpose = models.CharField(_("purpose"), max_length=15, default="collection")
    # The experiment arm (experiments.Arm) the debtor was in when it was planned, if any.
    experiment_arm_id = models.BigIntegerField(_("experiment arm"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage)
    language = models.CharField(_("language"), max_length=2, choices=Language, default="es")
    business_date = models.DateField(_("business date"))
    to = models.CharField(_("to"), max_length=255, blank=True)
    planned_for = models.DateTimeField(_("planned for"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PLANNED)
    suppression_rule = models.CharField(_("rule"), max_length=40, blank=True)
    suppression_reason = models.CharField(_("suppression reason"), max_length=500, blank=True)
    # Why, as a code and its params (core.reasons), shown in the viewer's language; the text
    # above stays for rows written before codes.
    suppression_code = models.CharField(_("suppression code"), max_length=60, blank=True)
    suppression_params = models.JSONField(_("suppression parameters"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"), blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=120, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Unique by the constraint below, not `unique=True`: that also builds a second index of
    # the same keys for LIKE (varchar_pattern_ops), which every planned message paid for.
    idempotency_key = models.CharField(_("idempotency key"), max_length=120)
    # The dispatch lease: a worker claims a due message, sends it, then clears the claim.
    # A claim older than the lease is considered abandoned (dead worker) and may be retaken.
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collector"),
        help_text=_("Voice: the collector whose call list the call was handed to."),
        db_index=False,
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True)

    class Meta:
        ordering = ["-planned_for", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # Experiments read an arm's messages (experiments.selectors.measures).
            models.Index(
                fields=["experiment_arm_id", "business_date"],
                condition=Q(experiment_arm_id__isnull=False),
                name="message_arm",
            ),
            models.Index(
                fields=["planned_for"],
                condition=Q(status="planned"),
                name="message_due_idx",
            ),
            models.Index(fields=["business_date", "channel", "status"]),
            models.Index(fields=["debtor", "planned_for"]),
            models.Index(fields=["creditor", "business_date"]),
            # Only sent messages have a provider's id: the planned ones (most of the outbox,
            # all with '') are left out. Looked up by a given, non-empty id only.
            models.Index(
                fields=["provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="message_provider_id",
            ),
            # Stuck messages (messaging.delivery) are read live among those still `sent`.
            models.Index(
                fields=["creditor", "business_date"],
                condition=Q(status="sent"),
                name="message_sent_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="suppressed") | ~Q(suppression_rule=""),
                name="suppressed_message_has_rule",
            ),
            models.UniqueConstraint(fields=["idempotency_key"], name="message_idempotency_key"),
        ]

    @property
    def suppression_display(self) -> str:
        """Why it was suppressed or cancelled, in the active language."""
        if not self.suppression_code:
            return self.suppression_reason
        text = reason_text(self.suppression_code, self.suppression_params)
        return f"{self.suppression_rule}: {text}" if self.suppression_rule else text

    def __str__(self):
        return f"{self.business_date} {self.channel} {self.template} → {self.debtor_id}"

    @property
    def is_final(self) -> bool:
        return self.status in (
            self.Status.DELIVERED,
            self.Status.FAILED,
            self.Status.SUPPRESSED,
            self.Status.CANCELLED,
        )


class MessageDebt(models.Model):
    """Which debts a message covers (one debtor, one conversation), and the action it answers.

    Written only by planning, from the messages it has just inserted and the actions and debts
    it has just read: its keys are unchecked by the database (a row-by-row check of three keys
    on every link was a third of a busy day's planning, #17); deleting a message, debt or
    action through the ORM still deletes or clears its links. The message and the debt need no
    index of their own: the unique (message, debt) and the (debt, message) index lead with
    them."""

    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        related_name="covered",
        db_constraint=False,
        db_index=False,
    )
    debt = models.ForeignKey(
        Debt, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    contact_action = models.ForeignKey(
        "messaging.ContactAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("debt covered by a message")
        verbose_name_plural = _("debts covered by messages")
        constraints = [
            models.UniqueConstraint(fields=["message", "debt"], name="message_debt_unique"),
        ]
        indexes = [models.Index(fields=["debt", "message"])]

    def __str__(self):
        return f"message {self.message_id} · debt {self.debt_id}"


class DeliveryEvent(models.Model):
    """A provider callback or debtor reply about a message (delivered, bounced, STOP...)."""

    class Kind(models.TextChoices):
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")
        REPLY = "reply", _("Reply")
        OPT_OUT = "opt_out", _("Opt-out")
        # E-mail tracking (anymail): a soft bounce or delay, a spam complaint, engagement.
        DEFERRED = "deferred", _("Deferred")
        COMPLAINED = "complained", _("Spam complaint")
        OPENED = "opened", _("Opened")
        CLICKED = "clicked", _("Clicked")

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="events", null=True, blank=True
    )
    provider = models.CharField(_("provider"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    provider_message_id = models.CharField(_("provider message id"), max_length=120, blank=True)
    # The same callback delivered twice has the same key: replays are recorded once.
    event_key = models.CharField(_("event key"), max_length=200, unique=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # The funnel counts messages by the kinds of events they had.
            models.Index(fields=["message", "kind"], name="deliveryevent_message_kind"),
            # Opens and clicks, read live for the funnel: only those events, not every one.
            models.Index(
                fields=["message"],
                condition=Q(kind__in=["opened", "clicked"]),
                name="deliveryevent_engagement",
            ),
        ]
        verbose_name = _("delivery event")
        verbose_name_plural = _("delivery events")

    def __str__(self):
        return f"{self.provider} {self.kind} {self.provider_message_id}"


class SandboxDelivery(models.Model):
    """What the sandbox backend would have sent: one row per message, whatever the retries."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="sandbox_deliveries"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    to = models.CharField(_("to"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"), blank=True)
    # WhatsApp outside the service window: the approved template sent instead of the body.
    content_sid = models.CharField(_("content SID"), max_length=34, blank=True)
    content_variables = models.JSONField(_("content variables"), default=dict, blank=True)
    # How many committed sends reached the sandbox for this key: anything above 1 would be a
    # message sent twice (the kill test asserts it never happens).
    sends = models.PositiveIntegerField(_("sends"), default=1)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("sandbox delivery")
        verbose_name_plural = _("sandbox deliveries")

    def __str__(self):
        return f"{self.channel} → {self.to}"


class LetterPrintBatch(models.Model):
    """The day's print file: every letter handed to certified mail on one business date."""

    business_date = models.DateField(_("business date"), unique=True)
    file = models.FileField(_("print file"), upload_to="letters/", blank=True)
    letters = models.PositiveIntegerField(_("letters"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-business_date"]
        verbose_name = _("letter print batch")
        verbose_name_plural = _("letter print batches")

    def __str__(self):
        return f"{self.business_date} ({self.letters})"
