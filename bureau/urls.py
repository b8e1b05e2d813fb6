from django.urls import path

from bureau import views

app_name = "bureau"

urlpatterns = [
    path("", views.run_list_view, name="run-list"),
    path("runs/new/", views.run_new, name="run-new"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/file/", views.run_download, name="run-download"),
    # One URL per step (validate, generate, submit, cancel): anything else is a 404.
    *[
        path(f"runs/<int:pk>/{step}/", views.run_step, {"step": step}, name=f"run-{step}")
        for step in views.STEPS
    ],
]
