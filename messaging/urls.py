from django.urls import path

from messaging import certified_webhooks, webhooks
from messaging.views import compliance, outbox, proofs, templates

app_name = "messaging"

urlpatterns = [
    path("outbox/", outbox.outbox, name="outbox"),
    path("outbox/tomorrow/", outbox.tomorrow_preview, name="tomorrow"),
    path("outbox/calls/", outbox.call_list, name="call-list"),
    path("outbox/<int:pk>/", proofs.message_detail, name="message-detail"),
    path("outbox/<int:pk>/proof/", proofs.letter_proof_upload_view, name="letter-proof-upload"),
    path("outbox/<int:pk>/proof/file/", proofs.letter_proof_file, name="letter-proof-file"),
    path("templates/", templates.template_list, name="template-list"),
    path("templates/<int:pk>/", templates.template_edit, name="template-edit"),
    path("templates/<int:pk>/preview/", templates.template_preview, name="template-preview"),
    path("templates/<int:pk>/provider/", templates.template_provider, name="template-provider"),
    path("templates/<int:pk>/approval/", templates.template_approval, name="template-approval"),
    path("compliance/", compliance.rules_index, name="compliance-rules"),
    path("compliance/try/", compliance.contact_try_view, name="compliance-try"),
    path(
        "compliance/overrides/new/",
        compliance.override_start,
        name="compliance-override-start",
    ),
    path(
        "compliance/overrides/new/<int:creditor>/<str:rule_id>/",
        compliance.override_new,
        name="compliance-override-new",
    ),
    path(
        "compliance/overrides/<int:pk>/",
        compliance.override_edit,
        name="compliance-override-edit",
    ),
    path(
        "compliance/overrides/<int:pk>/delete/",
        compliance.override_delete,
        name="compliance-override-delete",
    ),
]

# Published outside the app's prefix (config/urls.py mounts them at the root): the opt-out
# links in e-mails already sent and the callback URLs set in the providers' consoles.
public_urlpatterns = [
    path("unsubscribe/<str:token>/", outbox.unsubscribe, name="unsubscribe"),
    path("webhooks/twilio/status/", webhooks.twilio_status, name="twilio-status"),
    path("webhooks/twilio/inbound/", webhooks.twilio_inbound, name="twilio-inbound"),
    path("webhooks/sandbox/", webhooks.sandbox_event, name="sandbox-webhook"),
    path(
        "webhooks/certified/sandbox/",
        certified_webhooks.certified_sandbox_event,
        name="certified-sandbox-webhook",
    ),
]
