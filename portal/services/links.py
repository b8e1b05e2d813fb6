"""Personal portal links: signed, expiring, one debtor; no personal data in the URL."""

from django.conf import settings
from django.core import signing

from core.http import reverse_token

LINK_SALT = "portal.link"


def link_max_age() -> int:
    return int(getattr(settings, "CARTERA_PORTAL_LINK_MAX_AGE", 60 * 60 * 24 * 30))


def link_token(debtor_id: int) -> str:
    """A signed, timestamped token that names only the debtor's internal id."""
    return signing.TimestampSigner(salt=LINK_SALT).sign_object({"d": int(debtor_id)})


def link_debtor_id(token: str, *, max_age: int | None = None) -> int | None:
    """The debtor a link was issued for, or None when forged or expired."""
    try:
        data = signing.TimestampSigner(salt=LINK_SALT).unsign_object(
            token, max_age=link_max_age() if max_age is None else max_age
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    value = data.get("d") if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def portal_link(debtor_id: int | None) -> str:
    """The absolute personal link messages carry (the portal's home without a debtor)."""
    base = settings.CARTERA_PORTAL_URL
    if not debtor_id:
        return base
    root = settings.CARTERA_PUBLIC_URL.rstrip("/")
    return root + reverse_token("portal:link", link_token(debtor_id))
