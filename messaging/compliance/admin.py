from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from messaging.compliance.overrides import overridable_rules, override_errors
from messaging.models import ComplianceOverride


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
