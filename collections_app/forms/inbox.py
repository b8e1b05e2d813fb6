"""Forms of the team inbox: its filters and the actions on one inbound message."""

from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.models import InboundChannel
from messaging.selectors.inbound import InboxFilters
from messaging.services.inbox import REPLY_MAX

STATUS_CHOICES = [
    ("open", _("Open (unread and read)")),
    ("unread", _("Unread")),
    ("read", _("Read")),
    ("handled", _("Handled")),
    ("all", _("All")),
]


def _collector_label(user) -> str:
    return user.get_full_name() or user.username


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", _("All channels")), *InboundChannel.choices],
        required=False,
    )
    assigned = forms.ChoiceField(label=_("Assigned"), required=False)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, document, phone or e-mail, or words of the message."),
    )

    def __init__(self, *args, collectors=(), may_triage=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            ("", _("Anyone")),
            ("me", _("Assigned to me")),
            ("unassigned", _("Unassigned")),
        ]
        if may_triage:
            choices.append(("unmatched", _("Unmatched sender")))
            choices += [(str(c.pk), _collector_label(c)) for c in collectors]
        self.fields["assigned"].choices = choices
        self.fields["q"].widget.attrs["type"] = "search"

    def filters(self) -> InboxFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return InboxFilters(
            status=data.get("status") or "open",
            channel=data.get("channel") or "",
            assigned=data.get("assigned") or "",
            q=data.get("q") or "",
        )


class _ServiceErrors:
    def add_service_error(self, exc) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)


class InboundReplyForm(_ServiceErrors, forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255, required=False)
    text = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 4}))
    # One token per form shown: submitting twice sends one message.
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, channel: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].max_length = REPLY_MAX[channel]
        self.fields["text"].widget.attrs["maxlength"] = REPLY_MAX[channel]
        if channel != "email":
            del self.fields["subject"]


class InboundAssignForm(forms.Form):
    collector = forms.ModelChoiceField(
        label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, collectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].queryset = collectors
        self.fields["collector"].label_from_instance = _collector_label


class InboundMatchForm(forms.Form):
    debtor = forms.TypedChoiceField(label=_("Debtor"), coerce=int)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["debtor"].choices = [
            (d.pk, f"{d.full_name} · {d.document_type} {d.masked_document} · {d.creditor.name}")
            for d in candidates
        ]
