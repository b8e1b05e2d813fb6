from django.urls import path

from analytics import views

app_name = "analytics"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path(
        "dashboard/export/<slug:table>.<str:fmt>",
        views.dashboard_export,
        name="dashboard-export",
    ),
    path("segments/", views.segment_list, name="segment-list"),
    path("segments/new/", views.segment_new, name="segment-new"),
    path("segments/<int:pk>/", views.segment_edit, name="segment-edit"),
    path("segments/<int:pk>/delete/", views.segment_remove, name="segment-delete"),
]
