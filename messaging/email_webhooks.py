"""The e-mail provider's webhooks: django-anymail's views (anymail.urls), served under
/anymail/ for the configured ESP only, and anymail's signals connected to messaging's services:
tracking events to the outbox's events, inbound e-mails to the inbox.

Each view checks the ANYMAIL WEBHOOK_SECRET basic auth and, where the ESP signs its webhooks
(Mailgun's HMAC, SendGrid's signed event webhook, Amazon SNS), the signature; a bad one is a
400 and records nothing (anymail's AnymailWebhookValidationFailure). A payload that does not
parse is a 400 too, never a 500; only a failure to store an event is a 5xx, which the ESP
retries, and a retried event is recorded once.
"""

import logging

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailError, AnymailWebhookValidationFailure
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponse, JsonResponse
from django.urls.resolvers import URLPattern
from django.views.decorators.csrf import csrf_exempt

from core.exceptions import ApplicationError
from messaging.services.email_events import email_inbound_record, email_tracking_record

logger = logging.getLogger(__name__)

# What a payload that does not parse raises inside an ESP's parser.
MALFORMED = (ValueError, KeyError, TypeError, AttributeError, IndexError, AnymailError)


def webhook_secret() -> list[str]:
    secret = (getattr(settings, "ANYMAIL", {}) or {}).get("WEBHOOK_SECRET") or []
    return [secret] if isinstance(secret, str) else list(secret)


def esp_served(esp: str) -> bool:
    """Whether the webhooks of this ESP are served: it is the configured ESP, and the basic
    auth secret is set (without it anyone could report a bounce or a complaint)."""
    configured = (getattr(settings, "CARTERA_EMAIL_ESP", "") or "").lower()
    return bool(configured) and configured == esp and bool(webhook_secret())


def _guarded(view_class):
    """The anymail view, with a payload that does not parse answered 400 instead of 500."""

    class Guarded(view_class):
        def post(self, request, *args, **kwargs):
            self.run_validators(request)  # bad auth or signature: 400 (SuspiciousOperation)
            try:
                events = list(self.parse_events(request))
            except AnymailWebhookValidationFailure:
                raise
            except (*MALFORMED, ImproperlyConfigured) as exc:
                logger.warning("%s webhook: unreadable payload (%s)", self.esp_name, exc)
                return JsonResponse({"detail": "malformed payload"}, status=400)
            try:
                for event in events:
                    self.signal.send(sender=self.__class__, event=event, esp_name=self.esp_name)
            except ApplicationError as exc:
                # The event parsed but says something the services refuse (e.g. no id).
                return JsonResponse({"detail": str(exc)}, status=400)
            return HttpResponse()

    Guarded.__name__ = Guarded.__qualname__ = f"Guarded{view_class.__name__}"
    return Guarded


def _esp_of(pattern) -> str:
    return str(pattern.pattern).lstrip("^").split("/", 1)[0].split("(", 1)[0]


def _view(pattern: URLPattern):
    esp = _esp_of(pattern)
    inner = _guarded(pattern.callback.view_class).as_view(**pattern.callback.view_initkwargs)

    @csrf_exempt
    def view(request, *args, **kwargs):
        if not esp_served(esp):
            raise Http404
        try:
            return inner(request, *args, **kwargs)
        except ImproperlyConfigured as exc:
            # The ESP's webhook keys are missing (e.g. Mailgun's signing key): the ESP
            # retries later; `manage.py check --deploy` names the setting.
            logger.error("%s webhook not configured: %s", esp, exc)
            return JsonResponse({"detail": "webhook not configured"}, status=503)

    view.login_required = False
    return view


urlpatterns = [
    URLPattern(pattern.pattern, _view(pattern), pattern.default_args, pattern.name)
    for pattern in anymail_urls.urlpatterns
]
app_name = anymail_urls.app_name  # "anymail": reverse("anymail:postmark_tracking_webhook")


def tracking_receive(sender, event, esp_name, **kwargs):
    """anymail.signals.tracking → messaging.services.email_events."""
    email_tracking_record(esp=esp_name, event=event)


def inbound_email_receive(sender, event, esp_name, **kwargs):
    """anymail.signals.inbound → the inbox (messaging.services.inbox.inbound_receive)."""
    email_inbound_record(esp=esp_name, event=event)
