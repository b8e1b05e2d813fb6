from django.urls import path

from collections_app import views

app_name = "collections"
urlpatterns = [
    path("policies/", views.policy_index, name="policy-list"),
    path("policies/new/", views.policy_new, name="policy-new"),
    path("policies/<int:pk>/", views.policy_edit, name="policy-edit"),
    path("cycle/", views.cycle_overview, name="cycle"),
    path("debts/<int:pk>/transition/", views.debt_transition_view, name="debt-transition"),
    path("debts/<int:pk>/holds/", views.debt_hold_open_view, name="debt-hold-open"),
    path("holds/<int:pk>/close/", views.hold_close_view, name="hold-close"),
]
