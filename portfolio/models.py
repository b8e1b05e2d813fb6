"""The portfolio domain: creditors, portfolios, debtors, contact points, debts and payments."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel

MONEY = {"max_digits": 18, "decimal_places": 2}


class Country(models.TextChoices):
    CO = "CO", _("Colombia")
    MX = "MX", _("Mexico")
    US = "US", _("United States")


class Language(models.TextChoices):
    ES = "es", _("Spanish")
    EN = "en", _("English")


class DocumentType(models.TextChoices):
    CC = "CC", _("Cédula de ciudadanía")
    CE = "CE", _("Cédula de extranjería")
    NIT = "NIT", _("NIT")
    PA = "PA", _("Pasaporte (CO)")
    INE = "INE", _("INE")
    RFC = "RFC", _("RFC")
    CURP = "CURP", _("CURP")
    SSN = "SSN", _("SSN")
    ITIN = "ITIN", _("ITIN")
    PASSPORT = "PASSPORT", _("Passport")


class Product(models.TextChoices):
    CREDIT_CARD = "credit_card", _("Credit card")
    PERSONAL_LOAN = "personal_loan", _("Personal loan")
    AUTO_LOAN = "auto_loan", _("Auto loan")
    MORTGAGE = "mortgage", _("Mortgage")
    MICROCREDIT = "microcredit", _("Microcredit")
    UTILITY = "utility", _("Utility")
    TELECOM = "telecom", _("Telecom")
    RETAIL = "retail", _("Retail")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    CURRENT = "current", _("Current")
    FRIENDLY_REMINDER = "friendly_reminder", _("Friendly reminder")
    FIRM_NOTICE = "firm_notice", _("Firm notice")
    PRE_LEGAL = "pre_legal", _("Pre-legal")
    LEGAL = "legal", _("Legal")
    PAID = "paid", _("Paid")
    SETTLED = "settled", _("Settled")
    WRITTEN_OFF = "written_off", _("Written off")


OPEN_STAGES = (
    Stage.CURRENT,
    Stage.FRIENDLY_REMINDER,
    Stage.FIRM_NOTICE,
    Stage.PRE_LEGAL,
    Stage.LEGAL,
)
CLOSED_STAGES = (Stage.PAID, Stage.SETTLED, Stage.WRITTEN_OFF)


class Creditor(TimeStampedModel):
    """The client whose debts Cartera collects (a bank, a fintech, a utility...)."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Bank")
        FINTECH = "fintech", _("Fintech")
        UTILITY = "utility", _("Utility")
        AGENCY = "agency", _("Collection agency")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country = models.CharField(_("country"), max_length=2, default=Country.CO)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_creditors",
        verbose_name=_("managers"),
        help_text=_("Managers who may see and run this creditor's portfolio."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("creditor")
        verbose_name_plural = _("creditors")

    def __str__(self):
        return self.name


class Portfolio(TimeStampedModel):
    """A batch of debts a creditor assigned to us on a given date."""

    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="portfolios", verbose_name=_("creditor")
    )
    name = models.CharField(_("name"), max_length=200)
    assigned_on = models.DateField(_("assignment date"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-assigned_on", "name"]
        verbose_name = _("portfolio")
        verbose_name_plural = _("portfolios")
        constraints = [
            models.UniqueConstraint(fields=["creditor", "name"], name="portfolio_unique_name"),
        ]

    def __str__(self):
        return f"{self.creditor.code} / {self.name}"


class Debtor(TimeStampedModel):
    """A person or company owing one or more debts to one creditor."""

    creditor = models.ForeignKey(
        Creditor,
        on_delete=models.PROTECT,
        related_name="debtors",
        verbose_name=_("creditor"),
        db_index=False,  # covered by the unique (creditor, debtor_ref)
    )
    debtor_ref = models.CharField(_("debtor reference"), max_length=64)
    document_type = models.CharField(_("document type"), max_length=10, choices=DocumentType)
    document_number = models.CharField(_("document number"), max_length=32)
    full_name = models.CharField(_("full name"), max_length=200)
    address_line = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2)
    timezone = models.CharField(_("time zone"), max_length=64)
    language = models.CharField(_("language"), max_length=2, choices=Language, default="es")
    # History rows are looked up by the debtor's id; no index on its creditor, and no FK to
    # the user table (users are deactivated, not deleted), so bulk imports stay cheap.
    history = HistoricalRecords(no_db_index=["creditor"], user_db_constraint=False)

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name = _("debtor")
        verbose_name_plural = _("debtors")
        constraints = [
            models.UniqueConstraint(fields=["creditor", "debtor_ref"], name="debtor_unique_ref"),
        ]
        indexes = [models.Index(fields=["document_number"])]

    def __str__(self):
        return self.full_name

    @property
    def first_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else ""

    @property
    def masked_document(self) -> str:
        """The document with all but the last four characters hidden."""
        number = self.document_number or ""
        return "•" * max(0, len(number) - 4) + number[-4:]


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    VOICE = "voice", _("Voice call")
    LETTER = "letter", _("Letter")


class ConsentSource(models.TextChoices):
    IMPORT = "import", _("Portfolio file")
    COLLECTOR = "collector", _("Collector")
    DEBTOR = "debtor", _("Debtor (portal)")
    OPT_OUT = "opt_out", _("Opt-out (STOP / unsubscribe)")
    API = "api", _("API")
    ADMIN = "admin", _("Administrator")


class ContactPoint(TimeStampedModel):
    """One way to reach a debtor on one channel, with the debtor's current consent for it."""

    debtor = models.ForeignKey(
        Debtor,
        on_delete=models.CASCADE,
        related_name="contact_points",
        verbose_name=_("debtor"),
        db_index=False,  # covered by the unique (debtor, channel, value)
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    value = models.CharField(_("value"), max_length=255)
    is_primary = models.BooleanField(_("primary"), default=False)
    verified = models.BooleanField(_("verified"), default=False)
    consent_granted = models.BooleanField(_("consent granted"), default=False)
    consent_changed_at = models.DateTimeField(_("consent changed at"), null=True, blank=True)
    consent_source = models.CharField(
        _("consent source"), max_length=12, choices=ConsentSource, blank=True
    )
    history = HistoricalRecords(user_db_constraint=False)

    class Meta:
        ordering = ["debtor_id", "channel", "-is_primary", "id"]
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.UniqueConstraint(
                fields=["debtor", "channel", "value"], name="contact_point_unique_value"
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.value}"


class ConsentEvent(models.Model):
    """Append-only record of every consent grant or revocation: consent history is never lost."""

    contact_point = models.ForeignKey(
        ContactPoint, on_delete=models.CASCADE, related_name="consent_events"
    )
    granted = models.BooleanField(_("granted"))
    occurred_at = models.DateTimeField(_("occurred at"))
    source = models.CharField(_("source"), max_length=12, choices=ConsentSource)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["contact_point_id", "occurred_at", "id"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")

    def __str__(self):
        verb = "granted" if self.granted else "revoked"
        return f"{self.contact_point} {verb} {self.occurred_at:%Y-%m-%d}"


def _is_manager(instance, user) -> bool:
    from core.roles import is_manager

    return is_manager(user)


def _balance_is_zero(instance) -> bool:
    return instance.balance == 0


def _legal_conditions_met(instance) -> bool:
    # The service evaluates the policy (DPD, minimum balance, notice period) for the business
    # date and leaves its verdict here; without it the transition is never available.
    check = getattr(instance, "_legal_check", None)
    return bool(check and check.allowed)


class Debt(FSMModelMixin, TimeStampedModel):
    """One obligation of a debtor to a creditor; its `stage` is the escalation ladder."""

    # FK indexes that a composite index already covers are left out (db_index=False).
    creditor = models.ForeignKey(
        Creditor,
        on_delete=models.PROTECT,
        related_name="debts",
        verbose_name=_("creditor"),
        db_index=False,
    )
    portfolio = models.ForeignKey(
        Portfolio,
        on_delete=models.PROTECT,
        related_name="debts",
        null=True,
        blank=True,
        verbose_name=_("portfolio"),
    )
    debtor = models.ForeignKey(
        Debtor, on_delete=models.PROTECT, related_name="debts", verbose_name=_("debtor")
    )
    debt_ref = models.CharField(_("debt reference"), max_length=64)
    product = models.CharField(_("product"), max_length=20, choices=Product)
    currency = models.CharField(_("currency"), max_length=3)
    original_amount = models.DecimalField(_("original amount"), **MONEY)
    principal = models.DecimalField(_("outstanding principal"), **MONEY)
    interest = models.DecimalField(_("outstanding interest"), default=0, **MONEY)
    fees = models.DecimalField(_("outstanding fees"), default=0, **MONEY)
    balance = models.DecimalField(_("balance"), **MONEY)
    due_date = models.DateField(
        _("due date"), help_text=_("When the oldest unpaid amount fell due.")
    )
    opened_date = models.DateField(_("opened date"), null=True, blank=True)
    # Indexed only together with creditor / collector (see Meta): every extra index on `stage`
    # is paid on each of the cycle's bulk stage moves.
    # protected: the stage changes only through the transitions below (bulk code asks them
    # which moves are allowed and writes with set-based SQL plus a StageChange per move).
    stage = FSMField(_("stage"), default=Stage.CURRENT, choices=Stage.choices, protected=True)
    stage_entered_at = models.DateTimeField(_("stage entered at"), null=True, blank=True)
    stage_entered_on = models.DateField(
        _("stage entered on (business date)"),
        null=True,
        blank=True,
        help_text=_("The business date of the last stage change; the cadence counts from it."),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_debts",
        verbose_name=_("assigned collector"),
        db_index=False,
    )
    # The debt's segment lives in DebtSegment (a narrow side table the nightly job writes):
    # rewriting a million rows of this wide, many-indexed table for it cost minutes a night.
    history = HistoricalRecords(
        no_db_index=["creditor", "debtor", "portfolio", "assigned_to"],
        user_db_constraint=False,
    )

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("debt")
        verbose_name_plural = _("debts")
        constraints = [
            models.UniqueConstraint(fields=["creditor", "debt_ref"], name="debt_unique_ref"),
            # Round() changes nothing on PostgreSQL's exact numerics; it stays as migrated.
            models.CheckConstraint(
                condition=Q(balance=Round(F("principal") + F("interest") + F("fees"), 2)),
                name="debt_balance_is_sum",
            ),
            models.CheckConstraint(
                condition=Q(principal__gte=0) & Q(interest__gte=0) & Q(fees__gte=0),
                name="debt_components_not_negative",
            ),
            models.CheckConstraint(condition=Q(original_amount__gt=0), name="debt_original_gt_0"),
        ]
        indexes = [
            models.Index(fields=["creditor", "stage"]),
            # A collector's work queue ranks every open case of theirs on each page view: with
            # the columns it filters and ranks by (and the id, debtor and creditor its
            # per-case subqueries use) in the index, that is an index-only scan of ~20 pages
            # instead of one heap page per case. It also serves every (assigned_to[, stage])
            # lookup the narrower index did.
            models.Index(
                fields=["assigned_to", "stage", "balance", "due_date", "debtor", "creditor", "id"],
                name="debt_work_queue_idx",
            ),
            models.Index(fields=["due_date"]),
        ]

    def __str__(self):
        return f"{self.debt_ref} ({self.debtor})"

    @property
    def segment(self):
        """The segment the nightly job put this debt in (None before its first run)."""
        try:
            return self.segment_state.segment
        except ObjectDoesNotExist:
            return None

    @property
    def segment_id(self) -> int | None:
        try:
            return self.segment_state.segment_id
        except ObjectDoesNotExist:
            return None

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def days_past_due(self, as_of) -> int:
        """Days past due on the business date `as_of` (never stored, so never stale)."""
        from core.dates import days_past_due

        if not self.is_open or self.balance <= 0:
            return 0
        return days_past_due(due_date=self.due_date, as_of=as_of)

    # The escalation ladder. Transitions only move the state; the services in
    # collections_app check the business date, write the StageChange record and lock rows.
    # `custom={"automatic": True}` marks the moves the daily cycle may make on its own; the
    # cycle derives its allowed (from, to) pairs from these declarations.
    @transition(
        field=stage,
        source=[Stage.CURRENT],
        target=Stage.FRIENDLY_REMINDER,
        custom={"automatic": True},
    )
    def start_friendly_reminders(self):
        """Days past due reached the policy's friendly-reminder threshold."""

    @transition(
        field=stage,
        source=[Stage.CURRENT, Stage.FRIENDLY_REMINDER],
        target=Stage.FIRM_NOTICE,
        custom={"automatic": True},
    )
    def send_firm_notice(self):
        """Days past due reached the policy's firm-notice threshold."""

    @transition(
        field=stage,
        source=[Stage.CURRENT, Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE],
        target=Stage.PRE_LEGAL,
        custom={"automatic": True},
    )
    def move_to_pre_legal(self):
        """Days past due reached the policy's pre-legal threshold."""

    @transition(
        field=stage,
        source=[Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE, Stage.PRE_LEGAL],
        target=Stage.CURRENT,
        custom={"automatic": True, "cure": True},
    )
    def cure(self):
        """The delinquency was cured: nothing is past due any more."""

    @transition(
        field=stage,
        source=[Stage.PRE_LEGAL],
        target=Stage.LEGAL,
        conditions=[_legal_conditions_met],
        permission=_is_manager,
    )
    def escalate_to_legal(self):
        """A manager hands the case to the legal team (policy DPD, balance and notice met)."""

    @transition(
        field=stage,
        source=list(OPEN_STAGES),
        target=Stage.PAID,
        conditions=[_balance_is_zero],
        custom={"automatic": True},
    )
    def mark_paid(self):
        """A payment brought the balance to zero."""

    @transition(field=stage, source=list(OPEN_STAGES), target=Stage.SETTLED)
    def settle(self):
        """An agreement with a discount was completed; the forgiven rest is recorded with it."""

    # Agreements: while an agreement is active the debt is restructured (`current`, ladder
    # frozen); when it breaks or is cancelled the debt returns to the stage it held before.
    @transition(
        field=stage, source=list(OPEN_STAGES), target=Stage.CURRENT, custom={"agreement": True}
    )
    def start_agreement(self):
        """A payment agreement became active on this debt."""

    @transition(
        field=stage,
        source=[Stage.CURRENT],
        target=RETURN_VALUE(*OPEN_STAGES),
        custom={"agreement": True},
    )
    def return_from_agreement(self, stage):
        """The agreement broke or was cancelled: back to the stage held when it began."""
        return stage

    @transition(
        field=stage,
        source=list(OPEN_STAGES),
        target=Stage.WRITTEN_OFF,
        permission=_is_manager,
    )
    def write_off(self):
        """A manager writes the debt off (castigo); a reason is required by the service."""


class Payment(TimeStampedModel):
    """A payment received on a debt, allocated to fees, then interest, then principal."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CASH = "cash", _("Cash")
        CARD = "card", _("Card")
        DIRECT_DEBIT = "direct_debit", _("Direct debit")
        CHECK = "check", _("Check")
        PSE = "pse", _("PSE")
        SPEI = "spei", _("SPEI")
        OXXO = "oxxo", _("OXXO")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        API = "api", _("API")
        FILE = "file", _("Payments file")
        PORTAL = "portal", _("Debtor portal")
        MANUAL = "manual", _("Manual entry")

    creditor = models.ForeignKey(
        Creditor,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("creditor"),
        db_index=False,  # covered by the unique (creditor, reference)
    )
    debt = models.ForeignKey(
        Debt, on_delete=models.PROTECT, related_name="payments", verbose_name=_("debt")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    paid_at = models.DateTimeField(_("paid at"))
    method = models.CharField(_("method"), max_length=20, choices=Method)
    source = models.CharField(_("source"), max_length=10, choices=Source)
    reference = models.CharField(
        _("reference"), max_length=100, help_text=_("Idempotency key, unique per creditor.")
    )
    allocated_fees = models.DecimalField(_("to fees"), default=0, **MONEY)
    allocated_interest = models.DecimalField(_("to interest"), default=0, **MONEY)
    allocated_principal = models.DecimalField(_("to principal"), default=0, **MONEY)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords(no_db_index=["creditor", "recorded_by"], user_db_constraint=False)

    class Meta:
        ordering = ["-paid_at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "reference"], name="payment_unique_reference"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(
                    amount=Round(
                        F("allocated_fees") + F("allocated_interest") + F("allocated_principal"), 2
                    )
                ),
                name="payment_fully_allocated",
            ),
        ]
        indexes = [models.Index(fields=["debt", "paid_at"])]

    def __str__(self):
        return f"{self.amount} {self.currency} {self.reference}"


class ImportBatch(TimeStampedModel):
    """One run of a portfolio or payments file import, with its counts and row errors."""

    class Kind(models.TextChoices):
        PORTFOLIO = "portfolio", _("Portfolio file")
        PAYMENTS = "payments", _("Payments file")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected (strict mode, nothing written)")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="imports", verbose_name=_("creditor")
    )
    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.SET_NULL, null=True, blank=True, related_name="imports"
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    strict = models.BooleanField(_("strict"), default=False)
    dry_run = models.BooleanField(_("dry run"), default=False)
    source = models.CharField(_("source"), max_length=10, default="cli")
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    debtors_created = models.PositiveIntegerField(_("debtors created"), default=0)
    debtors_updated = models.PositiveIntegerField(_("debtors updated"), default=0)
    error_message = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"


class ImportRowError(models.Model):
    """Why one row of an import file was rejected: (row number, column, reason)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField(_("row"), help_text=_("Line number; the header is line 1."))
    column = models.CharField(_("column"), max_length=64)
    reason = models.CharField(_("reason"), max_length=255)
    value = models.CharField(_("value"), max_length=255, blank=True)

    class Meta:
        ordering = ["batch_id", "row", "id"]
        verbose_name = _("import row error")
        verbose_name_plural = _("import row errors")

    def __str__(self):
        return f"row {self.row} {self.column}: {self.reason}"


class DocumentAccessLog(models.Model):
    """Who saw a debtor's full identity document, and when (Ley 1581: access is logged)."""

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="document_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accessed_at = models.DateTimeField(_("accessed at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)

    class Meta:
        ordering = ["-accessed_at", "-id"]
        verbose_name = _("document access")
        verbose_name_plural = _("document accesses")

    def __str__(self):
        return f"{self.user} viewed {self.debtor} at {self.accessed_at:%Y-%m-%d %H:%M}"


# Segmentation and KPI snapshot models live in their own modules (models.py stays readable).
from portfolio.models_kpis import (  # noqa: E402,F401
    AgingSnapshot,
    AgreementSpan,
    BucketTransition,
    CollectionDay,
    ContactDay,
    DebtMonthOpening,
    InstalmentDay,
    MessageDay,
    PromiseDay,
    SuppressionDay,
)
from portfolio.models_segments import (  # noqa: E402,F401
    BehaviourScore,
    DebtSegment,
    NightlyRun,
    SegmentChange,
    SegmentDefinition,
    SegmentRule,
)
