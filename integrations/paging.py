"""Pages of a record list that cost the same deep in the list as on its first page."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination


def page_rows(rows: Any, bottom: int, top: int) -> Any:
    """Rows ``bottom`` to ``top`` of ``rows``: for a queryset, the page's keys are found first
    (the order walked on the key and the columns it sorts by only), then only those rows are
    read, with whatever they show that costs a query of its own (a total of their lines)."""
    if not isinstance(rows, QuerySet) or rows.query.is_sliced or rows.query.distinct:
        return rows[bottom:top]
    return rows.filter(pk__in=rows.values("pk")[bottom:top])


class KeyedPaginator(Paginator):
    """Django's paginator, cutting each page by its keys (:func:`page_rows`)."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(page_rows(self.object_list, bottom, top), number, self)


class KeyedPagination(PageNumberPagination):
    """The API's page numbers (``?page=``), cut by keys (:class:`KeyedPaginator`)."""

    django_paginator_class = KeyedPaginator
