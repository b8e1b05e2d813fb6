from django.urls import path

from messaging import views, webhooks

app_name = "messaging"

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/tomorrow/", views.tomorrow_preview, name="tomorrow"),
    path("outbox/calls/", views.call_list, name="call-list"),
    path("templates/", views.template_list, name="template-list"),
    path("templates/<int:pk>/", views.template_edit, name="template-edit"),
    path("templates/<int:pk>/preview/", views.template_preview, name="template-preview"),
]

# Published outside the app's prefix (config/urls.py mounts them at the root): the opt-out
# links in e-mails already sent and the callback URLs set in the providers' consoles.
public_urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("webhooks/twilio/status/", webhooks.twilio_status, name="twilio-status"),
    path("webhooks/twilio/inbound/", webhooks.twilio_inbound, name="twilio-inbound"),
    path("webhooks/sandbox/", webhooks.sandbox_event, name="sandbox-webhook"),
]
