from django.urls import path

from portfolio import views

app_name = "portfolio"
urlpatterns = [
    path("", views.debt_list, name="debt-list"),
    path("<int:pk>/", views.debt_detail, name="debt-detail"),
    path("<int:pk>/document/", views.debt_document_reveal, name="debt-document-reveal"),
]
