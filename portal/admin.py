from django.contrib import admin

from portal.models import (
    AccessCode,
    ContactPreference,
    Dispute,
    PaymentIntent,
    Throttle,
    WebhookEvent,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the portal only; the admin looks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessCode)
class AccessCodeAdmin(ReadOnlyAdmin):
    list_display = ("debtor", "channel", "created_at", "expires_at", "attempts", "used_at")
    list_filter = ("channel",)
    search_fields = ("debtor__debtor_ref",)
    exclude = ("code_hash",)
    raw_id_fields = ("debtor", "contact_point")


@admin.register(Throttle)
class ThrottleAdmin(admin.ModelAdmin):
    list_display = ("key", "failures", "window_started_at", "locked_until")
    search_fields = ("key",)
    list_filter = ("locked_until",)


@admin.register(PaymentIntent)
class PaymentIntentAdmin(ReadOnlyAdmin):
    list_display = ("provider_reference", "provider", "debt", "amount", "currency", "status")
    list_filter = ("provider", "status", "method")
    search_fields = ("provider_reference", "debt__debt_ref")
    raw_id_fields = ("debt", "payment", "agreement")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("provider", "kind", "event_id", "provider_reference", "received_at")
    list_filter = ("provider", "kind")
    search_fields = ("event_id", "provider_reference")


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("debt", "reason", "created_at", "hold")
    list_filter = ("reason",)
    search_fields = ("debt__debt_ref", "text")
    raw_id_fields = ("debt", "hold")


@admin.register(ContactPreference)
class ContactPreferenceAdmin(admin.ModelAdmin):
    list_display = ("debtor", "preferred_from", "preferred_to", "updated_at")
    search_fields = ("debtor__debtor_ref",)
    list_filter = ("updated_at",)
    raw_id_fields = ("debtor",)
