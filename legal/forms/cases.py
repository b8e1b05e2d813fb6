"""The forms of the counsel workspace and the case page (the services check the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from legal.models import CaseOutcome, CaseState, CourtDeposit, LegalDocument, PrecautionaryMeasure

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkspaceFilterForm(forms.Form):
    MINE, FIRM = "mine", "firm"

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", pgettext_lazy("state filter", "Any open")), *CaseState.choices],
    )
    within = forms.IntegerField(
        label=_("Next action within (days)"), required=False, min_value=0, max_value=365
    )
    scope = forms.ChoiceField(
        label=_("Cases"),
        required=False,
        choices=[(FIRM, _("My firm's cases")), (MINE, _("Assigned to me"))],
    )


class CaseUpdateForm(forms.Form):
    court = forms.CharField(label=_("Court"), required=False, max_length=200)
    court_city = forms.CharField(label=_("Court city"), required=False, max_length=120)
    # Checked per country by the service (a radicado may be typed with spaces or dashes).
    case_number = forms.CharField(label=_("Case number"), required=False, max_length=60)
    filed_on = forms.DateField(label=_("Filing date"), required=False, widget=DATE)
    payment_order_on = forms.DateField(label=_("Payment order date"), required=False, widget=DATE)
    next_action = forms.CharField(label=_("Next action"), required=False, max_length=255)
    next_action_on = forms.DateField(label=_("Next action date"), required=False, widget=DATE)
    next_hearing_on = forms.DateField(label=_("Next hearing"), required=False, widget=DATE)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TransitionForm(forms.Form):
    note = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    case_number = forms.CharField(label=_("Case number"), required=False, max_length=60)
    filed_on = forms.DateField(label=_("Filing date"), required=False, widget=DATE)
    payment_order_on = forms.DateField(label=_("Payment order date"), required=False, widget=DATE)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", "—"), *CaseOutcome.choices]
    )

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The fields this step needs are marked required (the service checks them too).
        for name in needs:
            self.fields[name].required = True


class MeasureForm(forms.ModelForm):
    class Meta:
        model = PrecautionaryMeasure
        fields = ["asset", "description", "amount", "currency", "status", "decreed_on", "served_on"]
        widgets = {"decreed_on": DATE, "served_on": DATE}


class DepositForm(forms.ModelForm):
    class Meta:
        model = CourtDeposit
        fields = ["amount", "currency", "received_on", "reference", "note"]
        widgets = {"received_on": DATE}


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[c for c in LegalDocument.Kind.choices if c[0] != LegalDocument.Kind.BUNDLE],
    )
    file = forms.FileField(label=_("File (PDF, PNG or JPG, 5 MB at most)"))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=255)
