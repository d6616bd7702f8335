"""Request bodies from clients, read once for every face (/api/, /compute/, /identity/,
/image/, /networking/) and, for JSON, for the dashboard's JSON fields too: a body no request
needs is refused before anything else sees it, and each face's exception handler answers in
its own format.

Django refuses a body beyond ``DATA_UPLOAD_MAX_MEMORY_SIZE``, or a form with too many fields,
with exceptions DRF does not know (RequestDataTooBig is a SuspiciousOperation): they left
the view and became Django's HTML 400 page, on APIs that speak JSON. ``as_api_exception``
makes them DRF's, so each face answers them as it answers any other refusal.

Python's ``json`` takes two kinds of document that the code after it cannot handle:

- Deep nesting. The C decoder stops near Python's recursion limit with a RecursionError (not
  a ValueError, so DRF's parser let it through: a 500 as HTML). One a little shallower, say
  500 levels, parses, and then every recursive step after it fails the same way: the NUL
  check, saving a JSON field, rendering the answer. So the parsed document is held to
  ``MAX_DEPTH`` levels, far beyond any request here (an Identity auth body is 6), and the
  decoder's own RecursionError reads the same. (Measured: the decoder gives up on 100,000
  open brackets in a fraction of a millisecond, so nothing needs counting before it.)
- Lone surrogates. ``"\\ud800"`` decodes to a string no UTF-8 can encode, so PostgreSQL's
  and SQLite's drivers, the token digest and the JSON renderer each failed on it, in whatever
  field it came. JSON text is Unicode characters (RFC 8259 section 8.2); a surrogate escape
  is only half of a pair. A pair decodes to one character and is welcome.

(The dashboard's panels, clients of this API, read their JSON with multinic_dashboard's
``jsoninput``, which holds documents to the same depth and leaves the rest to this.)
"""

import json
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from rest_framework import parsers
from rest_framework.exceptions import APIException, ParseError

MAX_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")
_TOO_DEEP = f"the document is nested more than {MAX_DEPTH} levels deep"


class JSONDocumentError(ValueError):
    """A JSON document that no request here may send."""


def _strict_constant(name: str) -> None:
    # NaN and Infinity are Python's extension, not JSON (DRF's STRICT_JSON refuses them too).
    raise JSONDocumentError(f"{name} is not a JSON value")


def problem(value: Any) -> str | None:
    """What makes a decoded document unfit, or None: nesting beyond ``MAX_DEPTH`` or a lone
    surrogate in a string or key. Walked level by level (never recursively, so any depth is
    safe): measured on 2.5 MB documents (Django's default body limit) of numbers, strings or
    small lists, 0.1 to 0.25 s, about what decoding them takes."""
    level, depth = [value], 0
    while level:
        if any(type(item) is str and _SURROGATE.search(item) for item in level):
            return _lone_surrogate(value)
        containers = [item for item in level if type(item) is dict or type(item) is list]
        if not containers:
            return None
        depth += 1
        if depth > MAX_DEPTH:
            return _TOO_DEEP
        if any(_SURROGATE.search(key) for item in containers if type(item) is dict
               for key in item):
            return _lone_surrogate(value)
        level = [child for item in containers
                 for child in (item.values() if type(item) is dict else item)]
    return None


def _lone_surrogate(document: Any) -> str:
    """The message for the first lone surrogate in ``document``, saying where it is (``a key
    of server/metadata``, ``auth/identity/password/user/name``)."""
    stack: list[tuple[Any, list[str]]] = [(document, [])]
    while stack:
        item, path = stack.pop()
        where = "/".join(path) or "the document"
        if type(item) is str and _SURROGATE.search(item):
            break
        if type(item) is dict:
            bad_key = next((key for key in item if _SURROGATE.search(key)), None)
            if bad_key is not None:
                item, where = bad_key, f"a key of {where}"
                break
            stack.extend((child, [*path, key]) for key, child in reversed(item.items()))
        elif type(item) is list:
            stack.extend((child, [*path, str(index)])
                         for index, child in reversed(list(enumerate(item))))
    code = ord(_SURROGATE.search(item).group())
    return (f"{where} holds a lone surrogate (\\u{code:04x}): JSON text must be Unicode "
            "characters, and a \\ud800-\\udfff escape is only valid as half of a pair")


def loads(text: str | bytes) -> Any:
    """The document in ``text``. A ValueError if there is none: json's JSONDecodeError (with
    its line and column) for text that is not JSON, JSONDocumentError for JSON refused."""
    try:
        value = json.loads(text, parse_constant=_strict_constant)
    except RecursionError:
        raise JSONDocumentError(_TOO_DEEP) from None
    reason = problem(value)
    if reason is not None:
        raise JSONDocumentError(reason)
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (the site's default, and every face's), refusing what ``loads``
    refuses with DRF's ParseError: each face's exception handler makes that its own 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - {_TOO_DEEP}") from None
        reason = problem(data)
        if reason is not None:
            raise ParseError(f"JSON parse error - {reason}")
        return data


class RequestTooLarge(APIException):
    status_code = 413
    default_code = "request_too_large"


def as_api_exception(exc: Exception) -> Exception:
    """Django's refusal of a request body as DRF's exception; any other exception as is."""
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge(f"The request body is larger than the "
                               f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes this service "
                               "accepts.")
    if isinstance(exc, TooManyFieldsSent):
        return ParseError(f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} "
                          "form fields.")
    if isinstance(exc, TooManyFilesSent):
        return ParseError(f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} "
                          "files.")
    return exc
