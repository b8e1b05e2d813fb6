"""Debtor portal models: access codes and throttles, payment intents, references, disputes."""

from portal.models.access import AccessCode, Throttle  # noqa: F401
from portal.models.payments import PaymentIntent, WebhookEvent  # noqa: F401
from portal.models.requests import ContactPreference, Dispute  # noqa: F401
