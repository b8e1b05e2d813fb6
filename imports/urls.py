from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("imports/", views.import_list, name="import-list"),
    path("imports/new/", views.import_create, name="import-create"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/errors.csv", views.import_errors_csv, name="import-errors-csv"),
]
