"""Security headers for the portal's pages: strict CSP (no third-party anything), no framing."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


class PortalSecurityHeadersMiddleware:
    """On /portal/ pages: CSP, X-Frame-Options DENY, same-origin referrer, no caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/portal/"):
            response["Content-Security-Policy"] = CSP
            response["X-Frame-Options"] = "DENY"
            # same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on POST,
            # which CSRF refuses; other sites still never see a portal address.
            response["Referrer-Policy"] = "same-origin"
            response["X-Content-Type-Options"] = "nosniff"
            response["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
            response.setdefault("Cache-Control", "no-store")
        return response
