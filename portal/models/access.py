"""Second-factor codes and the counters behind rate limits and lockouts."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio.models import Channel, ContactPoint, Debtor


class AccessCode(models.Model):
    """A one-time code sent to a debtor's contact point; only its keyed hash is stored."""

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="portal_codes")
    contact_point = models.ForeignKey(
        ContactPoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    code_hash = models.CharField(_("code hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("portal access code")
        verbose_name_plural = _("portal access codes")
        indexes = [models.Index(fields=["debtor", "created_at"])]

    def __str__(self):
        return f"code for debtor {self.debtor_id} ({self.created_at:%Y-%m-%d %H:%M})"


class Throttle(models.Model):
    """Failures counted per key (debtor or hashed IP) in a window, and the lockout they cause."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    window_started_at = models.DateTimeField(_("window started at"))
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("portal throttle")
        verbose_name_plural = _("portal throttles")

    def __str__(self):
        return f"{self.key}: {self.failures}"
