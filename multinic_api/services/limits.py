"""How much a client may store: every size limit, in one place.

Each limit is checked once, by the service that stores the value, so the REST API, the Nova
subset and the dashboard's wizard refuse the same value with the same message (a face that
checked a limit of its own let the others through: ``user_data`` was capped on ``/api/`` and
unlimited through Nova). The faces only document them (the REST API's schema reads these).

Nova's limits are the model: its API schema and quotas, named where each is defined.
"""

from collections.abc import Sized

from django.conf import settings

from multinic_api.exceptions import InvalidInput

#: Names and other short texts (an instance's name, hostname and availability zone; a
#: network's and a subnet's name), as Nova's ``parameter_types.name`` and Neutron's.
NAME = 255
#: A network's physical network (provider network) name, as the column holds it.
PHYSICAL_NETWORK = 64
#: What one subnet may list: allocation pools, DNS name servers and host routes.
ALLOCATION_POOLS = 64
DNS_NAMESERVERS = 16
HOST_ROUTES = 64
#: Member ports of one port group (bond): more than any real NIC bond (the Linux bonding
#: driver's own ceiling is far above; a switch's LACP group takes 8 to 16).
BOND_MEMBERS = 16
#: A NIC's device role tag, as Nova's ``parameter_types.tag``.
TAG = 60
#: Fixed IPs requested for one NIC: at most one per subnet is allowed, and a network with
#: more subnets than this is no real network.
FIXED_IPS_PER_NIC = 8
#: Instance metadata: Nova's ``metadata_items`` quota (128) and its schema's 255 characters
#: for a key (non-empty) and for a value.
METADATA_ITEMS = 128
METADATA_KEY = 255
METADATA_VALUE = 255
#: ``user_data``: Nova's schema caps the base64 text at 65535 characters (so at most 49,149
#: bytes of data). That, and not the decoded size, is the rule followed here: what Nova
#: takes is taken, what it refuses is refused, and the stored text fits the same column.
USER_DATA = 65535
#: An OpenSSH public key line. Nova sets none (a MEDIUMTEXT column); the longest real key, a
#: 16384-bit RSA key, is about 2,800 characters, and each launch copies the key.
PUBLIC_KEY = 16384
#: A key pair's name, as Nova's (microversion 2.92).
KEYPAIR_NAME = 255
#: The ``name`` filter of a server listing, a regular expression: at most as long as a name,
#: and compiled to at most this many RE2 instructions (``/^web-[0-9]+$/`` is 6), which also
#: bounds what PostgreSQL's engine compiles (measured: under 25 ms at this size, where a
#: pattern of 15,000 took a second).
NAME_FILTER = 255
NAME_FILTER_PROGRAM = 1000
#: Instances one launch request may make (Nova's ``max_count``, where quotas set the bound):
#: a thousand 4-NIC instances take about a second and a half, in one transaction that holds
#: its subnets' allocation locks throughout, so no launch waits behind a longer one.
INSTANCES_PER_LAUNCH = 1000


def max_nics() -> int:
    """The most NICs one launch may ask for, and one instance may hold after attaching more
    (``MULTINIC_MAX_NICS_PER_LAUNCH``)."""
    return settings.MULTINIC_MAX_NICS_PER_LAUNCH


def check_length(value: str | None, limit: int, what: str) -> None:
    """A 400 when the text ``value`` is longer than ``limit`` characters."""
    if value is not None and len(value) > limit:
        raise InvalidInput(f"{what} may be at most {limit} characters (it has {len(value)})")


def check_count(items: Sized, limit: int, what: str) -> None:
    """A 400 when ``items`` has more than ``limit`` entries."""
    if len(items) > limit:
        raise InvalidInput(f"At most {limit} {what} may be given (there are {len(items)})")
