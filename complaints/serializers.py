"""API payloads of complaints (Input/Output, documented in the OpenAPI schema)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.models import Complaint, ComplaintAttachment, ComplaintEvent
from complaints.models.complaint import (
    ComplaintChannel,
    ComplaintKind,
    Outcome,
    Regulator,
    RootCause,
)
from complaints.selectors.complaints import DUE_STATES, complaint_due_state
from complaints.services.common import ATTACHMENTS_MAX, SUBJECT_MAX, TEXT_MAX
from complaints.texts import TEMPLATES
from core.api import AwareDateTimeField
from core.dates import business_today
from core.forms import ID_MAX

# What staff record: everything but the portal, which is the debtor's own way in.
STAFF_CHANNELS = [c for c in ComplaintChannel.choices if c[0] != ComplaintChannel.PORTAL]
TEMPLATE_CHOICES = [(code, str(label)) for code, (label, _subject, _body) in TEMPLATES.items()]


def record_id(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


def attachments_field():
    return serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        required=False,
        max_length=ATTACHMENTS_MAX,
        help_text=_("PDF, PNG or JPG files of 5 MB at most (multipart/form-data only)."),
    )


# --- output ------------------------------------------------------------------------------------


class ComplaintOutputSerializer(serializers.ModelSerializer):
    """A complaint as the lists show it: its clock, where it stands, who has it."""

    creditor_code = serializers.CharField(source="creditor.code", read_only=True)
    debtor_name = serializers.CharField(source="debtor.full_name", read_only=True)
    debt_ref = serializers.CharField(
        source="debt.debt_ref", read_only=True, default=None, allow_null=True
    )
    answer_due_on = serializers.DateField(read_only=True)
    due_state = serializers.SerializerMethodField(
        help_text=_("Where the clock stands today (null once answered or closed).")
    )
    days_left = serializers.SerializerMethodField(
        help_text=_("Days left in the term's unit (negative once overdue; null once answered).")
    )
    assigned_to_username = serializers.CharField(
        source="assigned_to.username", read_only=True, default=None, allow_null=True
    )
    answered_on_time = serializers.BooleanField(read_only=True, allow_null=True)
    # Declared: a read-only model field loses `allow_blank`, and both are "" until closed.
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    root_cause = serializers.ChoiceField(
        choices=RootCause.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "kind",
            "channel",
            "regulator",
            "status",
            "creditor",
            "creditor_code",
            "debtor",
            "debtor_name",
            "debt",
            "debt_ref",
            "subject",
            "received_at",
            "received_on",
            "due_on",
            "extended_due_on",
            "answer_due_on",
            "due_state",
            "days_left",
            "assigned_to",
            "assigned_to_username",
            "bureau_flag",
            "legend_due_on",
            "hold",
            "outcome",
            "root_cause",
            "answered_at",
            "answered_on_time",
        ]
        read_only_fields = fields

    def _due(self, obj):
        # One business date for the whole response (the view passes it): no row straddles
        # midnight differently from the next.
        if not obj.is_open:
            return None
        # Both fields read it: count the business days once per complaint.
        cache = self.context.setdefault("_due_states", {})
        if obj.pk not in cache:
            as_of = self.context.get("as_of") or business_today()
            cache[obj.pk] = complaint_due_state(obj, as_of=as_of)
        return cache[obj.pk]

    @extend_schema_field(
        serializers.ChoiceField(choices=[(s, s) for s in DUE_STATES], allow_null=True)
    )
    def get_due_state(self, obj):
        due = self._due(obj)
        return due[0] if due else None

    def get_days_left(self, obj) -> int | None:
        due = self._due(obj)
        return due[1] if due else None


class ComplaintEventOutputSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ComplaintEvent
        fields = [
            "kind",
            "actor",
            "by_debtor",
            "occurred_at",
            "sent_to",
            "sent_channel",
            "subject",
            "body",
            "template",
            "delivered_at",
        ]
        read_only_fields = fields


class ComplaintAttachmentOutputSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="content_type", read_only=True)
    url = serializers.SerializerMethodField(
        help_text=_("Where to download it (the same access as the complaint).")
    )

    class Meta:
        model = ComplaintAttachment
        fields = ["id", "name", "type", "size", "by_debtor", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        path = reverse(
            "complaint-attachment", kwargs={"pk": obj.complaint_id, "attachment_id": obj.pk}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ComplaintDetailOutputSerializer(ComplaintOutputSerializer):
    """A complaint with its text, its steps as they happened and its files."""

    created_by = serializers.CharField(
        source="created_by.username", read_only=True, default=None, allow_null=True
    )
    steps = ComplaintEventOutputSerializer(source="events", many=True, read_only=True)
    attachments = ComplaintAttachmentOutputSerializer(many=True, read_only=True)

    class Meta(ComplaintOutputSerializer.Meta):
        fields = [
            *ComplaintOutputSerializer.Meta.fields,
            "regulator_reference",
            "country",
            "language",
            "description",
            "term_code",
            "clock_start_on",
            "extension_reason",
            "extended_at",
            "answered_on",
            "closed_at",
            "closing_note",
            "created_by",
            "related_message",
            "related_interaction",
            "steps",
            "attachments",
        ]
        read_only_fields = fields


class DraftOutputSerializer(serializers.Serializer):
    subject = serializers.CharField()
    body = serializers.CharField()


# --- input -------------------------------------------------------------------------------------


class ComplaintInputSerializer(serializers.Serializer):
    debtor = record_id(required=False, help_text=_("Debtor id (or give the debt)."))
    debt = record_id(required=False, help_text=_("Debt id; the debtor is the debt's."))
    kind = serializers.ChoiceField(choices=ComplaintKind.choices)
    channel = serializers.ChoiceField(choices=STAFF_CHANNELS)
    regulator = serializers.ChoiceField(
        choices=Regulator.choices, required=False, allow_blank=True, default=""
    )
    regulator_reference = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    subject = serializers.CharField(max_length=SUBJECT_MAX)
    description = serializers.CharField(max_length=TEXT_MAX)
    received_at = AwareDateTimeField(
        required=False, help_text=_("When it was received, with its offset (default: now).")
    )
    related_message = record_id(
        required=False, allow_null=True, help_text=_("A message sent to this debtor.")
    )
    related_interaction = record_id(
        required=False, allow_null=True, help_text=_("A call or visit with this debtor.")
    )

    class Meta:
        ref_name = "ComplaintInput"

    def validate(self, attrs):
        if not attrs.get("debtor") and not attrs.get("debt"):
            raise serializers.ValidationError({"debt": [_("Give the debt id or the debtor id.")]})
        return attrs


class ComplaintUploadInputSerializer(ComplaintInputSerializer):
    attachments = attachments_field()

    class Meta:
        ref_name = "ComplaintUploadInput"


class AssignInputSerializer(serializers.Serializer):
    assignee = record_id(help_text=_("Id of the staff user who takes it."))


class RequestInformationInputSerializer(serializers.Serializer):
    details = serializers.CharField(max_length=TEXT_MAX, help_text=_("What the debtor must send."))


class InformationInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX)


class InformationUploadInputSerializer(InformationInputSerializer):
    attachments = attachments_field()


class ExtendInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=TEXT_MAX, help_text=_("Why more time is needed (told to the debtor).")
    )


class DraftInputSerializer(serializers.Serializer):
    template = serializers.ChoiceField(choices=TEMPLATE_CHOICES)
    details = serializers.CharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default=""
    )


class AnswerInputSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=255)
    body = serializers.CharField(max_length=TEXT_MAX * 2)
    template = serializers.ChoiceField(
        choices=TEMPLATE_CHOICES, required=False, allow_blank=True, default=""
    )


class CloseInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    root_cause = serializers.ChoiceField(
        choices=RootCause.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required unless withdrawn."),
    )
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
