from django.urls import path

from agreements import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("approvals/", views.approval_list, name="approvals"),
    path("limits/", views.limits_index, name="limits-index"),
    path("limits/<int:creditor_pk>/", views.limits_edit, name="limits"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/approve/", views.agreement_decide, {"decision": "approve"}, "approve"),
    path("<int:pk>/reject/", views.agreement_decide, {"decision": "reject"}, "reject"),
    path("<int:pk>/cancel/", views.agreement_decide, {"decision": "cancel"}, "cancel"),
    path("debts/<int:debt_pk>/new/", views.agreement_new, name="new"),
    path("debts/<int:debt_pk>/promises/", views.promise_new, name="promise-new"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
]
