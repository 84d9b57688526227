"""Every list is paginated: page numbers by default, a cursor for exercise logs."""

from __future__ import annotations

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=2&page_size=20``; 50 a page unless asked, at most 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class LogCursorPagination(pagination.CursorPagination):
    """Logs keep arriving while a client pages through them: a cursor never repeats or skips
    a row. Newest first."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-pk")
