"""The collector workspace: logged contact attempts (interactions) and case assignments."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio.models import Debt, Debtor


class Interaction(models.Model):
    """One logged contact attempt by a collector (a call, a WhatsApp, a visit...) and its outcome.

    The KPIs (contact, RPC and promise rates, productivity) and the call caps / cool-downs of
    the compliance engine read these rows (see collections_app.selectors.workspace).
    """

    class Channel(models.TextChoices):
        CALL = "call", _("Outbound call")
        INBOUND_CALL = "inbound_call", _("Inbound call")
        WHATSAPP = "whatsapp", _("WhatsApp")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")
        VISIT = "visit", _("Field visit")

    class Outcome(models.TextChoices):
        RIGHT_PARTY_CONTACT = "right_party_contact", _("Right-party contact")
        THIRD_PARTY = "third_party", _("Third party answered")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        PROMISE_TO_PAY = "promise_to_pay", _("Promise to pay")
        REFUSED = "refused", _("Refused to pay")
        DISPUTE = "dispute", _("Dispute")
        CALLBACK_REQUESTED = "callback_requested", _("Callback requested")

    debt = models.ForeignKey(Debt, on_delete=models.CASCADE, related_name="interactions")
    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, related_name="interactions", db_index=False
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("collector"),
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=15, choices=Channel)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome)
    note = models.TextField(_("note"), blank=True)
    # Never asked of Colombian debtors (CO-SCRIPT); the form only offers it for MX / US.
    nonpayment_reason = models.CharField(_("reason for non-payment"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    promise = models.ForeignKey(
        "agreements.PromiseToPay",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    task = models.ForeignKey(
        "portfolio.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hold = models.ForeignKey(
        "portfolio.Hold",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["debtor", "occurred_at"]),
            models.Index(fields=["collector", "occurred_at"]),
            # the dashboard's live "today" band reads the day's contacts by range
            models.Index(fields=["occurred_at"]),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.get_outcome_display()} ({self.debt_id})"

    # Outcomes where the collector spoke with the debtor about the debt (RPC).
    RPC_OUTCOMES = frozenset(
        {
            Outcome.RIGHT_PARTY_CONTACT,
            Outcome.PROMISE_TO_PAY,
            Outcome.REFUSED,
            Outcome.DISPUTE,
            Outcome.CALLBACK_REQUESTED,
        }
    )

    @property
    def is_rpc(self) -> bool:
        return self.outcome in self.RPC_OUTCOMES


class Assignment(models.Model):
    """Who a case went to, from whom, by whom and why: the history of assignments."""

    debt = models.ForeignKey(Debt, on_delete=models.CASCADE, related_name="assignments")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from"),
        db_index=False,
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to"),
        db_index=False,
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
        db_index=False,
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    batch = models.UUIDField(_("batch"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self):
        return f"{self.debt_id}: {self.from_user_id} → {self.to_user_id}"
