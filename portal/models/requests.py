"""What a debtor asks for in the portal: disputes and contact preferences."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from portfolio.models import Debt, Debtor, Hold


class Dispute(models.Model):
    """A dispute filed in the portal, kept for the portal and the collector's review task.

    Since #18 it is a dispute complaint (`complaint`): that complaint holds the debt, has the
    legal clock and the answer the debtor receives; `hold` is the hold it set (none when the
    debt was already closed). Disputes filed before have a hold and no complaint.
    """

    class Reason(models.TextChoices):
        NOT_MINE = "not_mine", _("This debt is not mine")
        ALREADY_PAID = "already_paid", _("I already paid it")
        WRONG_AMOUNT = "wrong_amount", _("The amount is wrong")
        FRAUD = "fraud", _("Identity theft or fraud")
        OTHER = "other", _("Other")

    debt = models.ForeignKey(Debt, on_delete=models.CASCADE, related_name="portal_disputes")
    hold = models.OneToOneField(
        Hold, on_delete=models.PROTECT, related_name="portal_dispute", null=True, blank=True
    )
    complaint = models.OneToOneField(
        Complaint,
        on_delete=models.PROTECT,
        related_name="portal_dispute",
        null=True,
        blank=True,
        verbose_name=_("complaint"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    text = models.TextField(_("explanation"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="disputes/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("portal dispute")
        verbose_name_plural = _("portal disputes")

    def __str__(self):
        return f"dispute on debt {self.debt_id}"


class ContactPreference(models.Model):
    """When the debtor prefers to be contacted (local time, the debtor's time zone)."""

    debtor = models.OneToOneField(
        Debtor, on_delete=models.CASCADE, related_name="portal_preference"
    )
    preferred_from = models.TimeField(_("preferred from"), null=True, blank=True)
    preferred_to = models.TimeField(_("preferred until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self):
        return f"preferences of debtor {self.debtor_id}"
