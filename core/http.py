"""Small request helpers shared by the apps."""


def client_ip(request) -> str | None:
    """The client's address as the server saw it.

    REMOTE_ADDR, not X-Forwarded-For: a client can forge the header. Behind a proxy, the proxy
    must set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    """
    return request.META.get("REMOTE_ADDR") or None
