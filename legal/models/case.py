"""The legal stage: law firms, the court case a debt in `legal` becomes, and its record.

A manager hands a debt over to a law firm (with a power of attorney); the firm's lawyers see
only the cases handed to their firm. The case follows the court's steps as a django-fsm machine
(Colombia's executive process first; the same steps fit MX's juicio ejecutivo mercantil and a US
collection suit: filed, served, answer/hearing, judgment, execution) and every move is recorded
with who and why (LegalCaseChange).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import RETURN_VALUE, FSMModelMixin, transition

from core.fsm import StateField
from core.models import TimeStampedModel
from portfolio.models import Creditor, Debt


class LawFirm(TimeStampedModel):
    """Outside counsel: its lawyers (users with the `lawyer` role) see its cases only."""

    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, default="CO")
    city = models.CharField(_("city"), max_length=120, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    lawyers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="law_firms",
        blank=True,
        verbose_name=_("lawyers"),
    )
    # The creditors that retain the firm (a manager hands over only to these).
    creditors = models.ManyToManyField(
        Creditor, related_name="law_firms", blank=True, verbose_name=_("creditors")
    )
    is_active = models.BooleanField(pgettext_lazy("law firm", "active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("law firm")
        verbose_name_plural = _("law firms")

    def __str__(self):
        return self.name


class PrescriptionBasis(models.TextChoices):
    """What the claim rests on: it sets when the action prescribes (services.prescription)."""

    PROMISSORY_NOTE = "promissory_note", _("Promissory note (3 years)")
    CONTRACT = "contract", _("Contract (5 years)")


class CaseState(models.TextChoices):
    PREPARED = "prepared", pgettext_lazy("legal case", "Prepared")
    FILED = "filed", pgettext_lazy("legal case", "Filed")
    PAYMENT_ORDER = "payment_order", pgettext_lazy("legal case", "Payment order issued")
    NOTIFIED = "notified", pgettext_lazy("legal case", "Debtor notified")
    DEFENCES = "defences", pgettext_lazy("legal case", "Defences / hearing")
    JUDGMENT = "judgment", pgettext_lazy("legal case", "Judgment / order to proceed")
    LIQUIDATION = "liquidation", pgettext_lazy("legal case", "Liquidation of the credit")
    SEIZURE_DECREED = "seizure_decreed", pgettext_lazy("legal case", "Seizure decreed")
    SEIZURE_SERVED = "seizure_served", pgettext_lazy("legal case", "Seizure served")
    AUCTION = "auction", pgettext_lazy("legal case", "Appraisal and auction")
    CLOSED = "closed", pgettext_lazy("legal case", "Closed")


OPEN_CASE_STATES = tuple(s for s in CaseState.values if s != CaseState.CLOSED)
# The order of the court's steps (a case may skip ahead, e.g. no defences filed).
STEP_ORDER = [
    CaseState.PREPARED,
    CaseState.FILED,
    CaseState.PAYMENT_ORDER,
    CaseState.NOTIFIED,
    CaseState.DEFENCES,
    CaseState.JUDGMENT,
    CaseState.LIQUIDATION,
    CaseState.SEIZURE_DECREED,
    CaseState.SEIZURE_SERVED,
    CaseState.AUCTION,
]


class CaseOutcome(models.TextChoices):
    PAID = "paid", pgettext_lazy("legal outcome", "Paid")
    SETTLED = "settled", pgettext_lazy("legal outcome", "Settled")
    WITHDRAWN = "withdrawn", pgettext_lazy("legal outcome", "Withdrawn")
    LOST = "lost", pgettext_lazy("legal outcome", "Lost")
    PRESCRIBED = "prescribed", pgettext_lazy("legal outcome", "Prescribed")


class LegalCase(FSMModelMixin, TimeStampedModel):
    """One debt in court. Transitions only move the state; services.cases checks who may, asks
    for the fields each step needs, and writes the LegalCaseChange."""

    debt = models.ForeignKey(Debt, on_delete=models.PROTECT, related_name="legal_cases")
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="legal_cases")
    firm = models.ForeignKey(
        LawFirm, on_delete=models.PROTECT, related_name="cases", verbose_name=_("law firm")
    )
    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="legal_cases",
        verbose_name=_("lawyer"),
    )
    state = StateField(
        _("state"),
        max_length=20,
        choices=CaseState.choices,
        default=CaseState.PREPARED,
        protected=True,
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=CaseOutcome, blank=True)
    court = models.CharField(_("court"), max_length=200, blank=True)
    court_city = models.CharField(_("court city"), max_length=120, blank=True)
    # Colombia: the 23-digit radicado (services.cases.case_number_problem checks it per country).
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    filed_on = models.DateField(_("filing date"), null=True, blank=True)
    payment_order_on = models.DateField(_("payment order date"), null=True, blank=True)
    next_action = models.CharField(_("next action"), max_length=255, blank=True)
    next_action_on = models.DateField(_("next action date"), null=True, blank=True)
    next_hearing_on = models.DateField(_("next hearing"), null=True, blank=True)
    prescription_basis = models.CharField(
        _("claim rests on"),
        max_length=20,
        choices=PrescriptionBasis,
        default=PrescriptionBasis.PROMISSORY_NOTE,
    )
    handed_over_on = models.DateField(_("handed over on"))
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    handover_note = models.TextField(_("hand-over note"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["next_action_on", "id"]
        verbose_name = _("legal case")
        verbose_name_plural = _("legal cases")
        constraints = [
            # One open case per debt: a debt is in one court at a time.
            models.UniqueConstraint(
                fields=["debt"],
                condition=~Q(state=CaseState.CLOSED),
                name="legal_case_one_open_per_debt",
            ),
        ]
        indexes = [models.Index(fields=["firm", "state"], name="legal_case_firm_state")]

    def __str__(self):
        return self.case_number or f"{self.debt} ({self.firm})"

    # The court's steps. A step may be skipped forward (e.g. no defences): each transition
    # lists every state it may come from.
    @transition(field=state, source=CaseState.PREPARED, target=CaseState.FILED)
    def file(self):
        """The claim was filed with the court (case number and filing date)."""

    @transition(field=state, source=CaseState.FILED, target=CaseState.PAYMENT_ORDER)
    def order_payment(self):
        """The court issued the payment order (mandamiento de pago)."""

    @transition(field=state, source=CaseState.PAYMENT_ORDER, target=CaseState.NOTIFIED)
    def notify(self):
        """The debtor was served with the payment order."""

    @transition(field=state, source=CaseState.NOTIFIED, target=CaseState.DEFENCES)
    def open_defences(self):
        """The debtor filed defences; a hearing follows."""

    @transition(
        field=state, source=[CaseState.NOTIFIED, CaseState.DEFENCES], target=CaseState.JUDGMENT
    )
    def decide(self):
        """Judgment, or the order to proceed with the execution when no defence was filed."""

    @transition(field=state, source=CaseState.JUDGMENT, target=CaseState.LIQUIDATION)
    def liquidate(self):
        """The liquidation of the credit (what is owed with interest and costs) was approved."""

    @transition(
        field=state,
        source=[
            CaseState.PAYMENT_ORDER,
            CaseState.NOTIFIED,
            CaseState.DEFENCES,
            CaseState.JUDGMENT,
            CaseState.LIQUIDATION,
        ],
        target=CaseState.SEIZURE_DECREED,
    )
    def decree_seizure(self):
        """The court decreed a seizure (precautionary measures may come with the claim)."""

    @transition(field=state, source=CaseState.SEIZURE_DECREED, target=CaseState.SEIZURE_SERVED)
    def serve_seizure(self):
        """The seizure was carried out on the assets."""

    @transition(
        field=state,
        source=[CaseState.SEIZURE_SERVED, CaseState.LIQUIDATION],
        target=CaseState.AUCTION,
    )
    def auction(self):
        """Appraisal and auction of the seized assets."""

    @transition(field=state, source=list(OPEN_CASE_STATES), target=CaseState.CLOSED)
    def close(self):
        """The case ended: paid, settled, withdrawn, lost or prescribed (`outcome`)."""

    @transition(field=state, source=CaseState.CLOSED, target=RETURN_VALUE(*OPEN_CASE_STATES))
    def reopen(self, state):
        """Closed by itself as paid or settled, and the payment was reversed: the debt is owed
        again, and the case goes on from the step it had reached (`state`)."""
        return state


# The transitions a lawyer or a manager may ask for, in the court's order (pages and the API).
CASE_TRANSITIONS = (
    "file",
    "order_payment",
    "notify",
    "open_defences",
    "decide",
    "liquidate",
    "decree_seizure",
    "serve_seizure",
    "auction",
    "close",
)


class LegalCaseChange(models.Model):
    """One move of a case or one of its updates: who, when, why."""

    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="changes")
    from_state = models.CharField(_("from"), max_length=20, choices=CaseState, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=CaseState, blank=True)
    transition = models.CharField(_("transition"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("legal case change")
        verbose_name_plural = _("legal case changes")

    def __str__(self):
        return f"{self.case_id}: {self.from_state} → {self.to_state}"


class LegalSettings(models.Model):
    """A creditor's rules for its legal cases (no statutory percentage exists in Colombia:
    the ceiling of what may be charged to the debtor is the creditor's, inside the SFC's rule
    that only real, documented, proportional and previously disclosed costs are chargeable)."""

    creditor = models.OneToOneField(
        Creditor, on_delete=models.CASCADE, related_name="legal_settings"
    )
    # A cost above this amount waits for a manager's approval.
    cost_approval_limit = models.DecimalField(
        _("costs above this need approval"), max_digits=14, decimal_places=2, default=1_000_000
    )
    # What may be charged to the debtor, as % of the balance handed over (costs and fees).
    chargeable_ceiling_pct = models.DecimalField(
        _("chargeable to the debtor, at most (% of the balance)"),
        max_digits=5,
        decimal_places=2,
        default=20,
    )
    fixed_fee = models.DecimalField(
        _("firm's fixed fee"), max_digits=14, decimal_places=2, default=0
    )
    success_fee_pct = models.DecimalField(
        _("firm's success fee (% of what is recovered)"),
        max_digits=5,
        decimal_places=2,
        default=10,
    )
    # The debtor was told beforehand that collection costs may be charged (a condition of
    # charging any of them).
    costs_disclosed = models.BooleanField(_("collection costs disclosed to debtors"), default=False)

    class Meta:
        verbose_name = _("legal settings")
        verbose_name_plural = _("legal settings")

    def __str__(self):
        return f"{self.creditor}"
