"""The filtered, paged lists of the staff pages (experiments, bureau runs, complaints, inbox).

A list page reads its filters from the query string with a form; a filter that cannot be
applied lists nothing (and answers 400) rather than everything.
"""

from django.core.paginator import Paginator
from django.http import QueryDict

from core.http import query_without_blanks


def list_query(request) -> QueryDict:
    """The list's filters as the query string gives them (blanks and the page number left out)."""
    query = query_without_blanks(request.GET)
    query.pop("page", None)
    return query


def valid_filters(form) -> dict:
    """The form's cleaned filters; none when it is unbound or invalid."""
    return dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}


def list_page(request, *, form, queryset, query: QueryDict, size: int) -> dict:
    """The context of one page of a filtered list: form, page, rows, page links, query,
    whether filtered, and `invalid` (the status is 400 then, and nothing is listed)."""
    invalid = form.is_bound and not form.is_valid()
    if invalid:
        queryset = queryset.none()
    paginator = Paginator(queryset, size)
    page = paginator.get_page(request.GET.get("page"))
    return {
        "form": form,
        "page": page,
        "rows": list(page.object_list),
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": query.urlencode(),
        "is_filtered": bool(query),
        "invalid": invalid,
    }
