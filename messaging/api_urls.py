from rest_framework.routers import DefaultRouter

from messaging.apis import InboundMessageViewSet, MessageViewSet

router = DefaultRouter()
router.register("messages", MessageViewSet, basename="message")
router.register("inbound-messages", InboundMessageViewSet, basename="inbound-message")

urlpatterns = router.urls
