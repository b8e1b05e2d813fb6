"""One spelling per address, so an inbound, a contact point and a message compare equal."""

from email.utils import parseaddr

from core.validation import phone_to_e164

PHONE_CHANNELS = ("sms", "whatsapp", "voice")


def address_normalise(*, channel: str, address: str) -> str:
    """E.164 for a phone (a "whatsapp:" prefix dropped), lower case for an e-mail address."""
    address = (address or "").strip()
    if channel == "email":
        return (parseaddr(address)[1] or address).strip().lower()
    if channel in PHONE_CHANNELS:
        bare = address.split(":", 1)[1] if ":" in address else address
        # Providers send the international form ("+57...", sometimes without the plus); a
        # number that still does not parse is kept as given rather than lost.
        return phone_to_e164(bare if bare.startswith("+") else f"+{bare}", "") or bare
    return address
