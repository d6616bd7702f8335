"""Marker paging of a list endpoint, as OpenStack's APIs page (Neutron's ``marker``,
``limit`` and ``page_reverse``): the page after (or, reversed, before) a given row.

Keyset, not offset: the rows after a marker are those that sort after the marker row, so a
page costs the same however far into the list it is, and rows added or removed meanwhile do
not shift the pages a client is walking. ``limit`` is the ordinary paging parameter, and the
answer keeps its usual shape (``count`` then counts the rows beyond the marker).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

PARAMETERS = [
    OpenApiParameter(
        "marker", OpenApiTypes.STR,
        description="the id of a row of this list: answer the rows after it (with "
                    "page_reverse, before it) in the list's order"),
    OpenApiParameter(
        "page_reverse", OpenApiTypes.BOOL, default=False,
        description="with marker: the `limit` rows just before the marker, still in the "
                    "list's order"),
]


def beyond(order: tuple[tuple[str, bool], ...], row, forward: bool) -> Q:
    """Rows strictly after (``forward``) or before ``row`` in the lexicographic ``order``
    (``(field, descending)`` pairs; the last field must be unique)."""
    condition, equal = Q(), {}
    for name, descending in order:
        value = getattr(row, name)
        op = "lt" if descending == forward else "gt"
        condition |= Q(**equal, **{f"{name}__{op}": value})
        equal[name] = value
    return condition


class KeysetMixin:
    """For a list viewset: ``keyset_order`` is the list's order (``(field, descending)``
    pairs, unique as a whole); the marker is a row's ``lookup_field``. The marker row is found
    among the rows the caller may see (not only those the filters keep), so a page still
    follows on when the filters change; an unknown marker is a 400."""

    keyset_order: tuple[tuple[str, bool], ...]

    def _page_reverse(self) -> bool:
        raw = self.request.query_params.get("page_reverse", "false")
        if raw not in ("true", "false"):
            raise ValidationError({"page_reverse": ["page_reverse is true or false."]})
        return raw == "true"

    def _ordering(self, reverse: bool) -> list[str]:
        return [f"-{name}" if descending != reverse else name
                for name, descending in self.keyset_order]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if self.action != "list":
            return queryset
        reverse = self._page_reverse()
        marker = self.request.query_params.get("marker")
        if marker:
            try:
                row = self.get_queryset().filter(**{self.lookup_field: marker}).first()
            except (ValueError, DjangoValidationError):  # not an id at all
                row = None
            if row is None:
                raise ValidationError({"marker": [f"No row {marker} in this list."]})
            queryset = queryset.filter(beyond(self.keyset_order, row, forward=not reverse))
        return queryset.order_by(*self._ordering(reverse))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and self._page_reverse():
            page = list(reversed(page))  # fetched backwards from the marker; answered in order
        return page
