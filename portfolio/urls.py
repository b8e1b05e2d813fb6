from portfolio.views import dashboard, debts, imports, segments

app_name = "portfolio"
urlpatterns = debts.urlpatterns + imports.urlpatterns + dashboard.urlpatterns + segments.urlpatterns
