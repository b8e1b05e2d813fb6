from rest_framework import viewsets


class DebtorViewSet(viewsets.ViewSet):  # placeholder until its helper lands
    def list(self, request):
        raise NotImplementedError


class DebtViewSet(viewsets.ViewSet):  # placeholder until its helper lands
    def list(self, request):
        raise NotImplementedError
