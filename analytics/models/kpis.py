"""KPI snapshot tables written by the nightly job, so the dashboard never scans raw history.

Every row is one cut: business date (or month) × creditor × portfolio × segment × collector ×
currency. Amounts stay per currency; nothing here adds two currencies together.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from analytics.models.segments import AGING_BUCKET_CHOICES

MONEY = {"max_digits": 18, "decimal_places": 2}

# Where a debt that was open at the start of a month ended it: an aging bucket or closed.
END_STATE_CHOICES = [
    *AGING_BUCKET_CHOICES,
    ("paid", _("Paid or settled")),
    ("written_off", _("Written off")),
]


class _Cut(models.Model):
    creditor = models.ForeignKey(
        "portfolio.Creditor", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    portfolio = models.ForeignKey(
        "portfolio.Portfolio",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    segment = models.ForeignKey(
        "analytics.SegmentDefinition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    currency = models.CharField(_("currency"), max_length=3)

    class Meta:
        abstract = True


class AgingSnapshot(_Cut):
    """Open debts and their balance per aging bucket at the end of a business date."""

    as_of = models.DateField(_("business date"))
    bucket = models.CharField(_("aging bucket"), max_length=10, choices=AGING_BUCKET_CHOICES)
    debts = models.PositiveIntegerField(_("debts"))
    balance = models.DecimalField(_("balance"), **MONEY)

    class Meta:
        ordering = ["-as_of", "creditor_id", "currency", "bucket"]
        verbose_name = _("aging snapshot")
        verbose_name_plural = _("aging snapshots")
        indexes = [models.Index(fields=["as_of", "creditor"])]

    def __str__(self):
        return f"{self.as_of} {self.creditor_id} {self.bucket} {self.balance} {self.currency}"


class CollectionDay(_Cut):
    """What happened on one business date: payments, debts closed, debts placed."""

    as_of = models.DateField(_("business date"))
    collected = models.DecimalField(_("collected"), default=0, **MONEY)
    payments = models.PositiveIntegerField(_("payments"), default=0)
    paying_debts = models.PositiveIntegerField(_("debts with a payment"), default=0)
    debts_closed = models.PositiveIntegerField(_("debts paid or settled"), default=0)
    days_to_collect = models.PositiveIntegerField(
        _("days to collect (sum)"),
        default=0,
        help_text=_("Sum over the debts closed that day of days from first delinquency."),
    )
    debts_placed = models.PositiveIntegerField(_("debts placed"), default=0)
    placed_balance = models.DecimalField(_("balance placed"), default=0, **MONEY)

    class Meta:
        ordering = ["-as_of", "creditor_id", "currency"]
        verbose_name = _("collection day")
        verbose_name_plural = _("collection days")
        indexes = [models.Index(fields=["as_of", "creditor"])]

    def __str__(self):
        return f"{self.as_of} {self.creditor_id} {self.collected} {self.currency}"


class DebtMonthOpening(models.Model):
    """Each open debt's bucket and balance at the start of a month (for roll and cure rates).

    A million rows a month are written in one INSERT ... SELECT: plain id columns (no foreign
    key checks) keep that cheap; the transitions read them through joins.
    """

    month = models.DateField(_("month"), help_text=_("First day of the month."))
    debt = models.ForeignKey(
        "portfolio.Debt",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    creditor_id = models.BigIntegerField(_("creditor"))
    portfolio_id = models.BigIntegerField(_("portfolio"), null=True, blank=True)
    segment_id = models.BigIntegerField(_("segment"), null=True, blank=True)
    collector_id = models.BigIntegerField(_("collector"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    bucket = models.CharField(_("aging bucket"), max_length=10, choices=AGING_BUCKET_CHOICES)
    balance = models.DecimalField(_("balance"), **MONEY)

    class Meta:
        ordering = ["-month", "debt_id"]
        verbose_name = _("debt at month start")
        verbose_name_plural = _("debts at month start")
        constraints = [models.UniqueConstraint(fields=["month", "debt"], name="month_opening_once")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.debt_id} {self.bucket}"


class BucketTransition(_Cut):
    """Month-to-date (final once the month is over) moves between buckets of opening balances."""

    month = models.DateField(_("month"), help_text=_("First day of the month."))
    as_of = models.DateField(_("measured on"))
    from_bucket = models.CharField(_("from"), max_length=10, choices=AGING_BUCKET_CHOICES)
    to_state = models.CharField(_("to"), max_length=12, choices=END_STATE_CHOICES)
    debts = models.PositiveIntegerField(_("debts"))
    balance_start = models.DecimalField(_("balance at month start"), **MONEY)

    class Meta:
        ordering = ["-month", "creditor_id", "currency", "from_bucket", "to_state"]
        verbose_name = _("bucket transition")
        verbose_name_plural = _("bucket transitions")
        indexes = [models.Index(fields=["month", "creditor"])]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.from_bucket} → {self.to_state} {self.currency}"


class PromiseDay(_Cut):
    """Promises to pay on one business date: made that day, and falling due that day.

    `due` counts the (not cancelled) promises whose promised date is `as_of`; each is `kept`
    (covered in full by date + grace), `broken` or still `awaiting` (grace not over). Rows
    of recent dates are rewritten every night until their promises are all judged.
    """

    as_of = models.DateField(_("business date"))
    made = models.PositiveIntegerField(_("promises made"), default=0)
    made_amount = models.DecimalField(_("amount promised"), default=0, **MONEY)
    due = models.PositiveIntegerField(_("promises due"), default=0)
    kept = models.PositiveIntegerField(_("promises kept"), default=0)
    broken = models.PositiveIntegerField(_("promises broken"), default=0)
    awaiting = models.PositiveIntegerField(_("promises awaiting"), default=0)

    class Meta:
        ordering = ["-as_of", "creditor_id", "currency"]
        verbose_name = _("promise day")
        verbose_name_plural = _("promise days")
        indexes = [models.Index(fields=["as_of", "creditor"])]

    def __str__(self):
        return f"{self.as_of} {self.creditor_id} {self.currency} {self.kept}/{self.due}"


class InstalmentDay(_Cut):
    """Agreement instalments falling due on one date and whether they were paid on time."""

    as_of = models.DateField(_("due date"))
    due = models.PositiveIntegerField(_("instalments due"), default=0)
    due_amount = models.DecimalField(_("amount due"), default=0, **MONEY)
    kept = models.PositiveIntegerField(_("paid in full on time"), default=0)
    partial = models.PositiveIntegerField(_("partly paid"), default=0)
    awaiting = models.PositiveIntegerField(_("grace not over"), default=0)
    paid_amount = models.DecimalField(_("amount paid"), default=0, **MONEY)

    class Meta:
        ordering = ["-as_of", "creditor_id", "currency"]
        verbose_name = _("instalment day")
        verbose_name_plural = _("instalment days")
        indexes = [models.Index(fields=["as_of", "creditor"])]

    def __str__(self):
        return f"{self.as_of} {self.creditor_id} {self.currency} {self.kept}/{self.due}"


class AgreementSpan(_Cut):
    """One row per agreement that was ever active: when it was active and whether it broke.

    Rewritten every night; "agreements active at any time in a period" are the spans that
    overlap it (a count per day would count a long agreement once per day).
    """

    # A plain id (the table is rebuilt from the agreements every night; no cross-app key).
    agreement_id = models.BigIntegerField(_("agreement"), unique=True)
    active_from = models.DateField(_("active from"))
    active_until = models.DateField(_("active until"), null=True, blank=True)
    broken_on = models.DateField(_("broken on"), null=True, blank=True)

    class Meta:
        ordering = ["-active_from", "agreement_id"]
        verbose_name = _("agreement span")
        verbose_name_plural = _("agreement spans")
        indexes = [models.Index(fields=["creditor", "active_from"])]

    def __str__(self):
        return f"{self.agreement_id} {self.active_from} – {self.active_until or '…'}"


class MessageDay(_Cut):
    """Outbox messages of one business date per channel and template, down to payments.

    A message covering debts of two currencies counts once in each currency; `followed`
    counts messages taken as delivered that were followed by a payment on one of the debts
    it covers (of that currency) within 7 days of sending.
    """

    as_of = models.DateField(_("business date"))
    channel = models.CharField(_("channel"), max_length=10)
    template = models.CharField(_("template"), max_length=60)
    planned = models.PositiveIntegerField(_("planned"), default=0)
    suppressed = models.PositiveIntegerField(_("suppressed"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    confirmed = models.PositiveIntegerField(_("delivery confirmed"), default=0)
    followed = models.PositiveIntegerField(_("followed by a payment in 7 days"), default=0)

    class Meta:
        ordering = ["-as_of", "creditor_id", "currency", "channel", "template"]
        verbose_name = _("message day")
        verbose_name_plural = _("message days")
        indexes = [models.Index(fields=["as_of", "creditor"])]

    def __str__(self):
        return f"{self.as_of} {self.channel} {self.template} {self.followed}/{self.delivered}"


class SuppressionDay(_Cut):
    """Planned messages the compliance engine suppressed on one business date, by rule."""

    as_of = models.DateField(_("business date"))
    channel = models.CharField(_("channel"), max_length=10)
    rule = models.CharField(_("rule"), max_length=40)
    messages = models.PositiveIntegerField(_("messages"), default=0)

    class Meta:
        ordering = ["-as_of", "creditor_id", "rule"]
        verbose_name = _("suppression day")
        verbose_name_plural = _("suppression days")
        indexes = [models.Index(fields=["as_of", "creditor"])]

    def __str__(self):
        return f"{self.as_of} {self.rule} {self.messages}"


class ContactDay(_Cut):
    """Contacts the collectors logged on one business date (collections_app.Interaction).

    One row per cut and channel, plus one row per cut with `channel` = "" for all channels
    together: `cases_worked` counts distinct debts, which rows of two channels cannot add up
    to (a debt called and visited the same day is one case worked). Read either the "" rows or
    the rows of one channel, never both. `collector` is who logged the contact (the debt's
    assigned collector when nobody did).

    Attempts are outbound calls and field visits; `reached`, `rpc` and `promises` count
    attempts only (messages and inbound calls are logged contacts, not attempts).
    """

    ALL_CHANNELS = ""

    as_of = models.DateField(_("business date"))
    channel = models.CharField(_("channel"), max_length=15, blank=True)
    interactions = models.PositiveIntegerField(_("contacts logged"), default=0)
    cases_worked = models.PositiveIntegerField(_("cases worked"), default=0)
    attempts = models.PositiveIntegerField(_("contact attempts"), default=0)
    reached = models.PositiveIntegerField(_("attempts reaching a person"), default=0)
    rpc = models.PositiveIntegerField(_("right-party contacts"), default=0)
    promises = models.PositiveIntegerField(_("promises to pay made"), default=0)

    class Meta:
        ordering = ["-as_of", "creditor_id", "currency", "channel"]
        verbose_name = _("contact day")
        verbose_name_plural = _("contact days")
        indexes = [models.Index(fields=["as_of", "creditor"])]

    def __str__(self):
        return f"{self.as_of} {self.channel or '*'} {self.rpc}/{self.attempts}"
