from rest_framework.routers import DefaultRouter

from messaging.apis import InboundMessageViewSet, MessageViewSet, TemplateVersionViewSet

router = DefaultRouter()
router.register("messages", MessageViewSet, basename="message")
router.register("inbound-messages", InboundMessageViewSet, basename="inbound-message")
router.register(
    "message-template-versions", TemplateVersionViewSet, basename="message-template-version"
)

urlpatterns = router.urls
