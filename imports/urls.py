from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_list, name="import-list"),
    path("new/", views.import_create, name="import-create"),
    path("<int:pk>/", views.import_detail, name="import-detail"),
    path("<int:pk>/errors.csv", views.import_errors_csv, name="import-errors-csv"),
]
