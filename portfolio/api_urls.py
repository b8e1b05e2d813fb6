from rest_framework.routers import DefaultRouter

from portfolio.apis import debts, imports, payments

router = DefaultRouter()
router.register("debtors", debts.DebtorViewSet, basename="debtor")
router.register("debts", debts.DebtViewSet, basename="debt")
router.register("payments", payments.PaymentViewSet, basename="payment")
router.register("portfolio-imports", imports.PortfolioImportViewSet, basename="portfolio-import")

urlpatterns = router.urls
