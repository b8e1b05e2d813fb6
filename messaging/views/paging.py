"""Pagination shared by messaging's list pages."""

from django.core.paginator import Paginator


def page_context(request, queryset, size=50):
    """One page of `queryset` plus the links and the query string to page with."""
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "query": query.urlencode(),
    }
