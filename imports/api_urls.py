from rest_framework.routers import DefaultRouter

from imports import apis

router = DefaultRouter()
router.register("portfolio-imports", apis.PortfolioImportViewSet, basename="portfolio-import")

urlpatterns = router.urls
