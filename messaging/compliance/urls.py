from django.urls import path

from messaging.compliance import views

app_name = "compliance"
urlpatterns = [
    path("", views.rules_index, name="rules"),
    path("try/", views.contact_try_view, name="try"),
    path("overrides/new/", views.override_start, name="override-start"),
    path("overrides/new/<int:creditor>/<str:rule_id>/", views.override_new, name="override-new"),
    path("overrides/<int:pk>/", views.override_edit, name="override-edit"),
    path("overrides/<int:pk>/delete/", views.override_delete, name="override-delete"),
]
