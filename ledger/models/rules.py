"""The creditor's rules for its books: application order, accrual, ceilings, collection fees.

Colombia's usury ceiling is data a manager loads (`UsuryRate`, certified by the
Superintendencia Financiera per period and credit type); Mexico and the US take the ceiling the
creditor sets (`LedgerSettings.max_late_rate`). The accrual never applies a rate above the
ceiling of the day (COMPLIANCE.md, CO-USURY).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from portfolio.models import MONEY, Creditor, Product, Stage

RATE = {"max_digits": 9, "decimal_places": 4}


class ApplicationOrder(models.TextChoices):
    """In which order a payment pays off a debt's components."""

    FEES_INTEREST_PRINCIPAL = "fees_interest_principal", _("Fees, then interest, then principal")
    INTEREST_FEES_PRINCIPAL = "interest_fees_principal", _("Interest, then fees, then principal")
    INTEREST_PRINCIPAL_FEES = "interest_principal_fees", _("Interest, then principal, then fees")
    FEES_PRINCIPAL_INTEREST = "fees_principal_interest", _("Fees, then principal, then interest")
    PRINCIPAL_INTEREST_FEES = "principal_interest_fees", _("Principal, then interest, then fees")
    PRINCIPAL_FEES_INTEREST = "principal_fees_interest", _("Principal, then fees, then interest")


def order_components(order: str) -> tuple[str, str, str]:
    """The components of an application order, first paid first."""
    return tuple(order.split("_"))  # type: ignore[return-value]


class LedgerSettings(TimeStampedModel):
    """A creditor's book rules for its debtors of one country (one row per pair)."""

    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="ledger_settings", db_index=False
    )
    country = models.CharField(_("country"), max_length=2)
    application_order = models.CharField(
        _("application order"), max_length=30, choices=ApplicationOrder
    )
    # Mexico and the US: the creditor's own ceiling on late interest (% a year); Colombia's is
    # the certified usury rate, and a lower value here makes it stricter still.
    max_late_rate = models.DecimalField(
        _("maximum late interest rate (% a year)"), null=True, blank=True, **RATE
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("updated by"),
    )  # fmt: skip

    class Meta:
        ordering = ["creditor_id", "country"]
        verbose_name = _("ledger settings")
        verbose_name_plural = _("ledger settings")
        constraints = [
            models.UniqueConstraint(fields=["creditor", "country"], name="ledger_settings_once"),
            models.CheckConstraint(
                condition=Q(max_late_rate__isnull=True) | Q(max_late_rate__gte=0),
                name="ledger_settings_rate_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.creditor_id} {self.country}"


class CreditType(models.TextChoices):
    """The Superintendencia Financiera's credit types, each with its own certified rate."""

    CONSUMER_ORDINARY = "consumer_ordinary", _("Consumer and ordinary credit")
    MICROCREDIT = "microcredit", _("Microcredit")
    LOW_AMOUNT_CONSUMER = "low_amount_consumer", _("Low-amount consumer credit")


class DayCount(models.TextChoices):
    ACT_365 = "act_365", _("Actual/365")
    ACT_360 = "act_360", _("Actual/360")
    ACT_ACT = "act_act", _("Actual/actual (366 in a leap year)")
    THIRTY_360 = "30e_360", _("30E/360 (months of 30 days)")


class RateBasis(models.TextChoices):
    # Colombia quotes rates as effective annual (E.A.): the daily rate is (1 + r)^(1/year) - 1.
    EFFECTIVE_ANNUAL = "effective_annual", _("Effective annual (E.A.)")
    NOMINAL_ANNUAL = "nominal_annual", _("Nominal annual (simple)")


class UsuryRate(models.Model):
    """The bank current rate (IBC) the Superintendencia certified for a period and credit type.

    The usury ceiling is 1.5 times it (Código de Comercio art. 884); both are effective annual.
    """

    credit_type = models.CharField(_("credit type"), max_length=30, choices=CreditType)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    bank_current_rate = models.DecimalField(_("bank current rate (% E.A.)"), **RATE)
    usury_rate = models.DecimalField(_("usury rate (% E.A.)"), **RATE)
    resolution = models.CharField(_("certifying resolution"), max_length=120, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("loaded by"),
    )  # fmt: skip
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        ordering = ["credit_type", "-valid_from"]
        verbose_name = _("certified usury rate")
        verbose_name_plural = _("certified usury rates")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_type", "valid_from"], name="usury_rate_once_per_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="usury_rate_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(bank_current_rate__gt=0) & Q(usury_rate__gt=0),
                name="usury_rate_positive",
            ),
        ]

    def __str__(self):
        return f"{self.credit_type} {self.valid_from}–{self.valid_to}: {self.usury_rate}"


class AccrualRule(models.Model):
    """How late interest accrues on a creditor's product, from `valid_from` on.

    A change of rate is a new rule with a later `valid_from`: the accrual of each day reads the
    rule valid that day, so a replayed date gives the same entry.
    """

    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="accrual_rules", db_index=False
    )
    product = models.CharField(_("product"), max_length=20, choices=Product)
    valid_from = models.DateField(_("valid from"))
    annual_rate = models.DecimalField(_("late interest rate (% a year)"), **RATE)
    rate_basis = models.CharField(_("rate basis"), max_length=20, choices=RateBasis)
    day_count = models.CharField(_("day count"), max_length=10, choices=DayCount)
    grace_days = models.PositiveIntegerField(_("grace days"), default=0)
    credit_type = models.CharField(
        _("credit type (Colombia's usury ceiling)"), max_length=30, choices=CreditType,
        default=CreditType.CONSUMER_ORDINARY,
    )  # fmt: skip
    is_active = models.BooleanField(_("accrues"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["creditor_id", "product", "-valid_from"]
        verbose_name = _("accrual rule")
        verbose_name_plural = _("accrual rules")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "product", "valid_from"], name="accrual_rule_once_per_start"
            ),
            models.CheckConstraint(
                condition=Q(annual_rate__gte=0), name="accrual_rule_rate_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.product} {self.annual_rate} % from {self.valid_from}"


class FeeRule(models.Model):
    """A collection fee the creditor charges at a stage: a share of what is owed, once.

    Only for real collection work (a contact of the stage was sent), disclosed to debtors
    beforehand, proportional (a percentage, with an optional cap); never on a housing loan at
    pre-legal in Colombia (COMPLIANCE.md, CO-FEES).
    """

    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="fee_rules", db_index=False
    )
    country = models.CharField(_("country"), max_length=2)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage)
    percent = models.DecimalField(_("fee (% of what is owed)"), max_digits=5, decimal_places=2)
    max_amount = models.DecimalField(_("at most"), null=True, blank=True, **MONEY)
    disclosed_on = models.DateField(_("disclosed to debtors on"))
    disclosure = models.TextField(_("how it was disclosed"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["creditor_id", "country", "stage"]
        verbose_name = _("collection fee rule")
        verbose_name_plural = _("collection fee rules")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "country", "stage"],
                condition=Q(is_active=True),
                name="fee_rule_one_active",
            ),
            models.CheckConstraint(
                condition=Q(percent__gt=0) & Q(percent__lte=100), name="fee_rule_percent_range"
            ),
        ]

    def __str__(self):
        return f"{self.country} {self.stage} {self.percent} %"
