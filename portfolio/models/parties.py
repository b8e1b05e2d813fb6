"""The books' parties: creditors, portfolios, debtors, contact points, consent; choices."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.documents import CompactDocument
from core.models import TimeStampedModel

MONEY = {"max_digits": 18, "decimal_places": 2}
# What `document_normalise` never leaves in a number: separators and lower-case letters.
DOCUMENT_NOT_COMPACT = r"[-[:space:].,/_a-z]"


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
            # Stored compact (core.documents.document_normalise): the portal compares what a
            # debtor types with it, so a separator kept here locks the debtor out.
            models.CheckConstraint(
                condition=~models.Q(document_number__regex=DOCUMENT_NOT_COMPACT),
                name="debtor_document_compact",
                violation_error_message=_(
                    "Store the document number without spaces, dots or dashes, in upper case."
                ),
            ),
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


# Searches by document match its compact form, however it is typed.
Debtor._meta.get_field("document_number").register_lookup(CompactDocument)


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
    # Set when the provider reports the address dead (an e-mail's hard bounce): planning and
    # sending stop using it. Both nullable, with no database default: the COPY and
    # INSERT ... SELECT writers (imports, benches) that do not name them leave them empty.
    invalid_at = models.DateTimeField(_("invalid since"), null=True, blank=True)
    invalid_reason = models.CharField(_("why invalid"), max_length=255, null=True, blank=True)
    history = HistoricalRecords(user_db_constraint=False)

    @property
    def is_invalid(self) -> bool:
        return self.invalid_at is not None

    class Meta:
        ordering = ["debtor_id", "channel", "-is_primary", "id"]
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.UniqueConstraint(
                fields=["debtor", "channel", "value"], name="contact_point_unique_value"
            ),
        ]
        indexes = [
            # Who has this address (an inbound reply, a bounce, a STOP): matched without case.
            models.Index(Upper("value"), name="contact_point_value_ci"),
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


class DebtorDataAccess(models.Model):
    """Who saw a debtor's full identity document or contact data, where, and when.

    Ley 1581 (CO-DATA): access to personal data is logged. A page or API answer that shows
    the full data of many debtors records one row per debtor, in one INSERT.
    """

    class Data(models.TextChoices):
        DOCUMENT = "document", _("Identity document")
        CONTACTS = "contacts", _("Contact data")

    class Via(models.TextChoices):
        DEBT_PAGE = "debt_page", _("Debt page")
        OUTBOX = "outbox", _("Outbox")
        INBOX = "inbox", _("Inbox")
        CALL_LIST = "call_list", _("Call list")
        API = "api", _("API")
        ADMIN = "admin", _("Admin")
        LEGAL = "legal", _("Legal case")

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="data_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accessed_at = models.DateTimeField(_("accessed at"), auto_now_add=True, db_index=True)
    data = models.CharField(_("data"), max_length=10, choices=Data, default=Data.DOCUMENT)
    via = models.CharField(_("where"), max_length=10, choices=Via, default=Via.DEBT_PAGE)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)

    class Meta:
        ordering = ["-accessed_at", "-id"]
        verbose_name = _("debtor data access")
        verbose_name_plural = _("debtor data accesses")

    def __str__(self):
        return f"{self.user} saw {self.data} of {self.debtor} at {self.accessed_at:%Y-%m-%d %H:%M}"
