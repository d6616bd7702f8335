"""Compute API microversions: which one a request asked for, and the headers to answer with."""

import re

from multinic_api.exceptions import MultinicError

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 96)
# Nova's format (nova/api/openstack/api_version_request.py): no leading zeros, so "2.096" is
# not 2.96; ASCII digits (``\d`` is any script's, and int() reads "٩٦" as 96); ``\Z``, as
# "$" matches before a final newline.
_VERSION = re.compile(r"([1-9][0-9]*)\.([1-9][0-9]*|0)\Z")
# Longer numbers are beyond MAX_VERSION whatever their digits, and int() refuses text of more
# than 4,300 digits (a ValueError, which would be a 500): they are compared by length instead.
_DIGITS = 4


class VersionNotAcceptable(MultinicError):
    status_code = 406
    code = "not_acceptable"


def text(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def requested(headers) -> tuple[int, int]:
    """The microversion of a request: ``OpenStack-API-Version: compute X`` or the legacy
    ``X-OpenStack-Nova-API-Version: X``; 2.1 when neither is sent."""
    value = None
    for part in headers.get("OpenStack-API-Version", "").split(","):
        service, _, version = part.strip().partition(" ")
        if service.lower() == "compute" and version.strip():
            value = version.strip()
    value = value or headers.get("X-OpenStack-Nova-API-Version", "").strip() or None
    if value is None:
        return MIN_VERSION
    if value.lower() == "latest":
        return MAX_VERSION
    match = _VERSION.match(value)
    if not match:
        raise MultinicError(f"API version string {_shown(value)} format is not valid; use e.g. "
                            "2.1")
    if max(len(number) for number in match.groups()) > _DIGITS:
        version = None
    else:
        version = (int(match.group(1)), int(match.group(2)))
    if version is None or not MIN_VERSION <= version <= MAX_VERSION:
        raise VersionNotAcceptable(
            f"Version {_shown(value)} is not supported by the API. Minimum is "
            f"{text(MIN_VERSION)} and maximum is {text(MAX_VERSION)}."
        )
    return version


def _shown(value: str) -> str:
    """A client's version string as an error message quotes it: its start, if it is long."""
    return value if len(value) <= 20 else f"{value[:16]}..."
