from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from messaging.models import (
    ComplianceOverride,
    ContactAction,
    DeliveryEvent,
    InboundMessage,
    LetterPrintBatch,
    LetterProof,
    Message,
    MessageDebt,
    MessageTemplate,
    MessageTemplateVersion,
    SandboxDelivery,
    TemplateApprovalChange,
)
from messaging.services.compliance.overrides import overridable_rules, override_errors


class VersionInline(admin.TabularInline):
    model = MessageTemplateVersion
    extra = 0
    can_delete = False
    fields = ("number", "subject", "is_active", "author", "created_at", "change_note")
    readonly_fields = ("number", "subject", "author", "created_at", "change_note")

    def has_add_permission(self, request, obj=None):
        return False


# Texts are written on the Templates pages (validated, versioned, per creditor); the admin only
# switches templates and versions on or off, so it can neither move a text to another creditor
# nor rewrite a version that messages already point at.
@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "channel", "language", "creditor", "is_active", "updated_at")
    list_filter = ("channel", "language", "is_active", ("creditor", admin.EmptyFieldListFilter))
    list_select_related = ("creditor",)
    search_fields = ("code", "description", "creditor__name", "creditor__code")
    readonly_fields = ("creditor", "code", "channel", "language")
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False


@admin.register(MessageTemplateVersion)
class MessageTemplateVersionAdmin(admin.ModelAdmin):
    list_display = ("template", "number", "is_active", "approval_status", "author", "created_at")
    list_filter = ("is_active", "approval_status", "template__channel", "template__language")
    list_select_related = ("template", "author")
    search_fields = ("template__code", "subject", "body", "provider_template_id")
    # The provider template and its approval are set on the Templates pages (validated,
    # audited): read-only here.
    readonly_fields = (
        "template",
        "number",
        "subject",
        "body",
        "author",
        "change_note",
        "created_at",
        "provider_template_id",
        "provider_variables",
        "approval_status",
        "approval_changed_at",
        "approval_changed_by",
    )

    def has_add_permission(self, request):
        return False


@admin.register(TemplateApprovalChange)
class TemplateApprovalChangeAdmin(admin.ModelAdmin):
    """The record of who moved a version's provider template or approval: read only."""

    list_display = ("version", "from_status", "to_status", "changed_by", "changed_at")
    list_filter = ("to_status",)
    list_select_related = ("version__template", "changed_by")
    search_fields = ("version__template__code", "provider_template_id", "note")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MessageDebtInline(admin.TabularInline):
    model = MessageDebt
    extra = 0
    raw_id_fields = ("debt", "contact_action")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "business_date", "channel", "template", "status", "planned_for", "to")
    list_filter = ("status", "channel", "business_date", "purpose")
    search_fields = ("to", "idempotency_key", "template", "suppression_rule")
    raw_id_fields = ("debtor", "creditor", "template_version", "collector")
    readonly_fields = ("idempotency_key", "claim_token", "claimed_at", "attempts")
    date_hierarchy = "business_date"
    inlines = [MessageDebtInline]


@admin.register(MessageDebt)
class MessageDebtAdmin(admin.ModelAdmin):
    list_display = ("message", "debt", "contact_action")
    search_fields = ("debt__debt_ref", "message__idempotency_key")
    list_filter = ("message__channel",)
    raw_id_fields = ("message", "debt", "contact_action")


@admin.register(DeliveryEvent)
class DeliveryEventAdmin(admin.ModelAdmin):
    list_display = ("received_at", "provider", "kind", "provider_message_id", "message")
    list_filter = ("provider", "kind")
    search_fields = ("provider_message_id", "event_key", "detail")
    raw_id_fields = ("message",)


# Read-only: inbound messages are written by the providers' webhooks and triaged in the inbox,
# where every change is made by a service and recorded (the history below).
@admin.register(InboundMessage)
class InboundMessageAdmin(SimpleHistoryAdmin):
    list_display = ("received_at", "channel", "address", "debtor", "status", "match_status")
    list_filter = ("channel", "status", "match_status", "is_opt_out", "provider")
    search_fields = ("address", "provider_message_id", "body", "subject")
    raw_id_fields = ("debtor", "debt", "creditor", "in_reply_to")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SandboxDelivery)
class SandboxDeliveryAdmin(admin.ModelAdmin):
    list_display = ("recorded_at", "channel", "to", "sends", "idempotency_key")
    list_filter = ("channel",)
    search_fields = ("to", "idempotency_key", "body")
    raw_id_fields = ("message",)


@admin.register(LetterPrintBatch)
class LetterPrintBatchAdmin(admin.ModelAdmin):
    list_display = ("business_date", "letters", "file", "created_at")
    list_filter = ("business_date",)
    search_fields = ("file",)


@admin.register(ContactAction)
class ContactActionAdmin(admin.ModelAdmin):
    list_display = ("business_date", "debt", "stage", "channel", "template_code", "status")
    list_filter = ("business_date", "channel", "stage", "template_code", "status")
    search_fields = ("debt__debt_ref", "debt__debtor__full_name")
    raw_id_fields = ("debt",)
    date_hierarchy = "business_date"


class ComplianceOverrideAdminForm(ModelForm):
    class Meta:
        model = ComplianceOverride
        fields = ("creditor", "rule_id", "params", "note", "is_active")

    def clean(self):
        data = super().clean()
        rule = overridable_rules().get(data.get("rule_id") or "")
        if rule is None:
            raise ValidationError(
                {
                    "rule_id": ValidationError(
                        _("This rule does not exist or cannot be changed per creditor.")
                    )
                }
            )
        errors = override_errors(rule, data.get("params") or {})
        if errors:
            raise ValidationError({"params": errors})
        return data


@admin.register(ComplianceOverride)
class ComplianceOverrideAdmin(SimpleHistoryAdmin):
    form = ComplianceOverrideAdminForm
    list_display = ("creditor", "rule_id", "is_active", "updated_at", "updated_by")
    list_filter = ("is_active", "rule_id", "creditor")
    search_fields = ("creditor__name", "creditor__code", "rule_id", "note")
    list_select_related = ("creditor", "updated_by")
    readonly_fields = ("updated_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(LetterProof)
class LetterProofAdmin(admin.ModelAdmin):
    """Read-only: proofs are recorded by the provider's event or the staff upload, audited."""

    list_display = ("message", "kind", "received_on", "signed_by", "recorded_by", "recorded_at")
    list_filter = ("kind", "provider")
    search_fields = ("tracking_number", "signed_by")
    readonly_fields = [f.name for f in LetterProof._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
