from rest_framework.routers import DefaultRouter

from bureau import apis

router = DefaultRouter()
router.register("bureau/runs", apis.RunViewSet, basename="api-bureau-run")
router.register("bureau/notices", apis.NoticeViewSet, basename="api-bureau-notice")

urlpatterns = router.urls
