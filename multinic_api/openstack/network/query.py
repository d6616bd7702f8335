"""What a Neutron list request asks for besides the collection: attribute filters (each
attribute may be given several times, any of the values matching), ``fields`` (only these
attributes), and pagination (``limit``, ``marker``, ``page_reverse``, answered with
``<collection>_links``), all read the way Neutron reads them.

Pages are cut by keyset over each collection's order, whose last key is the primary key, so
a page costs the same wherever it starts and a row created meanwhile neither repeats nor
skips one."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Model, Q, QuerySet

from multinic_api.exceptions import InvalidInput
from multinic_api.faces import absolute_url
from multinic_api.services import text

#: The most a page holds, whatever ``limit`` asks; a full page links to the next.
MAX_LIMIT = 1000

#: Not attributes: what pagination, sorting and selection read.
CONTROLS = frozenset({"fields", "limit", "marker", "page_reverse", "sort_key", "sort_dir"})

Filter = Callable[[list[str]], Q]

_TRUE = frozenset({"1", "t", "true", "on", "y", "yes"})
_FALSE = frozenset({"0", "f", "false", "off", "n", "no"})


def boolean(value: Any, what: str) -> bool:
    """A boolean as Neutron reads one (``oslo_utils.strutils.bool_from_string``, strict)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise InvalidInput(f"Invalid input for {what}. Reason: '{value!s:.80}' is not a valid "
                       "boolean value.")


def exactly(field: str) -> Filter:
    """The attribute equals one of the values."""
    return lambda values: Q(**{f"{field}__in": values})


def flag(field: str, what: str) -> Filter:
    return lambda values: Q(**{f"{field}__in": [boolean(v, what) for v in values]})


def constant(value: str) -> Filter:
    """An attribute every row has the same value of here (``status``, ``admin_state_up``)."""
    return lambda values: Q() if value in [v.lower() for v in values] else Q(pk__in=[])


def filtered(queryset: QuerySet, query, filters: dict[str, Filter]) -> QuerySet:
    """The rows matching every attribute filter of ``query``; Neutron's 400 for an
    attribute it cannot filter on."""
    for name in query:
        if name in CONTROLS:
            continue
        if name not in filters:
            raise InvalidInput(f"[{name:.80}] is invalid attribute for filtering")
        values = query.getlist(name)
        if any(text.has_nul(value) for value in values):  # PostgreSQL cannot compare it
            raise InvalidInput(f"Invalid input for {name:.80}: a NUL character")
        queryset = queryset.filter(filters[name](values))
    return queryset


def selected(item: dict, query) -> dict:
    """Only the attributes ``fields`` names, when it names any."""
    fields = [f for f in query.getlist("fields") if f]
    return {key: value for key, value in item.items() if key in fields} if fields else item


@dataclass
class Page:
    rows: list
    links: list[dict]


def _limit(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(f"Limit must be an integer 0 or greater and not '{value:.80}'")
    digits = text.lstrip("0")
    if not digits:
        return None  # Neutron: 0 is no limit
    return MAX_LIMIT if len(digits) > len(str(MAX_LIMIT)) else min(int(digits), MAX_LIMIT)


def _after(order: Sequence[str], anchor: Model, reverse: bool) -> Q:
    """Rows after ``anchor`` in ``order`` (before it, ``reverse``): keyset, every key
    non-null."""
    values = [_follow(anchor, field) for field in order]
    # A port attached to nothing has no place in a server's NIC order to start after.
    if any(value is None for value in values):
        raise InvalidInput(f"The marker {anchor.pk} is not a row of this list")
    beyond = "lt" if reverse else "gt"
    condition = Q(pk__in=[])
    for index, field in enumerate(order):
        equal = {order[i]: values[i] for i in range(index)}
        condition |= Q(**equal, **{f"{field}__{beyond}": values[index]})
    return condition


def _follow(row: Model, path: str) -> Any:
    for part in path.split("__"):
        row = getattr(row, part)
    return row


def paginated(request, queryset: QuerySet, order: Sequence[str], collection: str,
              find_marker: Callable[[str], Model]) -> Page:
    """One page of ``queryset`` in ``order`` and, when ``limit`` was given, Neutron's links
    to the pages on either side."""
    query = request.query_params
    limit = _limit(query.get("limit"))
    reverse = boolean(query.get("page_reverse", "false"), "page_reverse")
    marker = query.get("marker")
    if marker:
        queryset = queryset.filter(_after(order, find_marker(marker), reverse))
    ordering = [f"-{field}" if reverse else field for field in order]
    rows = list(queryset.order_by(*ordering)[:limit] if limit else queryset.order_by(*ordering))
    if reverse:
        rows.reverse()
    links = []
    if limit:
        full = len(rows) == limit
        if rows and (full or reverse):
            links.append(_link(request, "next", rows[-1].pk, limit, False))
        if rows and (marker and not reverse or reverse and full):
            links.append(_link(request, "previous", rows[0].pk, limit, True))
    return Page(rows, links)


def _link(request, rel: str, marker: Any, limit: int, reverse: bool) -> dict:
    query = request.query_params.copy()
    query["marker"], query["limit"] = str(marker), str(limit)
    query.pop("page_reverse", None)
    if reverse:
        query["page_reverse"] = "True"
    return {"rel": rel, "href": absolute_url(
        request, f"{request.path}?{urlencode(list(query.lists()), doseq=True)}")}


def values_of(values: Iterable[str], parse: Callable[[str], Any]) -> list:
    """The values that parse, dropping those that cannot name anything (a malformed id
    matches no row, as in Neutron)."""
    parsed = []
    for value in values:
        try:
            parsed.append(parse(value))
        except (ValueError, TypeError, InvalidInput):
            continue
    return parsed
