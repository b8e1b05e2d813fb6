"""Small request helpers shared by the apps."""


def client_ip(request) -> str | None:
    """The client's address as the server saw it.

    REMOTE_ADDR, not X-Forwarded-For: a client can forge the header. Behind a load balancer,
    REMOTE_ADDR must still be the client's: gunicorn sets it from the PROXY protocol
    (`--proxy-protocol`, with the balancer sending it; `--forwarded-allow-ips` only trusts the
    scheme headers). Otherwise every client has the balancer's address, in these records and in
    the per-address sign-in lockout.
    """
    return request.META.get("REMOTE_ADDR") or None
