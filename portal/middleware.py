"""Security headers for the portal's pages: strict CSP (no third-party anything), no framing."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


class PortalSecurityHeadersMiddleware:
    """On /portal/ responses: CSP, X-Frame-Options DENY, no referrer, no caching of pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/portal/"):
            response["Content-Security-Policy"] = CSP
            response["X-Frame-Options"] = "DENY"
            response["Referrer-Policy"] = "no-referrer"
            response["X-Content-Type-Options"] = "nosniff"
            response["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
            response.setdefault("Cache-Control", "no-store")
        return response
