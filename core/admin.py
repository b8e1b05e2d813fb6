# Imported first so that axes' own admin is registered before it is replaced below.
from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin

from core.models import ExportRecord, Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_run_at", "runs")


class ReadOnlyAdmin(admin.ModelAdmin):
    """An audit record: browsed and filtered in the admin, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExportRecord)
class ExportRecordAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "export", "row_count", "filters", "ip_address")
    list_filter = ("export", "created_at", ("user", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "export", "file_name")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    readonly_fields = (
        "created_at",
        "user",
        "export",
        "file_name",
        "filters",
        "row_count",
        "ip_address",
        "path",
    )


# Staff sign-ins and failures (django-axes) are an audit trail too: nobody edits or deletes them.
# Lockouts are in axes' "Access attempts", whose rows an administrator deletes to unlock.
class SignInLogAdmin(ReadOnlyAdmin, AccessLogAdmin):
    pass


class SignInFailureLogAdmin(ReadOnlyAdmin, AccessFailureLogAdmin):
    pass


for model, model_admin in ((AccessLog, SignInLogAdmin), (AccessFailureLog, SignInFailureLogAdmin)):
    if admin.site.is_registered(model):  # unless AXES_ENABLE_ADMIN is off
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
