from rest_framework.routers import DefaultRouter

from experiments import apis

router = DefaultRouter()
router.register("experiments", apis.ExperimentViewSet, basename="experiment")

urlpatterns = router.urls
