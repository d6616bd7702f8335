"""Horizon's marker pagination ("Next »" / "« Prev" links carrying a row id).

Keyset, not offset: a page after a marker is the rows that sort after the marker row, so the
cost of a page does not grow with how far in it is, and rows added meanwhile do not shift it.
``APIMarkerPaginationMixin`` pages a list of the API, which takes the marker itself
(``marker``, ``page_reverse``, as Neutron's API does); ``KeysetPaginationMixin`` pages a
queryset, for the panels that still read the database (TRANSITIONAL: it goes when they do).
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from horizon import messages

from multinic_dashboard.api.multinic import APIError


class APIMarkerPaginationMixin:
    """For a ``DataTableView`` over a list of the API: ``paginate(fetch)`` returns one page
    and tells the table whether there is a next and a previous one. ``fetch(marker=,
    reverse=, limit=)`` answers ``(rows, more)`` as the client's ``*_page`` functions do; the
    table's ``get_object_id`` must give the ids the API takes as markers."""

    page_size = 20

    def paginate(self, fetch: Callable[..., tuple[list, bool]]) -> list:
        table = self.table_class
        marker = self.request.GET.get(table._meta.pagination_param)
        prev_marker = self.request.GET.get(table._meta.prev_pagination_param)
        try:
            if prev_marker:
                rows, self._prev = fetch(marker=prev_marker, reverse=True, limit=self.page_size)
                self._more = True
                return rows
            rows, self._more = fetch(marker=marker, reverse=False, limit=self.page_size)
            self._prev = bool(marker)
            return rows
        except APIError as error:
            if not (marker or prev_marker) or "marker" not in error.fields:
                raise
        # The marker's row is gone (deleted meanwhile) or was never one: back to page one.
        messages.info(self.request, _("That page is gone; showing the first one."))
        rows, self._more = fetch(marker=None, reverse=False, limit=self.page_size)
        self._prev = False
        return rows

    def has_more_data(self, table) -> bool:
        return getattr(self, "_more", False)

    def has_prev_data(self, table) -> bool:
        return getattr(self, "_prev", False)


def _beyond(order: tuple[tuple[str, bool], ...], row, forward: bool) -> Q:
    """Rows strictly after (``forward``) or before ``row`` in the lexicographic ``order``
    (``(field, descending)`` pairs; the last field must be unique)."""
    condition, equal = Q(), {}
    for name, descending in order:
        value = getattr(row, name)
        op = "lt" if descending == forward else "gt"
        condition |= Q(**equal, **{f"{name}__{op}": value})
        equal[name] = value
    return condition


class KeysetPaginationMixin:
    """For a ``DataTableView``: ``paginate(queryset)`` returns one page and tells the table
    whether there is a next and a previous one. The table's ``get_object_id`` must return
    the value of ``marker_field`` (the markers in the links are those ids)."""

    page_size = 20
    page_order: tuple[tuple[str, bool], ...] = (("pk", False),)
    marker_field = "pk"

    def paginate(self, queryset: QuerySet) -> list:
        table = self.table_class
        marker = self.request.GET.get(table._meta.pagination_param)
        prev_marker = self.request.GET.get(table._meta.prev_pagination_param)
        ordering = [f"-{name}" if desc else name for name, desc in self.page_order]
        reverse = [name if desc else f"-{name}" for name, desc in self.page_order]
        anchor = self._row(queryset, prev_marker or marker)
        if anchor is not None and prev_marker:
            rows = list(queryset.filter(_beyond(self.page_order, anchor, forward=False))
                        .order_by(*reverse)[: self.page_size + 1])
            self._prev, self._more = len(rows) > self.page_size, True
            return list(reversed(rows[: self.page_size]))
        if anchor is not None:
            queryset = queryset.filter(_beyond(self.page_order, anchor, forward=True))
        rows = list(queryset.order_by(*ordering)[: self.page_size + 1])
        self._more, self._prev = len(rows) > self.page_size, anchor is not None
        return rows[: self.page_size]

    def _row(self, queryset: QuerySet, marker: str | None):
        if not marker:
            return None
        try:
            return queryset.filter(**{self.marker_field: marker}).first()
        except (ValueError, ValidationError):  # a malformed marker: back to page one
            return None

    def has_more_data(self, table) -> bool:
        return getattr(self, "_more", False)

    def has_prev_data(self, table) -> bool:
        return getattr(self, "_prev", False)
