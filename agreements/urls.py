from django.urls import path

from agreements import views

app_name = "agreements"
urlpatterns = [
    path("debts/<int:debt_pk>/agreements/new/", views.agreement_new, name="new"),
    path("debts/<int:debt_pk>/promises/", views.promise_new, name="promise-new"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
    path("agreements/", views.agreement_list, name="list"),
    path("agreements/approvals/", views.approval_list, name="approvals"),
    path("agreements/limits/", views.limits_index, name="limits-index"),
    path("agreements/limits/<int:creditor_pk>/", views.limits_edit, name="limits"),
    path("agreements/<int:pk>/", views.agreement_detail, name="detail"),
    path(
        "agreements/<int:pk>/approve/", views.agreement_decide, {"decision": "approve"}, "approve"
    ),
    path("agreements/<int:pk>/reject/", views.agreement_decide, {"decision": "reject"}, "reject"),
    path("agreements/<int:pk>/cancel/", views.agreement_decide, {"decision": "cancel"}, "cancel"),
]
