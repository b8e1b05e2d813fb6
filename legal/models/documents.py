"""The files of a legal case: the power of attorney, the promissory note's scan, court papers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from legal.models.case import LegalCase


class LegalDocument(models.Model):
    class Kind(models.TextChoices):
        POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney")
        PROMISSORY_NOTE = "promissory_note", _("Promissory note (scan)")
        CLAIM = "claim", _("Claim as filed")
        COURT_ORDER = "court_order", _("Court order")
        NOTIFICATION = "notification", _("Notification to the debtor")
        COST_RECEIPT = "cost_receipt", _("Cost receipt")
        BUNDLE = "bundle", _("Filing bundle")
        OTHER = "other", _("Other")

    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    file = models.FileField(_("file"), upload_to="legal/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")

    def __str__(self):
        return self.name
