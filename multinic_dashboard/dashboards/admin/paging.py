"""Horizon's Prev/Next links over the API's ``limit``/``offset`` paging.

The API pages by offset, so the markers the links carry (``?marker=``, ``?prev_marker=``)
are the offsets of the pages they lead to, not row ids: a row id would have to be turned
back into a position, which the API does not offer.
"""

import re

from multinic_dashboard.api import multinic


class OffsetPagedTableMixin:
    """For a ``DataTable`` filled by ``OffsetPaginationMixin.paged``: the links' markers."""

    page: multinic.OffsetPage | None = None

    def get_marker(self) -> str:
        return str(self.page.next_offset) if self.page and self.page.next_offset else ""

    def get_prev_marker(self) -> str:
        if self.page is None or self.page.prev_offset is None:
            return ""
        return str(self.page.prev_offset)


class OffsetPaginationMixin:
    """For a ``DataTableView`` whose table has ``OffsetPagedTableMixin``."""

    page_size = 20

    def requested_offset(self) -> int:
        """The offset the link asked for; a malformed one is the first page."""
        meta = self.table_class._meta
        marker = (self.request.GET.get(meta.prev_pagination_param)
                  or self.request.GET.get(meta.pagination_param) or "")
        return int(marker) if re.fullmatch(r"[0-9]{1,9}", marker) else 0

    def paged(self, page: multinic.OffsetPage) -> list:
        self.get_table().page = page
        return page.items

    def _page(self):
        return getattr(self.get_table(), "page", None)

    def has_more_data(self, table) -> bool:
        page = self._page()
        return page is not None and page.next_offset is not None

    def has_prev_data(self, table) -> bool:
        page = self._page()
        return page is not None and page.prev_offset is not None
