"""Paging of the list endpoints: ``limit`` and ``offset``, checked.

DRF's ``LimitOffsetPagination`` ignores a malformed ``limit`` or ``offset`` (``offset=abc``
quietly becomes the first page, ``limit=-5`` the default size), so a client's typo gets an
answer to another question. Here either is a 400 that says what is allowed, and the schema
gives the bounds (schemathesis found the first and sends the second).
"""

import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1  # far beyond any real list


class CheckedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request):
        return self._integer(request, self.limit_query_param, 1, MAX_LIMIT, self.default_limit)

    def get_offset(self, request):
        return self._integer(request, self.offset_query_param, 0, MAX_OFFSET, 0)

    @staticmethod
    def _integer(request, name: str, minimum: int, maximum: int, default):
        raw = request.query_params.get(name)
        if raw is None:
            return default
        # ASCII digits only: int() would also take " 5", "+5", "5_0" and other scripts' digits.
        value = int(raw) if re.fullmatch(r"[0-9]{1,12}", raw) else None
        if value is None or not minimum <= value <= maximum:
            raise ValidationError(
                {name: [f"{name} must be an integer from {minimum} to {maximum}, not '{raw}'"]})
        return value

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.limit_query_param: (1, MAX_LIMIT), self.offset_query_param: (0, MAX_OFFSET)}
        for parameter in parameters:
            minimum, maximum = bounds[parameter["name"]]
            parameter["schema"] = {**parameter["schema"], "minimum": minimum, "maximum": maximum}
        return parameters
