"""Small request helpers shared by the apps."""

from functools import lru_cache

from django.conf import settings
from django.http import QueryDict
from django.urls import get_script_prefix, get_urlconf, reverse


def client_ip(request) -> str | None:
    """The client's address as the server saw it.

    REMOTE_ADDR, not X-Forwarded-For: a client can forge the header. Behind a load balancer,
    REMOTE_ADDR must still be the client's: gunicorn sets it from the PROXY protocol
    (`--proxy-protocol`, with the balancer sending it; `--forwarded-allow-ips` only trusts the
    scheme headers). Otherwise every client has the balancer's address, in these records and in
    the per-address sign-in lockout.
    """
    return request.META.get("REMOTE_ADDR") or None


_TOKEN_MARK = "__token__"


@lru_cache(maxsize=64)
def _reversed_with_mark(viewname: str, urlconf: tuple) -> str:
    return reverse(viewname, args=[_TOKEN_MARK])


def reverse_token(viewname: str, token: str) -> str:
    """`reverse(viewname, args=[token])` for a `<str:token>` URL, without resolving each time.

    A dispatch batch builds two signed links per message; the URL around the token is resolved
    once per URL configuration. For tokens that need no quoting (signed values: URL-safe base64,
    `:` and `.`), the result is the same string `reverse` gives.
    """
    urlconf = (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())
    return _reversed_with_mark(viewname, urlconf).replace(_TOKEN_MARK, token)


def query_without_blanks(query: QueryDict) -> QueryDict:
    """The query string without empty values, so "any" choices neither filter nor fail."""
    cleaned = QueryDict(mutable=True)
    for key in query:
        values = [v for v in query.getlist(key) if v.strip()]
        if values:
            cleaned.setlist(key, values)
    return cleaned
