from rest_framework.routers import DefaultRouter

from complaints import apis

router = DefaultRouter()
router.register("complaints", apis.ComplaintViewSet, basename="complaint")

urlpatterns = router.urls
