from rest_framework.routers import DefaultRouter

from agreements import apis

router = DefaultRouter()
router.register("agreements", apis.AgreementViewSet, basename="agreement")
router.register("promises", apis.PromiseViewSet, basename="promise")

urlpatterns = router.urls
