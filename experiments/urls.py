from django.urls import path

from experiments.views import experiments as views
from experiments.views import results

app_name = "experiments"

urlpatterns = [
    path("", views.experiment_list_view, name="list"),
    path("new/", views.experiment_new, name="new"),
    path("calculator/", views.calculator_panel, name="calculator"),
    path("<int:pk>/", views.experiment_detail, name="detail"),
    path("<int:pk>/results/", results.experiment_results_partial, name="results"),
    path("<int:pk>/start/", views.experiment_start_view, name="start"),
    path("<int:pk>/stop/", views.experiment_stop_view, name="stop"),
    path("<int:pk>/stop-arm/", views.arm_stop_view, name="stop-arm"),
    path("<int:pk>/promote/", views.experiment_promote_view, name="promote"),
]
