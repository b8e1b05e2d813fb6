"""The floor of bench/web.py: every production URL plus one bare signed-in view.

gunicorn serves this URLconf (through bench.web_settings) during the web bench only:
`/bench/floor/` loads the session and the user, as every staff page does, and answers a few
bytes. Its latency is what any page costs before its own work, measured in the same run as the
pages it is printed beside.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as production_urlpatterns

FLOOR_URL = "/bench/floor/"


@login_required
def floor(request):
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [*production_urlpatterns, path(FLOOR_URL.strip("/") + "/", floor)]
