"""Per-creditor overrides of the contact rules: stricter than the law, never looser."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from portfolio.models import Creditor


class ComplianceOverride(TimeStampedModel):
    """A creditor's stricter parameters for one rule id (e.g. CO-WINDOW 08:00-18:00).

    Validated against the legal rule when saved (messaging.services.compliance.overrides), and
    merged by `rules_for` so that even a bad row can only tighten the rule.
    """

    creditor = models.ForeignKey(
        Creditor,
        on_delete=models.CASCADE,
        related_name="compliance_overrides",
        verbose_name=_("creditor"),
    )
    rule_id = models.CharField(_("rule"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    history = HistoricalRecords(user_db_constraint=False)

    class Meta:
        verbose_name = _("compliance override")
        verbose_name_plural = _("compliance overrides")
        ordering = ("creditor", "rule_id")
        constraints = [
            models.UniqueConstraint(
                fields=("creditor", "rule_id"), name="compliance_override_unique_rule"
            )
        ]

    def __str__(self):
        return f"{self.creditor} · {self.rule_id}"
