from django.urls import path  # noqa: F401  (the legal pages add their routes here)

app_name = "legal"

urlpatterns: list = []
