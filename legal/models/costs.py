"""The costs and fees of a legal case, and whether each may be charged to the debtor (and why).

Chargeability is decided by legal.services.costs (docs/legal.md, "Costs and fees"): the model
only keeps the verdict and its reason, so the case page and the settlement read the same answer.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMModelMixin, transition

from core.fsm import StateField
from core.models import TimeStampedModel
from legal.models.case import LegalCase
from legal.models.documents import LegalDocument

MONEY = {"max_digits": 18, "decimal_places": 2}


class CostKind(models.TextChoices):
    COURT_COST = "court_cost", _("Court cost")
    DISBURSEMENT = "disbursement", _("Disbursement")
    FIXED_FEE = "fixed_fee", _("Firm's fixed fee")
    SUCCESS_FEE = "success_fee", _("Firm's success fee")


# The firm's fees: the creditor's cost, chargeable only within the ceiling and the disclosure.
FEE_KINDS = (CostKind.FIXED_FEE, CostKind.SUCCESS_FEE)


class CostStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", pgettext_lazy("legal cost", "Pending approval")
    APPROVED = "approved", pgettext_lazy("legal cost", "Approved")
    REJECTED = "rejected", pgettext_lazy("legal cost", "Rejected")


class ChargeableReason(models.TextChoices):
    CHARGEABLE = "chargeable", _("Real, documented, disclosed and within the ceiling")
    PARTIAL = "ceiling_partial", _("Only the part within the creditor's ceiling")
    PENDING = "pending_approval", _("Not approved yet")
    REJECTED = "rejected", _("Rejected by the creditor")
    NOT_DISCLOSED = "not_disclosed", _("The creditor did not disclose collection costs")
    NO_RECEIPT = "no_receipt", _("No receipt: not documented")
    HOUSING_PRE_LEGAL = "housing_pre_legal", _("Pre-legal collection fee on a housing loan")
    OVER_CEILING = "over_ceiling", _("Over the creditor's ceiling")


class LegalCost(FSMModelMixin, TimeStampedModel):
    """One cost or fee of a case, in the debt's currency."""

    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="costs")
    kind = models.CharField(_("kind"), max_length=20, choices=CostKind)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    incurred_on = models.DateField(_("incurred on"))
    description = models.CharField(_("description"), max_length=255)
    receipt = models.ForeignKey(
        LegalDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="costs",
        verbose_name=_("receipt"),
    )
    chargeable_to_debtor = models.BooleanField(_("chargeable to the debtor"), default=False)
    # The part of `amount` the debtor may be charged (less than it when the ceiling cuts in).
    chargeable_amount = models.DecimalField(_("chargeable amount"), default=0, **MONEY)
    chargeable_reason = models.CharField(
        _("why"), max_length=20, choices=ChargeableReason, default=ChargeableReason.PENDING
    )
    # When the chargeable part was added to the debt's fees (a settlement in legal): once only.
    charged_on = models.DateField(_("charged to the debt on"), null=True, blank=True)
    status = StateField(
        _("status"),
        max_length=20,
        choices=CostStatus.choices,
        default=CostStatus.PENDING_APPROVAL,
        protected=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["incurred_on", "id"]
        verbose_name = _("legal cost")
        verbose_name_plural = _("legal costs")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="legal_cost_amount_positive"),
            models.CheckConstraint(
                condition=Q(chargeable_amount__gte=0, chargeable_amount__lte=models.F("amount")),
                name="legal_cost_chargeable_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["status", "case"], name="legal_cost_status_case")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.currency}"

    @transition(field=status, source=CostStatus.PENDING_APPROVAL, target=CostStatus.APPROVED)
    def approve(self):
        """Approved (at once up to the creditor's limit, else by a manager)."""

    @transition(field=status, source=CostStatus.PENDING_APPROVAL, target=CostStatus.REJECTED)
    def reject(self):
        """Rejected by a manager: the creditor does not accept the cost."""
