"""API payloads of credit-bureau reporting (Input/Output, documented in the OpenAPI schema)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bureau.models import FurnishingRun
from bureau.models.runs import Bureau, ReportAction
from core.forms import ID_MAX, InputWindowValidator
from portfolio.models import Channel

# --- output ------------------------------------------------------------------------------------


class RunOutputSerializer(serializers.ModelSerializer):
    """A run as the list shows it: whose, for which bureau and cut-off, where it stands."""

    creditor_code = serializers.CharField(source="creditor.code", read_only=True)
    created_by_username = serializers.CharField(
        source="created_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = FurnishingRun
        fields = [
            "id",
            "creditor",
            "creditor_code",
            "bureau",
            "layout_version",
            "cut_off",
            "status",
            "accounts",
            "created_by_username",
            "created_at",
        ]
        read_only_fields = fields


class FindingOutputSerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=[("error", _("Error")), ("warning", _("Warning"))])
    code = serializers.CharField()
    message = serializers.CharField()
    debt_id = serializers.IntegerField(allow_null=True, required=False)
    field = serializers.CharField(required=False, allow_blank=True)


class CountOutputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ReportAction.choices)
    status_code = serializers.CharField()
    accounts = serializers.IntegerField(source="n")


class RunDetailOutputSerializer(RunOutputSerializer):
    """A run with its checks' findings, its accounts counted by action and status code, and
    its file (the download link and the SHA-256 to check it against) once generated."""

    findings = FindingOutputSerializer(many=True, read_only=True)
    counts = serializers.SerializerMethodField()
    file_name = serializers.CharField(read_only=True)
    checksum = serializers.CharField(read_only=True, help_text=_("SHA-256 of the file (hex)."))
    download_url = serializers.SerializerMethodField()
    submitted_by_username = serializers.CharField(
        source="submitted_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta(RunOutputSerializer.Meta):
        fields = [
            *RunOutputSerializer.Meta.fields,
            "findings",
            "counts",
            "file_name",
            "checksum",
            "download_url",
            "generated_at",
            "submitted_at",
            "submitted_by_username",
        ]
        read_only_fields = fields

    @extend_schema_field(CountOutputSerializer(many=True))
    def get_counts(self, run):
        return CountOutputSerializer(self.context.get("counts", []), many=True).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, run):
        if not run.file:
            return None
        return reverse("api-bureau-run-download", args=[run.pk])


# --- input -------------------------------------------------------------------------------------


class RunInputSerializer(serializers.Serializer):
    creditor = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    bureau = serializers.ChoiceField(choices=Bureau.choices)
    cut_off = serializers.DateField(
        # The same bounds as every date a form takes: a year 9999 never reaches date arithmetic.
        validators=[InputWindowValidator()],
        help_text=_("The date the accounts are reported as of (usually the month's last day)."),
    )


class NoticeOutputSerializer(serializers.Serializer):
    """One bureau prior notice about one debt: the message that carried it and its evidence."""

    debt = serializers.IntegerField(source="debt_id")
    debt_ref = serializers.CharField(source="debt.debt_ref")
    creditor = serializers.IntegerField(source="debt.creditor_id")
    message = serializers.IntegerField(source="message_id")
    template = serializers.CharField(source="message.template")
    channel = serializers.ChoiceField(source="message.channel", choices=Channel.choices)
    status = serializers.CharField(source="message.status")
    sent_at = serializers.DateTimeField(source="message.sent_at", allow_null=True)
    sent_on = serializers.DateField(
        allow_null=True, help_text=_("The day it left, in the debtor's time zone.")
    )
    delivered = serializers.BooleanField()
    delivered_at = serializers.DateTimeField(source="message.delivered_at", allow_null=True)
    counts = serializers.BooleanField(
        help_text=_(
            "Whether it counts as the notice the law asks for (it left: sent or delivered)."
        )
    )
