from django.urls import path

from portfolio import views

app_name = "portfolio"
urlpatterns = [
    path("debts/", views.debt_list, name="debt-list"),
    path("debts/<int:pk>/", views.debt_detail, name="debt-detail"),
    path("debts/<int:pk>/document/", views.debt_document_reveal, name="debt-document-reveal"),
]
