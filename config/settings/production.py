"""Production settings: everything sensitive must come from the environment.

The settings refuse to load (ImproperlyConfigured, so gunicorn, Celery and `manage.py` stop
before serving anything) while a deployment check of config/checks.py fails: a missing, public
or weak DJANGO_SECRET_KEY, a secret derived from it, a sandbox channel or payment provider, an
e-mail backend that sends nothing.
"""

from types import SimpleNamespace

from config.checks import deployment_refuse

from .base import *  # noqa: F403
from .base import ESP_EMAIL_BACKEND, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# E-mail leaves through the ESP of CARTERA_EMAIL_ESP (django-anymail, with bounce and
# complaint webhooks), else through SMTP (EMAIL_HOST, EMAIL_PORT, ... in base.py).
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default=ESP_EMAIL_BACKEND or "django.core.mail.backends.smtp.EmailBackend"
)
# No sandbox runs in production: no payment provider and no sandbox secrets unless configured,
# and never a default derived from SECRET_KEY.
CARTERA_PORTAL_PAYMENT_PROVIDER = env("CARTERA_PORTAL_PAYMENT_PROVIDER", default="")
CARTERA_SANDBOX_WEBHOOK_SECRET = env("CARTERA_SANDBOX_WEBHOOK_SECRET", default="")
CARTERA_CERTIFIED_MAIL_PROVIDER = env(
    "CARTERA_CERTIFIED_MAIL_PROVIDER", default="messaging.channels.certified.PostCertifiedProvider"
)
CARTERA_PORTAL_SANDBOX_WEBHOOK_SECRET = env("CARTERA_PORTAL_SANDBOX_WEBHOOK_SECRET", default="")

deployment_refuse(SimpleNamespace(**{k: v for k, v in globals().items() if k.isupper()}))
