"""JSON the dashboard reads from the browser and passes on to the API: the launch wizard's
hidden ``nics`` and ``carriers`` fields, its preview's body, a port group's options typed as
JSON.

``json.loads`` raises RecursionError, not ValueError, on a document nested past Python's
recursion limit (``'[' * 100000``): a 500. One a little shallower parses, and then encoding it
for the API fails the same way. So a document is held to the API's own nesting limit
(``multinic_api.parsers.MAX_DEPTH``, which the panels, clients of the API, do not import);
everything else about its content is the API's to judge, and its refusal is shown.
"""

import json
from typing import Any

MAX_DEPTH = 32


class JSONInputError(ValueError):
    """A JSON document nested deeper than the API accepts."""


def loads(text: str | bytes) -> Any:
    """The document in ``text``; a ValueError if there is none or it is nested too deep."""
    too_deep = JSONInputError(f"the document is nested more than {MAX_DEPTH} levels deep")
    try:
        value = json.loads(text)
    except RecursionError:
        raise too_deep from None
    # Walked with a list of its own (a recursive walk would meet the same limit).
    level, containers = 0, [value]
    while containers:
        level += 1
        children = [child for item in containers if isinstance(item, dict | list)
                    for child in (item.values() if isinstance(item, dict) else item)]
        containers = [child for child in children if isinstance(child, dict | list)]
        if containers and level >= MAX_DEPTH:
            raise too_deep
    return value
