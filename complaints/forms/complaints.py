"""Staff forms of the complaints pages: the queue's filters, recording one, working one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import ComplaintKind, ComplaintStatus, RootCause
from complaints.models.complaint import ComplaintChannel, Outcome, Regulator
from complaints.texts import template_choices
from core.dates import INPUT_DATE_MAX, INPUT_DATE_MIN

ANY = [("", _("Any"))]
STAFF_CHANNELS = (
    ComplaintChannel.PHONE,
    ComplaintChannel.EMAIL,
    ComplaintChannel.LETTER,
    ComplaintChannel.REGULATOR,
)


class ServiceErrorMixin:
    # The detail page shows several action forms at once: each gets its own ids, so a label
    # names exactly its field (two fields called "details" would both be id_details).
    id_prefix = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.id_prefix)
        super().__init__(*args, **kwargs)

    def add_service_error(self, exc) -> None:
        """Show a refusal of the service at the field it names (or above the form)."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class DateInput(forms.DateInput):
    input_type = "date"


class ComplaintFilterForm(forms.Form):
    """The queue's filters; a value it cannot apply is a 400 with the field's message."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Number, name, debt or regulator ref.")}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*ANY, ("open", _("Open")), *ComplaintStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[*ANY, *ComplaintKind.choices]
    )
    channel = forms.ChoiceField(
        label=_("Received through"), required=False, choices=[*ANY, *ComplaintChannel.choices]
    )
    regulator = forms.ChoiceField(
        label=_("Regulator"),
        required=False,
        choices=[*ANY, *[(v, label) for v, label in Regulator.choices if v]],
    )
    creditor = forms.TypedChoiceField(label=_("Creditor"), required=False, coerce=int)
    assigned_to = forms.ChoiceField(
        label=_("Assigned"),
        required=False,
        choices=[*ANY, ("me", _("To me")), ("nobody", _("To nobody"))],
    )
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput)
    received_to = forms.DateField(label=_("Received to"), required=False, widget=DateInput)

    def __init__(self, *args, creditors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creditor"].choices = [*ANY, *[(c.pk, c.name) for c in creditors]]

    def clean(self):
        data = super().clean()
        for name in ("received_from", "received_to"):
            day = data.get(name)
            if day is not None and not INPUT_DATE_MIN <= day <= INPUT_DATE_MAX:
                self.add_error(name, _("Enter a date between 1900 and 2199."))
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end comes before the start."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks each one's size and type."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


ATTACHMENTS_HELP = _("PDF, PNG or JPG, 5 MB each at most, up to 5 files.")


class ComplaintCreateForm(ServiceErrorMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=ComplaintKind.choices)
    channel = forms.ChoiceField(
        label=_("Received through"),
        choices=[(c.value, c.label) for c in STAFF_CHANNELS],
    )
    regulator = forms.ChoiceField(label=_("Regulator"), required=False, choices=Regulator.choices)
    regulator_reference = forms.CharField(
        label=_("Regulator's reference"), required=False, max_length=60
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("What the debtor says"), widget=forms.Textarea(attrs={"rows": 5})
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        help_text=_("In the operation's time zone."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    related_message = forms.TypedChoiceField(
        label=_("Message complained about"), required=False, coerce=int, empty_value=None
    )
    related_interaction = forms.TypedChoiceField(
        label=_("Call or visit complained about"), required=False, coerce=int, empty_value=None
    )
    attachments = MultipleFileField(label=_("Attachments"), help_text=ATTACHMENTS_HELP)

    def __init__(self, *args, messages=(), interactions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["related_message"].choices = [("", _("None"))] + [
            (m.pk, f"{m.planned_for:%Y-%m-%d %H:%M} · {m.get_channel_display()} · {m.template}")
            for m in messages
        ]
        self.fields["related_interaction"].choices = [("", _("None"))] + [
            (
                i.pk,
                f"{i.occurred_at:%Y-%m-%d %H:%M} · {i.get_channel_display()} · "
                f"{i.get_outcome_display()}",
            )
            for i in interactions
        ]


class AssignForm(ServiceErrorMixin, forms.Form):
    id_prefix = "assign_%s"

    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            (u.pk, u.get_full_name() or u.get_username()) for u in people
        ]


class InfoRequestForm(ServiceErrorMixin, forms.Form):
    id_prefix = "ask_%s"

    details = forms.CharField(
        label=_("What the debtor should send"), widget=forms.Textarea(attrs={"rows": 3})
    )


class InfoReceivedForm(ServiceErrorMixin, forms.Form):
    id_prefix = "info_%s"

    text = forms.CharField(
        label=_("What the debtor sent"), widget=forms.Textarea(attrs={"rows": 3})
    )
    attachments = MultipleFileField(label=_("Attachments"), help_text=ATTACHMENTS_HELP)


class ExtendForm(ServiceErrorMixin, forms.Form):
    id_prefix = "extend_%s"

    reason = forms.CharField(
        label=_("Reason (told to the debtor)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(ServiceErrorMixin, forms.Form):
    id_prefix = "answer_%s"

    template = forms.ChoiceField(
        label=_("Start from"), required=False, choices=[("", _("Blank")), *template_choices()]
    )
    details = forms.CharField(
        label=_("Details for the template"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 12}))


class CloseForm(ServiceErrorMixin, forms.Form):
    id_prefix = "close_%s"

    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    root_cause = forms.ChoiceField(
        label=_("Root cause"), required=False, choices=[("", "—"), *RootCause.choices]
    )
    note = forms.CharField(
        label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
