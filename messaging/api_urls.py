from rest_framework.routers import DefaultRouter

from messaging.apis import MessageViewSet, TemplateVersionViewSet

router = DefaultRouter()
router.register("messages", MessageViewSet, basename="message")
router.register(
    "message-template-versions", TemplateVersionViewSet, basename="message-template-version"
)

urlpatterns = router.urls
