from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.views import home
from messaging import urls as messaging_urls

api_v1 = [
    path("", include("portfolio.api_urls")),
    path("", include("collections_app.api_urls")),
    path("", include("agreements.api_urls")),
    path("", include("messaging.api_urls")),
    path("", include("analytics.api_urls")),
    path("", include("imports.api_urls")),
    path("", include("complaints.api_urls")),
    path("", include("bureau.api_urls")),
    path("", include("legal.api_urls")),
    path("", include("experiments.api_urls")),
    path("", include("ledger.api_urls")),
]


def moved(old: str, new: str):
    """A page that moved under its app's prefix: a permanent redirect keeps bookmarks working
    (the old path's arguments and query string carried over)."""
    return path(old, RedirectView.as_view(pattern_name=new, permanent=True, query_string=True))


# The staff pages people bookmarked before each app took its own prefix (GET pages only).
moved_pages = [
    moved("workspace/", "collections:queue"),
    moved("workspace/next/", "collections:next"),
    moved("workspace/tasks/", "collections:tasks"),
    moved("workspace/assign/", "collections:assign"),
    moved("workspace/approvals/", "collections:approvals"),
    moved("policies/", "collections:policy-list"),
    moved("policies/new/", "collections:policy-new"),
    moved("policies/<int:pk>/", "collections:policy-edit"),
    moved("cycle/", "collections:cycle"),
    moved("debts/<int:debt_pk>/agreements/new/", "agreements:new"),
    moved("dashboard/", "analytics:dashboard"),
    moved("segments/", "analytics:segment-list"),
    moved("segments/new/", "analytics:segment-new"),
    moved("segments/<int:pk>/", "analytics:segment-edit"),
    moved("outbox/", "messaging:outbox"),
    moved("outbox/tomorrow/", "messaging:tomorrow"),
    moved("outbox/calls/", "messaging:call-list"),
    moved("templates/", "messaging:template-list"),
    moved("templates/<int:pk>/", "messaging:template-edit"),
]

urlpatterns = [
    # Each role starts on its own page (collectors: the queue; managers: the dashboard).
    path("", home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("health/", include("core.urls")),
    # Each app's HTML pages under its own prefix.
    path("debts/", include("portfolio.urls")),
    path("collections/", include("collections_app.urls")),
    path("agreements/", include("agreements.urls")),
    path("analytics/", include("analytics.urls")),
    path("imports/", include("imports.urls")),
    path("complaints/", include("complaints.urls")),
    path("bureau/", include("bureau.urls")),
    path("legal/", include("legal.urls")),
    path("experiments/", include("experiments.urls")),
    path("ledger/", include("ledger.urls")),
    # messaging's pages go under messaging/, but its public endpoints keep the paths already
    # published: opt-out links in e-mails already sent and the webhook URLs set in the
    # providers' consoles. Both lists share the one `messaging` namespace.
    path(
        "",
        include(
            (
                [
                    path("messaging/", include(messaging_urls.urlpatterns)),
                    *messaging_urls.public_urlpatterns,
                ],
                messaging_urls.app_name,
            )
        ),
    ),
    path("portal/", include("portal.urls")),
    # The e-mail provider's tracking (and inbound) webhooks: anymail's views and paths
    # (e.g. /anymail/postmark/tracking/), served for the configured ESP only.
    path("anymail/", include("messaging.email_webhooks")),
    *moved_pages,
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Friendly error pages in the page's language: the portal's look for debtors, the staff look
# for everyone else, JSON under /api/ (config/errors.py).
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
