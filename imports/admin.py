from django.contrib import admin

from imports.models import ImportBatch, ImportRowError


class ImportRowErrorInline(admin.TabularInline):
    model = ImportRowError
    extra = 0
    can_delete = False
    readonly_fields = ("row", "column", "reason", "value")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "kind",
        "creditor",
        "file_name",
        "status",
        "created_count",
        "updated_count",
        "unchanged_count",
        "rejected_count",
        "created_at",
    )
    list_filter = ("kind", "status", "creditor", "dry_run", "strict")
    search_fields = ("file_name",)
    readonly_fields = [f.name for f in ImportBatch._meta.fields]
    inlines = [ImportRowErrorInline]


@admin.register(ImportRowError)
class ImportRowErrorAdmin(admin.ModelAdmin):
    list_display = ("batch", "row", "column", "reason", "value")
    search_fields = ("column", "reason", "value")
    list_select_related = ("batch",)
    readonly_fields = ("batch", "row", "column", "reason", "value")

    def has_add_permission(self, request):
        return False
