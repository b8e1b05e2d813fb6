from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("File imports")

    def ready(self):
        from imports import reasons  # noqa: F401  (registers its reason codes)
