"""Horizon's marker pagination ("Next »" / "« Prev" links carrying a row id).

Keyset, not offset: a page after a marker is the rows that sort after the marker row, so the
cost of a page does not grow with how far in it is, and rows added meanwhile do not shift it.
``APIMarkerPaginationMixin`` pages a list of the API, which takes the marker itself
(``marker``, ``page_reverse``, as Neutron's API does).
"""

from collections.abc import Callable

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
