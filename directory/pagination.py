from django.core.paginator import InvalidPage, Page
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 100


class StrictPageNumberPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (1–100); a bad value is an error that says what is allowed,
    never a silent fallback."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_schema_operation_parameters(self, view) -> list[dict]:
        """The limits below, declared: `page` from 1, `page_size` from 1 to 100."""
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": MAX_PAGE_SIZE},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] |= bounds.get(parameter["name"], {})
        return parameters

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {MAX_PAGE_SIZE}."]}
            )
        return int(raw)

    def get_page_param(self, request) -> str:
        """The `page` parameter as given, once it is a whole number, 1 or more."""
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({"page": ["Must be a whole number, 1 or more."]})
        return raw

    def paginate_queryset(self, queryset, request, view=None):
        raw = self.get_page_param(request)
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            last = self.django_paginator_class(queryset, self.get_page_size(request)).num_pages
            raise NotFound(f"Page {raw} does not exist; pages run from 1 to {last}.") from None


class CountWhenFullPagination(StrictPageNumberPagination):
    """StrictPageNumberPagination that reads the page first and counts only when it must.

    It asks for one row more than the page holds: when that row is missing, this page holds
    the last rows, so the count is the offset plus the rows read and the COUNT query (as
    costly as the page itself: it repeats every filter) is skipped. A full page, or an empty
    page past the first, is counted as before.
    """

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        raw = self.get_page_param(request)
        number = int(raw)
        offset = (number - 1) * page_size
        # Past any table (SQL offsets are 64-bit integers): nothing to read, only to count.
        rows = list(queryset[offset : offset + page_size + 1]) if offset < 2**62 else []
        paginator = self.django_paginator_class(queryset, page_size)
        if len(rows) <= page_size and (rows or number == 1):
            paginator.count = offset + len(rows)  # a cached_property: no COUNT query
        try:
            paginator.validate_number(number)
        except InvalidPage:
            raise NotFound(
                f"Page {raw} does not exist; pages run from 1 to {paginator.num_pages}."
            ) from None
        self.page = Page(rows[:page_size], number, paginator)
        self.request = request
        return self.page.object_list
