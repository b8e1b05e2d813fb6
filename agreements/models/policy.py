"""Negotiation limits per creditor: what a collector (and later the debtor) may offer alone."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from portfolio.models import Creditor

PCT = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(0), MaxValueValidator(100)],
}


class NegotiationPolicy(TimeStampedModel):
    """A creditor's negotiation limits; beyond the collector's, a manager must approve."""

    creditor = models.OneToOneField(
        Creditor, on_delete=models.CASCADE, related_name="negotiation_policy"
    )
    collector_max_discount_pct = models.DecimalField(
        _("collector: maximum discount %"),
        default=Decimal("10"),
        help_text=_("Everything forgiven (discount and waivers) as a share of the balance."),
        **PCT,
    )
    collector_max_instalments = models.PositiveIntegerField(
        _("collector: maximum instalments"), default=12, validators=[MinValueValidator(1)]
    )
    collector_min_down_pct = models.DecimalField(
        _("collector: minimum down payment %"), default=Decimal("10"), **PCT
    )
    self_service_max_instalments = models.PositiveIntegerField(
        _("debtor self-service: maximum instalments"),
        default=6,
        validators=[MinValueValidator(1)],
    )
    self_service_min_down_pct = models.DecimalField(
        _("debtor self-service: minimum down payment %"), default=Decimal("20"), **PCT
    )
    early_payment_discount_pct = models.DecimalField(
        _("early-payment incentive %"),
        default=Decimal("5"),
        help_text=_("Extra discount when a settlement is paid in full within the days below."),
        **PCT,
    )
    early_payment_days = models.PositiveIntegerField(_("early-payment window (days)"), default=10)
    default_grace_days = models.PositiveIntegerField(
        _("instalment grace days"), default=5, validators=[MaxValueValidator(60)]
    )
    promise_grace_days = models.PositiveIntegerField(
        _("promise grace days"), default=2, validators=[MaxValueValidator(30)]
    )
    reminder_days_before = models.PositiveIntegerField(
        _("instalment reminder: days before due"), default=3, validators=[MaxValueValidator(30)]
    )
    max_instalments = models.PositiveIntegerField(
        _("absolute maximum instalments"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(360)],
        help_text=_("Not even a manager may approve more."),
    )

    class Meta:
        verbose_name = _("negotiation policy")
        verbose_name_plural = _("negotiation policies")

    def __str__(self):
        return str(self.creditor)

    def clean(self):
        errors = {}
        if (
            self.collector_max_instalments
            and self.max_instalments
            and self.collector_max_instalments > self.max_instalments
        ):
            errors["collector_max_instalments"] = _(
                "The collector's limit cannot exceed the absolute maximum."
            )
        if (
            self.self_service_max_instalments
            and self.collector_max_instalments
            and self.self_service_max_instalments > self.collector_max_instalments
        ):
            errors["self_service_max_instalments"] = _(
                "Debtors alone may not get more instalments than a collector may offer."
            )
        if (
            self.self_service_min_down_pct is not None
            and self.collector_min_down_pct is not None
            and self.self_service_min_down_pct < self.collector_min_down_pct
        ):
            errors["self_service_min_down_pct"] = _(
                "Debtors alone must put down at least what a collector requires."
            )
        if self.early_payment_discount_pct and not self.early_payment_days:
            errors["early_payment_days"] = _("Give the days within which the incentive applies.")
        if errors:
            raise ValidationError(errors)
