"""One spelling per address, so an inbound, a contact point and a message compare equal."""

from email.utils import parseaddr

import phonenumbers

PHONE_CHANNELS = ("sms", "whatsapp", "voice")


def address_normalise(*, channel: str, address: str) -> str:
    """E.164 for a phone (prefixes such as "whatsapp:" dropped), lower-case for an e-mail."""
    address = (address or "").strip()
    if channel == "email":
        return (parseaddr(address)[1] or address).strip().lower()
    if channel in PHONE_CHANNELS:
        bare = address.split(":", 1)[1] if ":" in address else address
        try:
            number = phonenumbers.parse(bare if bare.startswith("+") else "+" + bare, None)
        except phonenumbers.NumberParseException:
            return bare
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return address
