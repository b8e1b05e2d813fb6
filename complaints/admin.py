from django.contrib import admin

from complaints.models import Complaint, ComplaintAttachment, ComplaintEvent


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    can_delete = False
    fields = ("occurred_at", "kind", "actor", "by_debtor", "sent_channel", "sent_to", "subject")
    readonly_fields = fields
    show_change_link = True


class ComplaintAttachmentInline(admin.TabularInline):
    model = ComplaintAttachment
    extra = 0
    can_delete = False
    fields = ("uploaded_at", "name", "content_type", "size", "by_debtor")
    readonly_fields = fields


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-only: complaints change only through their services, so every step is on record."""

    list_display = ("number", "kind", "status", "creditor", "received_on", "due_on", "outcome")
    list_filter = ("status", "kind", "channel", "regulator", "country")
    search_fields = ("number", "regulator_reference", "debtor__full_name", "debt__debt_ref")
    raw_id_fields = ("debtor", "debt", "hold", "related_message", "related_interaction")
    inlines = [ComplaintEventInline, ComplaintAttachmentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
