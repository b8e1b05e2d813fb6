"""Forms of the import pages: the upload and the history's filters."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from imports.models import ImportBatch
from portfolio.selectors import creditor_list


class ImportUploadForm(forms.Form):
    creditor = forms.ModelChoiceField(queryset=None, label=_("Creditor"), to_field_name="code")
    kind = forms.ChoiceField(choices=ImportBatch.Kind.choices, label=_("Kind of file"))
    file = forms.FileField(label=_("CSV file"))
    portfolio = forms.CharField(
        label=_("Portfolio name"),
        max_length=200,
        required=False,
        help_text=_("New debts join this portfolio (default: the file name)."),
    )
    strict = forms.BooleanField(
        label=_("Strict: import nothing if any row is invalid"), required=False
    )
    dry_run = forms.BooleanField(label=_("Dry run: validate and count only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditor_list(user=user).order_by("name")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Only .csv files can be imported."))
        if upload.size > settings.CARTERA_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.")
                % {"limit": settings.CARTERA_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ImportFilterForm(forms.Form):
    creditor = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Creditor"), to_field_name="code"
    )
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *ImportBatch.Status.choices],
        required=False,
        label=_("Status"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditor_list(user=user).order_by("name")
