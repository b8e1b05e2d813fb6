"""The Celery application; the broker comes from REDIS_URL (see settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("cartera")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
