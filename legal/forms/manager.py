"""Forms of the legal stage's manager pages: firms and lawyers, the hand-off, the case list."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import BoundedDateField
from legal.models import CaseState, LawFirm, PrescriptionBasis, PrescriptionInterruption
from portfolio.models import Product

ANY = [("", _("Any"))]


class ServiceErrorMixin:
    def add_service_error(self, exc) -> None:
        """Show a refusal of the service at the field it names (or above the form)."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class SearchFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class FirmFilterForm(SearchFilterForm):
    active = forms.ChoiceField(
        label=pgettext_lazy("law firm", "Active"),
        required=False,
        choices=[
            *ANY,
            ("yes", pgettext_lazy("law firm", "Active")),
            ("no", pgettext_lazy("law firm", "Inactive")),
        ],
    )


class FirmForm(ServiceErrorMixin, forms.ModelForm):
    creditors = forms.ModelMultipleChoiceField(
        label=_("Retained by"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Which of your creditors retain the firm: only they hand debts over to it."),
    )

    class Meta:
        model = LawFirm
        fields = [
            "name",
            "country",
            "city",
            "tax_id",
            "contact_email",
            "contact_phone",
            "is_active",
        ]

    def __init__(self, *args, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditors"].queryset = creditors
        if self.instance.pk:
            self.initial["creditors"] = list(
                self.instance.creditors.filter(pk__in=creditors).values_list("pk", flat=True)
            )

    def clean_country(self):
        return self.cleaned_data["country"].upper()


class LawyerAddForm(ServiceErrorMixin, forms.Form):
    username = forms.CharField(label=_("Username of an existing lawyer"), max_length=150)


class LawyerCreateForm(ServiceErrorMixin, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"))
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Hand it over to the lawyer outside Cartera; they can change it."),
    )


class HandoffFilterForm(SearchFilterForm):
    creditor = forms.ModelChoiceField(label=_("Creditor"), required=False, queryset=None)
    product = forms.ChoiceField(
        label=_("Product"), required=False, choices=[*ANY, *Product.choices]
    )
    within_months = forms.IntegerField(
        label=_("Prescribing within (months)"), required=False, min_value=0, max_value=120
    )

    def __init__(self, *args, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors
        self.fields["creditor"].empty_label = _("Any")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.get_username()})" if name else obj.get_username()


class HandoffForm(ServiceErrorMixin, forms.Form):
    debts = forms.TypedMultipleChoiceField(
        label=_("Debts"),
        coerce=int,
        choices=(),
        error_messages={
            "required": _("Choose at least one debt to hand over."),
        },
    )
    firm = forms.ModelChoiceField(label=_("Law firm"), queryset=None)
    lawyer = UserChoiceField(
        label=_("Lawyer"),
        queryset=None,
        required=False,
        help_text=_("Optional: the firm assigns one otherwise."),
    )
    prescription_basis = forms.ChoiceField(
        label=_("The claim rests on"),
        choices=PrescriptionBasis.choices,
        initial=PrescriptionBasis.PROMISSORY_NOTE,
    )
    power_of_attorney = forms.FileField(
        label=_("Power of attorney"),
        help_text=_("PDF, PNG or JPG, 5 MB at most: stored on every case handed over."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    note = forms.CharField(
        label=_("Note to the firm"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(
        label=_("I confirm the hand-over of the chosen debts to this firm."), required=True
    )

    def __init__(self, *args, firms, lawyers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = firms
        self.fields["lawyer"].queryset = lawyers
        # Any id is accepted here: the service finds (or refuses) the debts the user may hand.
        self.fields["debts"].valid_value = lambda value: True


class CaseFilterForm(SearchFilterForm):
    firm = forms.ModelChoiceField(label=_("Law firm"), required=False, queryset=None)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[*ANY, *CaseState.choices])
    creditor = forms.ModelChoiceField(label=_("Creditor"), required=False, queryset=None)

    def __init__(self, *args, firms, creditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = firms
        self.fields["firm"].empty_label = _("Any")
        self.fields["creditor"].queryset = creditors
        self.fields["creditor"].empty_label = _("Any")


class InterruptionForm(ServiceErrorMixin, forms.Form):
    """An acknowledgement (or a filing) recorded by hand: it restarts the prescription term."""

    kind = forms.ChoiceField(
        label=_("What interrupted the term"),
        choices=PrescriptionInterruption.Kind.choices,
        initial=PrescriptionInterruption.Kind.ACKNOWLEDGEMENT,
    )
    on = BoundedDateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("Evidence"),
        max_length=255,
        help_text=_("What shows it (e.g. the signed letter acknowledging the debt)."),
    )
