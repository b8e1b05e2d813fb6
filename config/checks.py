"""What a production server must never run with, as system checks (`manage.py check --deploy`).

`config/settings/production.py` refuses to load while any of these errors stands, so gunicorn,
Celery and every `manage.py` command stop before serving anything. `check --deploy` lists
them under any settings (the developer's `local` ones report the sandboxes they use on
purpose). The settings modules import this file, which registers the check as they load.

The sandboxes let anyone who can reach the server, or who knows a public key, fake what
only a provider may say: a payment approved on the sandbox checkout marks a debt paid
without money moving, and an event signed with a published key revokes a debtor's consent.
"""

import hashlib
import hmac
import importlib.util

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# SECRET_KEY values published in this repository (the development default, the old compose
# fallback): anyone can sign sessions, portal links and opt-out tokens with them.
PUBLIC_SECRET_KEYS = frozenset({"dev-insecure-change-me", "change-me-this-is-not-a-secret"})
# Django's own idea of a weak key (django.core.checks.security.base, W009).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
SECRET_KEY_INSECURE_PREFIX = "django-insecure-"

SANDBOX_CHANNEL_BACKEND = "messaging.channels.sandbox.SandboxBackend"
EMAIL_CHANNEL_BACKEND = "messaging.channels.email.EmailBackend"
SANDBOX_CERTIFIED_PROVIDER = "messaging.channels.certified.SandboxCertifiedProvider"
# Django e-mail backends that never hand a message to anyone: the outbox would say "sent".
UNDELIVERED_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        # anymail's test backend keeps what it "sends" in memory.
        "anymail.backends.test.EmailBackend",
    }
)
ANYMAIL_BACKEND_PREFIX = "anymail.backends."
# The card checkouts of portal.payments.PROVIDERS (a local rail is chosen by its method).
PAYMENT_PROVIDERS = ("sandbox", "stripe")
# The sandboxes' webhook secrets: setting name -> purpose of its development default.
SANDBOX_SECRETS = {
    "CARTERA_SANDBOX_WEBHOOK_SECRET": "messaging-sandbox-webhook",
    "CARTERA_PORTAL_SANDBOX_WEBHOOK_SECRET": "portal-sandbox-webhook",
}


def derived_secret(secret_key: str, purpose: str) -> str:
    """A development default derived one-way from SECRET_KEY (refused in production)."""
    return hmac.new(secret_key.encode(), f"cartera:{purpose}".encode(), hashlib.sha256).hexdigest()


def esp_email_backend(esp: str) -> str:
    """anymail's backend for an ESP name (CARTERA_EMAIL_ESP), or "" for none."""
    esp = (esp or "").strip().lower()
    return f"{ANYMAIL_BACKEND_PREFIX}{esp}.EmailBackend" if esp else ""


def _esp_errors(s) -> list[checks.Error]:
    """An ESP named but unusable, or one whose bounces and complaints cannot reach Cartera."""
    esp = (getattr(s, "CARTERA_EMAIL_ESP", "") or "").strip().lower()
    email = getattr(s, "EMAIL_BACKEND", "") or ""
    errors = []
    if esp:
        # Found without importing it (these checks run while the settings load).
        try:
            found = importlib.util.find_spec(esp_email_backend(esp).rsplit(".", 1)[0])
        except ImportError:
            found = None
        if found is None:
            return [
                checks.Error(
                    f"CARTERA_EMAIL_ESP is {esp!r}, not an ESP django-anymail has a backend for.",
                    hint="Use an anymail ESP name (postmark, sendgrid, mailgun, amazon_ses, "
                    "...) and install its extra dependencies.",
                    id="cartera.E010",
                )
            ]
    if email.startswith(ANYMAIL_BACKEND_PREFIX) and email not in UNDELIVERED_EMAIL_BACKENDS:
        if email != esp_email_backend(esp):
            errors.append(
                checks.Error(
                    f"EMAIL_BACKEND is {email} but CARTERA_EMAIL_ESP is {esp!r}: the ESP's "
                    "tracking webhooks are served for CARTERA_EMAIL_ESP only.",
                    hint="Set CARTERA_EMAIL_ESP to the ESP and leave EMAIL_BACKEND unset.",
                    id="cartera.E011",
                )
            )
        anymail = getattr(s, "ANYMAIL", {}) or {}
        if not anymail.get("WEBHOOK_SECRET"):
            errors.append(
                checks.Error(
                    "E-mail goes through an ESP but ANYMAIL_WEBHOOK_SECRET is not set: its "
                    "bounce and complaint webhooks are not served, so dead addresses keep "
                    "being mailed and complaints are not honoured.",
                    hint="Set ANYMAIL_WEBHOOK_SECRET to a random 'user:password' and put it "
                    "in the ESP's webhook URL (docs/email.md).",
                    id="cartera.E012",
                )
            )
    return errors


def _secret_key_errors(s) -> list[checks.Error]:
    key = getattr(s, "SECRET_KEY", "") or ""
    if not key:
        return [
            checks.Error(
                "DJANGO_SECRET_KEY is empty.",
                hint="Set DJANGO_SECRET_KEY to a long random value: openssl rand -hex 32.",
                id="cartera.E001",
            )
        ]
    if key in PUBLIC_SECRET_KEYS:
        return [
            checks.Error(
                "DJANGO_SECRET_KEY is a default published in Cartera's repository: anyone can "
                "forge sessions, portal links and opt-out tokens with it.",
                hint="Set DJANGO_SECRET_KEY to a long random value: openssl rand -hex 32.",
                id="cartera.E002",
            )
        ]
    if (
        key.startswith(SECRET_KEY_INSECURE_PREFIX)
        or len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    ):
        return [
            checks.Error(
                f"DJANGO_SECRET_KEY is weak: fewer than {SECRET_KEY_MIN_LENGTH} characters, "
                f"fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones, or Django's "
                f"'{SECRET_KEY_INSECURE_PREFIX}' development key.",
                hint="Set DJANGO_SECRET_KEY to a long random value: openssl rand -hex 32.",
                id="cartera.E003",
            )
        ]
    return []


def _derived_secret_errors(s) -> list[checks.Error]:
    key = getattr(s, "SECRET_KEY", "") or ""
    errors = []
    for name, purpose in SANDBOX_SECRETS.items():
        value = getattr(s, name, "") or ""
        if key and value and (key in value or value == derived_secret(key, purpose)):
            errors.append(
                checks.Error(
                    f"{name} is derived from DJANGO_SECRET_KEY: whoever holds it holds, or can "
                    "compute, a secret of the server.",
                    hint=f"Leave {name} unset in production (no sandbox runs there).",
                    id="cartera.E004",
                )
            )
    return errors


def _channel_errors(s) -> list[checks.Error]:
    errors = []
    backends = getattr(s, "CARTERA_CHANNEL_BACKENDS", {}) or {}
    for channel, path in sorted(backends.items()):
        if path == SANDBOX_CHANNEL_BACKEND:
            errors.append(
                checks.Error(
                    f"The {channel} channel uses the sandbox backend: messages are recorded as "
                    "sent and never reach the debtor, and its callback endpoint takes events "
                    "signed with a development secret.",
                    hint=f"Set CARTERA_{channel.upper()}_CHANNEL to a real backend (e.g. "
                    "messaging.channels.twilio.TwilioBackend), or to an empty value to turn "
                    "the channel off.",
                    id="cartera.E005",
                )
            )
    if getattr(s, "CARTERA_CERTIFIED_MAIL_PROVIDER", "") == SANDBOX_CERTIFIED_PROVIDER:
        errors.append(
            checks.Error(
                "Certified letters go to the certified mail sandbox: they get a made-up "
                "tracking number and are never mailed, and its proof endpoint takes events "
                "signed with a development secret.",
                hint="Set CARTERA_CERTIFIED_MAIL_PROVIDER to "
                "messaging.channels.certified.PostCertifiedProvider (mailed by hand, receipts "
                "uploaded by staff) or a real provider's adapter.",
                id="cartera.E020",
            )
        )
    email = getattr(s, "EMAIL_BACKEND", "")
    if backends.get("email") == EMAIL_CHANNEL_BACKEND and email in UNDELIVERED_EMAIL_BACKENDS:
        errors.append(
            checks.Error(
                f"The e-mail channel delivers through {email}, which sends nothing: e-mails "
                "would be marked sent and never leave.",
                hint="Set EMAIL_BACKEND to an SMTP (or provider) backend and EMAIL_HOST etc.",
                id="cartera.E006",
            )
        )
    return errors


def _payment_errors(s) -> list[checks.Error]:
    provider = getattr(s, "CARTERA_PORTAL_PAYMENT_PROVIDER", "") or ""
    hint = (
        "Set CARTERA_PORTAL_PAYMENT_PROVIDER=stripe with STRIPE_SECRET_KEY and "
        "STRIPE_WEBHOOK_SECRET."
    )
    if provider == "sandbox":
        return [
            checks.Error(
                "The debtor portal takes payments through the sandbox: a debtor can mark a "
                "debt paid without paying.",
                hint=hint,
                id="cartera.E007",
            )
        ]
    if provider not in PAYMENT_PROVIDERS:
        return [
            checks.Error(
                (
                    f"CARTERA_PORTAL_PAYMENT_PROVIDER is {provider!r}, not a payment provider"
                    if provider
                    else "CARTERA_PORTAL_PAYMENT_PROVIDER is not set"
                )
                + ": the debtor portal cannot take payments.",
                hint=hint,
                id="cartera.E008",
            )
        ]
    if provider == "stripe":
        missing = [
            name
            for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")
            if not getattr(s, name, "")
        ]
        if missing:
            return [
                checks.Error(
                    f"The portal pays through Stripe but {' and '.join(missing)} "
                    f"{'is' if len(missing) == 1 else 'are'} not set.",
                    hint=hint,
                    id="cartera.E009",
                )
            ]
    return []


def deployment_errors(s) -> list[checks.Error]:
    """Every reason these settings (any object with settings' attributes) must not serve."""
    return [
        *_secret_key_errors(s),
        *_derived_secret_errors(s),
        *_channel_errors(s),
        *_esp_errors(s),
        *_payment_errors(s),
    ]


class UnsafeDeployment(ImproperlyConfigured):
    """Production settings that must not serve; the message lists every deployment error."""

    def __init__(self, errors: list[checks.Error]):
        self.errors = errors
        super().__init__(
            "Refusing to start with these production settings:\n"
            + "\n".join(str(error) for error in errors)
        )


def deployment_refuse(s) -> None:
    """Raise UnsafeDeployment when these settings fail any deployment check."""
    errors = deployment_errors(s)
    if errors:
        raise UnsafeDeployment(errors)


@checks.register(checks.Tags.security, deploy=True)
def deployment_check(app_configs=None, **kwargs):
    from django.conf import settings

    return deployment_errors(settings)
