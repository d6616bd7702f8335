"""Bare Metal API microversions: which one a request asked for, Ironic's way.

A request names its version in ``X-OpenStack-Ironic-API-Version: 1.N`` or
``OpenStack-API-Version: baremetal 1.N`` (``latest`` is the newest); without either it is
the oldest, 1.1, as Ironic treats a client from before versioning. A version outside the
range is a 406, and every answer says the range in ``X-OpenStack-Ironic-API-Minimum-Version``
and ``-Maximum-Version``: python-ironicclient asks for its own newest version and, on that
406, retries with our maximum.

The maximum covers what the clients send for ports and bonds: port groups (1.23), their
sub-resources and ``portgroup_uuid`` (1.24), their ``mode`` and ``properties`` (1.26),
``physical_network`` (1.34) and a node's ``owner`` (1.50), the project whose users may launch
onto it. Smart NICs (1.53) and later fields are not modelled here.
"""

import re

from multinic_api.exceptions import MultinicError

Version = tuple[int, int]

MIN_VERSION: Version = (1, 1)
MAX_VERSION: Version = (1, 50)

# Ironic's own milestones that this face follows.
NODE_NAMES: Version = (1, 5)  # a node may be named, and found by its name
PORT_GROUPS: Version = (1, 23)  # /v1/portgroups
PORT_GROUP_LINKS: Version = (1, 24)  # nodes/{id}/portgroups, portgroups/{id}/ports, portgroup_uuid
BOND_MODES: Version = (1, 26)  # a port group's mode and properties
PHYSICAL_NETWORKS: Version = (1, 34)  # a port's physical_network
NODE_OWNERS: Version = (1, 50)  # a node's owner, the project whose users may launch onto it

HEADER = "X-OpenStack-Ironic-API-Version"
# ASCII digits only, no leading zeros (Ironic's parser), \Z as "$" allows a final newline.
_VERSION = re.compile(r"([1-9][0-9]*)\.([1-9][0-9]*|0)\Z")
# Longer numbers are out of range whatever their digits; int() refuses over 4,300 of them.
_DIGITS = 4


class VersionNotAcceptable(MultinicError):
    status_code = 406
    code = "not_acceptable"


def text(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def requested(headers) -> Version:
    """The request's version; a 400 for one that is not a version, a 406 for one out of
    range."""
    value = None
    for part in headers.get("OpenStack-API-Version", "").split(","):
        service, _, version = part.strip().partition(" ")
        if service.lower() == "baremetal" and version.strip():
            value = version.strip()
    value = value or headers.get(HEADER, "").strip() or None
    if value is None:
        return MIN_VERSION
    if value.lower() == "latest":
        return MAX_VERSION
    match = _VERSION.match(value)
    if not match:
        raise MultinicError(f"Invalid value for {HEADER} header: {_shown(value)}")
    major, minor = (int(n) if len(n) <= _DIGITS else 10 ** _DIGITS for n in match.groups())
    version = (major, minor)
    if major != MIN_VERSION[0]:
        raise VersionNotAcceptable(
            f"Mutually exclusive versions requested. Version {_shown(value)} requested but "
            f"not supported by this service. The supported version range is: "
            f"[{text(MIN_VERSION)}, {text(MAX_VERSION)}].")
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise VersionNotAcceptable(
            f"Version {_shown(value)} was requested but the minor version is not supported "
            f"by this service. The supported version range is: [{text(MIN_VERSION)}, "
            f"{text(MAX_VERSION)}].")
    return version


def range_headers() -> dict[str, str]:
    return {"X-OpenStack-Ironic-API-Minimum-Version": text(MIN_VERSION),
            "X-OpenStack-Ironic-API-Maximum-Version": text(MAX_VERSION)}


def _shown(value: str) -> str:
    """A client's version string as a message quotes it: its start, if it is long."""
    return value if len(value) <= 20 else f"{value[:16]}..."
