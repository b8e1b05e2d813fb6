from portfolio.views import debts, imports

app_name = "portfolio"
urlpatterns = debts.urlpatterns + imports.urlpatterns
