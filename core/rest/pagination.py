from rest_framework.pagination import CursorPagination, PageNumberPagination


class PagePagination(PageNumberPagination):
    """Numbered pages for the short lists (catalogue, participants, referrals, trainings)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class NewestFirstCursorPagination(CursorPagination):
    """A cursor (no COUNT, no deep OFFSET) for the encounter list, which grows by millions."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("-occurred_at", "-id")
