"""Compute API microversions: which one a request asked for, and the headers to answer with."""

import re

from multinic_api.exceptions import MultinicError

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 96)
_VERSION = re.compile(r"^(\d+)\.(\d+)$")


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
        raise MultinicError(f"API version string {value} format is not valid; use e.g. 2.1")
    version = (int(match.group(1)), int(match.group(2)))
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise VersionNotAcceptable(
            f"Version {value} is not supported by the API. Minimum is {text(MIN_VERSION)} and "
            f"maximum is {text(MAX_VERSION)}."
        )
    return version
