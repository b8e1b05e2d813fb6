from django.urls import path

from portal.views import access, complaints, debts, pay, plans, rails, requests, staff

app_name = "portal"

urlpatterns = [
    path("", access.home, name="home"),
    path("l/<str:token>/", access.link, name="link"),
    path("verify/", access.verify, name="verify"),
    path("verify/resend/", access.resend, name="resend"),
    path("logout/", access.logout, name="logout"),
    path("debts/", debts.debt_list, name="debts"),
    path("debts/<int:debt_id>/", debts.debt_detail, name="debt"),
    path("debts/<int:debt_id>/statement.pdf", debts.statement, name="statement"),
    path("debts/<int:debt_id>/pay/", pay.pay, name="pay"),
    path("debts/<int:debt_id>/reference/", pay.bank_reference, name="reference"),
    path("debts/<int:debt_id>/plan/", plans.plan, name="plan"),
    path("debts/<int:debt_id>/plan/call/", plans.plan_call, name="plan-call"),
    path("debts/<int:debt_id>/dispute/", requests.dispute, name="dispute"),
    path("requests/", complaints.request_list, name="requests"),
    path("requests/new/", complaints.request_new, name="request-new"),
    path("requests/<str:number>/", complaints.request_detail, name="request"),
    path("requests/<str:number>/received/", complaints.request_received, name="request-received"),
    path("preferences/", requests.preferences, name="preferences"),
    path("callback/", requests.callback, name="callback"),
    path("checkout/sandbox/<str:reference>/", pay.sandbox_checkout, name="sandbox-checkout"),
    path("checkout/pse/<str:reference>/", rails.pse_banks, name="pse-banks"),
    path("checkout/pse/<str:reference>/bank/", rails.pse_bank, name="pse-bank"),
    path("checkout/breb/<str:reference>/", rails.breb_link, name="breb-link"),
    path("payments/<str:reference>/", pay.intent_status, name="intent"),
    path("payments/<str:reference>/simulate/", rails.simulate, name="rail-simulate"),
    path("webhooks/<str:provider>/", pay.webhook, name="webhook"),
    path(
        "staff/disputes/<int:dispute_id>/attachment/",
        staff.dispute_attachment,
        name="dispute-attachment",
    ),
]
