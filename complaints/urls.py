from django.urls import path

from complaints.views import complaints as views
from complaints.views import inbound as views_inbound
from complaints.views import reputation as views_reputation

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_queue, name="queue"),
    path("new/", views.complaint_new, name="new"),
    path(
        "from-inbound/<int:pk>/",
        views_inbound.complaint_from_inbound_view,
        name="from-inbound",
    ),
    path("reputation/", views_reputation.reputation, name="reputation"),
    path(
        "reputation/export/redeco.<str:fmt>",
        views_reputation.redeco_export,
        name="reputation-redeco",
    ),
    path(
        "reputation/export/<slug:table>.<str:fmt>",
        views_reputation.reputation_export,
        name="reputation-export",
    ),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path("<int:pk>/assign/", views.complaint_assign_view, name="assign"),
    path("<int:pk>/ask/", views.complaint_ask_view, name="ask"),
    path("<int:pk>/information/", views.complaint_info_view, name="info"),
    path("<int:pk>/extend/", views.complaint_extend_view, name="extend"),
    path("<int:pk>/draft/", views.complaint_draft_view, name="draft"),
    path("<int:pk>/answer/", views.complaint_answer_view, name="answer"),
    path("<int:pk>/close/", views.complaint_close_view, name="close"),
]
