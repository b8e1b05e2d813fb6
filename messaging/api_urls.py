from rest_framework.routers import DefaultRouter

from messaging.apis import MessageViewSet

router = DefaultRouter()
router.register("messages", MessageViewSet, basename="message")

urlpatterns = router.urls
