from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

api_v1 = [
    path("", include("portfolio.api_urls")),
    path("", include("collections_app.api_urls")),
    path("", include("agreements.api_urls")),
    path("", include("messaging.api_urls")),
    path("", include("analytics.api_urls")),
    path("", include("imports.api_urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portfolio:debt-list", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("health/", include("core.urls")),
    path("workspace/", include("collections_app.workspace.views")),
    path("", include("portfolio.urls")),
    path("", include("analytics.urls")),
    path("", include("imports.urls")),
    path("", include("collections_app.urls")),
    path("", include("agreements.urls")),
    path("", include("messaging.urls")),
    path("portal/", include("portal.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
