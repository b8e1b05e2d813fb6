from django.urls import path

from experiments.views import results

app_name = "experiments"
urlpatterns = [
    path("<int:pk>/results/", results.experiment_results_partial, name="results"),
]
