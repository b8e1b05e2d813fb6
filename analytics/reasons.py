"""The texts analytics' services record (codes for core.reasons; see that module)."""

from django.utils.translation import gettext_lazy as _

from core.reasons import reason_register

TASK_FIELD_VISIT = reason_register("task.field_visit", _("Field visit to %(name)s"))
TASK_FIELD_VISIT_NOTE = reason_register(
    "task.field_visit_note", _("The segment's strategy includes a field visit.")
)
