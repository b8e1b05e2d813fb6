"""Complaints (PQR): what a debtor or a regulator asks, its legal clock, every step on record."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMModelMixin, transition

from collections_app.models import Interaction
from core.fsm import StateField
from core.models import TimeStampedModel
from messaging.models import Message
from portfolio.models import Creditor, Debt, Debtor, Hold


class ComplaintKind(models.TextChoices):
    PETITION = "petition", _("Petition")
    COMPLAINT = "complaint", _("Complaint")
    CLAIM = "claim", _("Claim")
    QUERY = "query", _("Query")
    DOCUMENTS = "documents", _("Request for documents or information")
    BUREAU_QUERY = "bureau_query", _("Credit bureau data: query")
    BUREAU_CLAIM = "bureau_claim", _("Credit bureau data: claim")
    REGULATOR = "regulator", _("Regulator's information request")
    DISPUTE = "dispute", _("Dispute of the debt")
    ORIGINAL_CREDITOR = "original_creditor", _("Request for the original creditor")


class ComplaintChannel(models.TextChoices):
    PORTAL = "portal", _("Debtor portal")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    LETTER = "letter", _("Letter")
    REGULATOR = "regulator", _("Regulator")
    API = "api", _("API")


class Regulator(models.TextChoices):
    NONE = "", _("None")
    SFC = "sfc", _("Superintendencia Financiera (CO)")
    DCF = "dcf", _("Defensor del Consumidor Financiero (CO)")
    SIC = "sic", _("Superintendencia de Industria y Comercio (CO)")
    REDECO = "redeco", _("CONDUSEF REDECO (MX)")
    CONDUSEF = "condusef", _("CONDUSEF (MX)")
    CFPB = "cfpb", _("CFPB (US)")
    STATE_AG = "state_ag", _("State attorney general (US)")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_INFO = "awaiting_info", _("Waiting for the debtor")
    ANSWERED = "answered", _("Answered")
    # "Closed" of one complaint (Spanish "Cerrada"), not of the debts filter ("Cerradas").
    CLOSED = "closed", pgettext_lazy("complaint", "Closed")


OPEN_STATUSES = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.IN_PROGRESS,
    ComplaintStatus.AWAITING_INFO,
)


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld: the debtor was right")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    REJECTED = "rejected", _("Not upheld: the debt or the action stands")
    INFORMED = "informed", _("Information or documents given")
    WITHDRAWN = "withdrawn", _("Withdrawn by the debtor")


class RootCause(models.TextChoices):
    CONTACT_HOURS = "contact_hours", _("Contact rules: contact outside the allowed hours")
    CONTACT_FREQUENCY = "contact_frequency", _("Contact rules: contacted too often")
    CONTACT_CHANNEL = "contact_channel", _("Contact rules: channel without consent")
    CONTACT_THIRD_PARTY = "contact_third_party", _("Contact rules: third parties contacted")
    CONTACT_TONE = "contact_tone", _("Contact rules: tone or content of a message")
    WRONG_AMOUNT = "wrong_amount", _("Amount or balance wrong")
    PAYMENT_NOT_APPLIED = "payment_not_applied", _("Payment not applied")
    NOT_THE_DEBTOR = "not_the_debtor", _("Not the debtor's debt (identity, fraud)")
    AGREEMENT = "agreement", _("Payment agreement or promise handling")
    BUREAU_DATA = "bureau_data", _("Credit bureau data")
    DOCUMENTS = "documents", _("Documents or information not given")
    SERVICE = "service", _("Service or attention")
    OTHER = "other", _("Other")


# Root causes that point at a contact: the complaint may name the message or call that caused it.
CONTACT_CAUSES = (
    RootCause.CONTACT_HOURS,
    RootCause.CONTACT_FREQUENCY,
    RootCause.CONTACT_CHANNEL,
    RootCause.CONTACT_THIRD_PARTY,
    RootCause.CONTACT_TONE,
)


class Complaint(FSMModelMixin, TimeStampedModel):
    """One petition, complaint, claim, query, document request or dispute and its legal clock.

    `due_on` is the date the answer is owed by (the jurisdiction's term, counted in its
    business days from the day after receipt); `extended_due_on` replaces it once extended.
    """

    number = models.CharField(_("number"), max_length=20, unique=True)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("creditor")
    )
    debtor = models.ForeignKey(
        Debtor, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("debtor")
    )
    debt = models.ForeignKey(
        Debt,
        on_delete=models.PROTECT,
        related_name="complaints",
        null=True,
        blank=True,
        verbose_name=_("debt"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=ComplaintKind)
    channel = models.CharField(_("received through"), max_length=10, choices=ComplaintChannel)
    regulator = models.CharField(
        _("regulator"), max_length=10, choices=Regulator, blank=True, default=""
    )
    regulator_reference = models.CharField(_("regulator's reference"), max_length=60, blank=True)
    country = models.CharField(_("jurisdiction"), max_length=2)
    language = models.CharField(_("language"), max_length=2, default="es")
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    received_at = models.DateTimeField(_("received at"))
    received_on = models.DateField(_("received on"))
    term_code = models.CharField(_("term"), max_length=40)
    # The day the clock counts from: the receipt, or the day asked-for information arrived
    # where the law restarts the term then (Ley 1755 art. 17).
    clock_start_on = models.DateField(_("clock starts on"))
    due_on = models.DateField(_("answer due on"))
    extended_due_on = models.DateField(_("extended to"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    status = StateField(
        _("status"), max_length=15, choices=ComplaintStatus, default=ComplaintStatus.RECEIVED
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_complaints",
        verbose_name=_("assigned to"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Empty when the debtor filed it in the portal."),
    )
    # What the complaint set, so closing it lifts exactly that.
    hold = models.ForeignKey(
        Hold, on_delete=models.SET_NULL, null=True, blank=True, related_name="complaints"
    )
    bureau_flag = models.BooleanField(
        _("claim flagged for credit reporting"),
        default=False,
        help_text=_('While set, the debt goes to the bureau with the legend "reclamo en trámite".'),
    )
    legend_due_on = models.DateField(_("bureau legend due on"), null=True, blank=True)
    related_message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("message complained about"),
    )
    related_interaction = models.ForeignKey(
        Interaction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("call or visit complained about"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome, blank=True)
    root_cause = models.CharField(_("root cause"), max_length=25, choices=RootCause, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(
                fields=["creditor", "due_on"],
                condition=Q(status__in=["received", "in_progress", "awaiting_info"]),
                name="complaint_open_due",
            ),
            models.Index(fields=["debtor", "received_at"]),
            models.Index(fields=["debt"]),
            models.Index(fields=["received_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(extended_due_on__isnull=True)
                | Q(extended_due_on__gte=models.F("due_on")),
                name="complaint_extension_later",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def answer_due_on(self):
        """The date the answer is owed by now: the extended date once extended."""
        return self.extended_due_on or self.due_on

    @property
    def answered_on_time(self) -> bool | None:
        if self.answered_on is None:
            return None
        return self.answered_on <= self.answer_due_on

    @transition(field=status, source=ComplaintStatus.RECEIVED, target=ComplaintStatus.IN_PROGRESS)
    def start(self):
        """Someone took it up (assigned)."""

    @transition(
        field=status,
        source=[ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS],
        target=ComplaintStatus.AWAITING_INFO,
    )
    def wait_for_debtor(self):
        """More information was asked of the debtor."""

    @transition(
        field=status, source=ComplaintStatus.AWAITING_INFO, target=ComplaintStatus.IN_PROGRESS
    )
    def resume(self):
        """The debtor sent what was asked."""

    @transition(field=status, source=list(OPEN_STATUSES), target=ComplaintStatus.ANSWERED)
    def answer(self):
        """The answer went out."""

    @transition(
        field=status,
        source=[*OPEN_STATUSES, ComplaintStatus.ANSWERED],
        target=ComplaintStatus.CLOSED,
    )
    def close(self):
        """Closed with an outcome (and, unless withdrawn, after the answer)."""


class ComplaintEvent(models.Model):
    """One step of a complaint, as it happened: who, when, and what was sent, kept as sent."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACKNOWLEDGED = "acknowledged", _("Acknowledgement sent")
        ASSIGNED = "assigned", _("Assigned")
        INFO_REQUESTED = "info_requested", _("More information asked")
        INFO_RECEIVED = "info_received", _("Information received")
        EXTENDED = "extended", _("Term extended")
        ANSWERED = "answered", _("Answer sent")
        CLOSED = "closed", pgettext_lazy("complaint", "Closed")
        NOTE = "note", _("Note")
        LEGEND = "legend", _("Bureau legend")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=15, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    by_debtor = models.BooleanField(_("by the debtor"), default=False)
    occurred_at = models.DateTimeField(_("at"))
    # What went to the debtor, exactly as sent (empty for internal steps).
    sent_to = models.CharField(_("sent to"), max_length=255, blank=True)
    sent_channel = models.CharField(_("sent by"), max_length=10, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"), blank=True)
    template = models.CharField(_("template"), max_length=40, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivery_error = models.TextField(_("delivery error"), blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")
        indexes = [models.Index(fields=["complaint", "occurred_at"])]

    def __str__(self):
        return f"{self.complaint_id}: {self.kind}"

    @property
    def is_sent(self) -> bool:
        return bool(self.body) and self.kind in SENT_KINDS


SENT_KINDS = (
    ComplaintEvent.Kind.ACKNOWLEDGED,
    ComplaintEvent.Kind.INFO_REQUESTED,
    ComplaintEvent.Kind.EXTENDED,
    ComplaintEvent.Kind.ANSWERED,
)


class ComplaintAttachment(models.Model):
    """A file that came with the complaint or with the debtor's information."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="complaints/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    by_debtor = models.BooleanField(_("from the debtor"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("complaint attachment")
        verbose_name_plural = _("complaint attachments")

    def __str__(self):
        return self.name
