urlpatterns = []  # the import pages land with the import helper
