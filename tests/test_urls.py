"""Each app's HTML pages live under its own prefix, and the old top-level pages people
bookmarked answer with a permanent redirect to their new home."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# app package -> the prefix of its HTML pages (config/urls.py)
PREFIXES = {
    "portfolio": "debts/",
    "collections_app": "collections/",
    "agreements": "agreements/",
    "analytics": "analytics/",
    "imports": "imports/",
    "messaging": "messaging/",
    "portal": "portal/",
}
# Published before the prefixes: links in e-mails already sent, providers' webhook settings.
PUBLIC = {
    "messaging:unsubscribe",
    "messaging:twilio-status",
    "messaging:twilio-inbound",
    "messaging:sandbox-webhook",
    "messaging:certified-sandbox-webhook",
}

# (old path, where it lives now)
BOOKMARKS = [
    ("/workspace/", ("collections:queue", ())),
    ("/workspace/next/", ("collections:next", ())),
    ("/workspace/tasks/", ("collections:tasks", ())),
    ("/workspace/assign/", ("collections:assign", ())),
    ("/workspace/approvals/", ("collections:approvals", ())),
    ("/policies/", ("collections:policy-list", ())),
    ("/policies/new/", ("collections:policy-new", ())),
    ("/policies/7/", ("collections:policy-edit", (7,))),
    ("/cycle/", ("collections:cycle", ())),
    ("/debts/7/agreements/new/", ("agreements:new", (7,))),
    ("/dashboard/", ("analytics:dashboard", ())),
    ("/segments/", ("analytics:segment-list", ())),
    ("/segments/new/", ("analytics:segment-new", ())),
    ("/segments/7/", ("analytics:segment-edit", (7,))),
    ("/outbox/", ("messaging:outbox", ())),
    ("/outbox/tomorrow/", ("messaging:tomorrow", ())),
    ("/outbox/calls/", ("messaging:call-list", ())),
    ("/templates/", ("messaging:template-list", ())),
    ("/templates/7/", ("messaging:template-edit", (7,))),
]


def _patterns(resolver=None, prefix="", namespace=""):
    """(full route, view name, the view's module) of every URL pattern, depth first."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _patterns(entry, route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield route, name, getattr(entry.callback, "__module__", "")


@pytest.mark.parametrize(("old", "new"), BOOKMARKS, ids=[old for old, _ in BOOKMARKS])
def test_an_old_bookmark_redirects_permanently_to_the_new_page(client, old, new):
    # given a page bookmarked before the apps took their prefixes, with its filters
    name, args = new
    # when it is opened
    response = client.get(old, {"stage": "firm_notice", "page": "2"})
    # then the browser is sent, for good, to the same page at its new path, filters kept
    assert response.status_code == 301
    assert response["Location"] == f"{reverse(name, args=args)}?stage=firm_notice&page=2"
    assert not response["Location"].startswith(old)


def test_every_html_page_of_an_app_is_under_the_app_prefix():
    seen = dict.fromkeys(PREFIXES, 0)
    misplaced = []
    for route, name, module in _patterns():
        app = module.split(".")[0]
        if app not in PREFIXES or route.startswith("api/") or name in PUBLIC:
            continue
        if (name or "").startswith("anymail:"):
            continue  # the e-mail provider's webhooks, at the paths anymail publishes
        seen[app] += 1
        if not route.startswith(PREFIXES[app]):
            misplaced.append(f"{name or module}: /{route}")
    assert misplaced == []
    assert all(seen.values()), seen  # each app's pages were found


def test_the_public_messaging_endpoints_keep_their_published_paths():
    assert reverse("messaging:unsubscribe", args=["tok"]) == "/unsubscribe/tok/"
    assert reverse("messaging:twilio-status") == "/webhooks/twilio/status/"
    assert reverse("messaging:twilio-inbound") == "/webhooks/twilio/inbound/"
    assert reverse("messaging:sandbox-webhook") == "/webhooks/sandbox/"
    assert reverse("messaging:certified-sandbox-webhook") == "/webhooks/certified/sandbox/"
    # the e-mail provider's webhooks: anymail's own paths (docs/email.md)
    assert reverse("anymail:postmark_tracking_webhook") == "/anymail/postmark/tracking/"
    assert reverse("anymail:mailgun_tracking_webhook") == "/anymail/mailgun/tracking/"
    assert reverse("anymail:sendgrid_inbound_webhook") == "/anymail/sendgrid/inbound/"


def test_the_root_leads_a_visitor_to_the_login_page(client):
    # Signed-in users go on to their role's start page (tests/core/test_start_pages.py).
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"
