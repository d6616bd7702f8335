"""The Linux bonding driver's rules: modes, which option applies in which mode, values.

One table, read by everything: the launch and the port-group API validate against it, the
API serves it read-only at ``/api/bonding/modes/`` and the dashboard builds its bonding form
from that. Facts are the kernel's (``Documentation/networking/bonding.rst`` and the option
table in ``bond_options.c``): an option outside its modes is refused by the driver ("mode
dependency failed"), so it is an error here too, not something silently dropped.

Modes are names only: Ironic's network-data schema and netplan refuse the numbers 0 to 6.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import netaddr

from multinic_api.exceptions import InvalidInput

DEFAULT_MODE = "active-backup"  # Ironic's [DEFAULT]default_portgroup_mode
# For bonds made at launch: glean writes bond-miimon 0 when it is missing, which leaves a
# Debian guest's bond without link monitoring, so failover would never happen.
DEFAULT_PROPERTIES = {"miimon": 100}
INT_MAX = 2**31 - 1  # the kernel keeps these intervals in an int

LACP = "lacp"
STATIC = "static"
NONE = "none"

SWITCH_HELP = {
    LACP: "The switch ports must form an LACP (802.3ad) aggregation, e.g. a port-channel in "
          "mode active.",
    STATIC: "The switch ports must form a static port channel (EtherChannel or trunk group) "
            "without LACP.",
    NONE: "Needs nothing from the switch.",
}


@dataclass(frozen=True)
class Mode:
    name: str
    summary: str
    switch: str  # LACP, STATIC or NONE

    @property
    def switch_help(self) -> str:
        return SWITCH_HELP[self.switch]


MODES: tuple[Mode, ...] = (
    Mode("balance-rr", "Round-robin over the ports: load balancing and fault tolerance.",
         STATIC),
    Mode("active-backup", "One port is active, another takes over when it fails: fault "
         "tolerance.", NONE),
    Mode("balance-xor", "Each flow stays on one port chosen by the transmit hash: load "
         "balancing and fault tolerance.", STATIC),
    Mode("broadcast", "Every frame on every port: fault tolerance.", STATIC),
    Mode("802.3ad", "IEEE 802.3ad dynamic link aggregation (LACP): ports of the same speed "
         "and duplex share the load.", LACP),
    Mode("balance-tlb", "Adaptive transmit load balancing; receives on the current port.",
         NONE),
    Mode("balance-alb", "Adaptive load balancing of transmit and (IPv4) receive traffic.",
         NONE),
)
MODE_NAMES = tuple(mode.name for mode in MODES)
_MODES = {mode.name: mode for mode in MODES}

ALL = frozenset(MODE_NAMES)
ARP_MODES = frozenset({"balance-rr", "active-backup", "balance-xor", "broadcast"})

INTEGER = "integer"
CHOICE = "choice"
MEMBER = "member"
IPV4_LIST = "ipv4_list"


@dataclass(frozen=True)
class Option:
    name: str
    kind: str  # INTEGER, CHOICE, MEMBER or IPV4_LIST
    modes: frozenset[str]
    help: str
    choices: tuple[str, ...] = ()
    default: Any = None
    unit: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    requires: tuple[str, ...] = field(default=())


OPTIONS: tuple[Option, ...] = (
    Option("miimon", INTEGER, ALL, "MII link monitoring interval; 0 turns link monitoring "
           "off. 100 is a good starting point.", default=100, unit="ms", minimum=0,
           maximum=INT_MAX),
    Option("updelay", INTEGER, ALL, "Wait this long before using a port whose link came up; "
           "a multiple of miimon.", unit="ms", minimum=0, maximum=INT_MAX,
           requires=("miimon",)),
    Option("downdelay", INTEGER, ALL, "Wait this long before giving up a port whose link "
           "went down; a multiple of miimon.", unit="ms", minimum=0, maximum=INT_MAX,
           requires=("miimon",)),
    Option("xmit_hash_policy", CHOICE, frozenset({"balance-xor", "802.3ad", "balance-tlb"}),
           "How a flow picks its port: layer2 (default) and layer2+3 are 802.3ad-compliant; "
           "layer3+4 spreads better but is not fully compliant.",
           choices=("layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4", "vlan+srcmac")),
    Option("lacp_rate", CHOICE, frozenset({"802.3ad"}), "How often the partner sends LACPDUs: "
           "slow every 30 s (default), fast every second.", choices=("slow", "fast")),
    Option("ad_select", CHOICE, frozenset({"802.3ad"}), "Which aggregator becomes active: "
           "stable (default), bandwidth or count.", choices=("stable", "bandwidth", "count")),
    Option("primary", MEMBER, frozenset({"active-backup", "balance-tlb", "balance-alb"}),
           "The member port to prefer while its link is up (a member's UUID or MAC)."),
    Option("arp_interval", INTEGER, ARP_MODES, "ARP link monitoring interval; use instead of "
           "miimon, with arp_ip_target.", unit="ms", minimum=0, maximum=INT_MAX,
           requires=("arp_ip_target",)),
    Option("arp_ip_target", IPV4_LIST, ARP_MODES, "IPv4 addresses (1 to 16) to probe with "
           "ARP when arp_interval is on.", requires=("arp_interval",)),
)
_OPTIONS = {option.name: option for option in OPTIONS}
_ARP_TARGETS_MAX = 16


@dataclass(frozen=True)
class Member:
    """A bond member as the rules see it: its port UUID and MAC."""

    id: str
    mac: str


@dataclass(frozen=True)
class Bond:
    """A checked bond: the mode, options with canonical values, and what to tell the user."""

    mode: str
    properties: dict[str, Any]
    warnings: tuple[str, ...] = ()


def modes_for(option: Option) -> list[str]:
    """The option's modes in table order."""
    return [name for name in MODE_NAMES if name in option.modes]


def options_for(mode: str) -> list[Option]:
    return [option for option in OPTIONS if mode in option.modes]


def check_mode(mode: Any) -> str:
    if not isinstance(mode, str) or mode not in _MODES:
        raise InvalidInput(
            f"Bonding mode {mode!r} is not one of {', '.join(MODE_NAMES)} "
            "(names, not the kernel's numbers)"
        )
    return mode


def check_bond(mode: Any, properties: Mapping[str, Any] | None,
               members: Sequence[Member]) -> Bond:
    """Check a bond against the driver's rules; return it with canonical option values.

    Errors (400) name the option and the mode. Warnings are what works but is likely not
    what was meant: a single member, delays that the kernel rounds down to a multiple of
    miimon, and a ``primary`` that the guest can only learn from the member order.
    """
    mode = check_mode(mode)
    if properties is None:
        properties = {}
    if not isinstance(properties, Mapping):
        raise InvalidInput("Bonding options must be an object of option names and values")
    unknown = [name for name in properties if name not in _OPTIONS]
    if unknown:
        raise InvalidInput(
            f"Unknown bonding option '{unknown[0]}'; options are {', '.join(_OPTIONS)}")
    # In the table's order, not the caller's: stored options come back from PostgreSQL's
    # jsonb in its own key order, and the same bond must get the same answer on every
    # database (the first option refused, the order of the canonical values).
    values: dict[str, Any] = {}
    for option in OPTIONS:
        if option.name not in properties:
            continue
        if mode not in option.modes:
            raise InvalidInput(
                f"Bonding option '{option.name}' is not allowed in mode '{mode}': it applies "
                f"only to {', '.join(modes_for(option))}")
        values[option.name] = _value(option, properties[option.name], mode, members)
    _check_combinations(mode, values)
    return Bond(mode=mode, properties=values, warnings=tuple(_warnings(mode, values, members)))


def _value(option: Option, raw: Any, mode: str, members: Sequence[Member]) -> Any:
    where = f"Bonding option '{option.name}' (mode '{mode}')"
    if option.kind == INTEGER:
        number = _integer(raw)
        if number is None or not option.minimum <= number <= option.maximum:
            raise InvalidInput(f"{where} must be a whole number of {option.unit} from "
                               f"{option.minimum} to {option.maximum}, not {raw!r}")
        return number
    if option.kind == CHOICE:
        if raw not in option.choices:
            raise InvalidInput(f"{where} must be one of {', '.join(option.choices)}, "
                               f"not {raw!r}")
        return raw
    if option.kind == MEMBER:
        return _member(raw, members, where)
    return _arp_targets(raw, where)


def _integer(raw: Any) -> int | None:
    # Form fields send "100"; JSON sends 100. Booleans are not numbers here.
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit() and raw.strip().isascii():
        return int(raw.strip())
    return None


def _member(raw: Any, members: Sequence[Member], where: str) -> str:
    """The member port named by UUID or MAC (any notation), as its UUID."""
    text = str(raw).strip().lower() if isinstance(raw, str) else None
    mac = None
    if text:
        try:
            mac = str(netaddr.EUI(text, dialect=netaddr.mac_unix_expanded))
        except (netaddr.AddrFormatError, TypeError, ValueError):
            mac = None
    for member in members:
        if text == str(member.id).lower() or (mac is not None and mac == member.mac):
            return str(member.id)
    names = ", ".join(f"{m.id} ({m.mac})" for m in members) or "none"
    raise InvalidInput(f"{where} must name a member of the bond by UUID or MAC, not {raw!r}; "
                       f"members: {names}")


def _arp_targets(raw: Any, where: str) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not 1 <= len(items) <= _ARP_TARGETS_MAX:
        raise InvalidInput(f"{where} must be 1 to {_ARP_TARGETS_MAX} IPv4 addresses")
    targets = []
    for item in items:
        try:
            address = netaddr.IPAddress(str(item).strip(), 4, flags=netaddr.INET_PTON)
        except (netaddr.AddrFormatError, TypeError, ValueError):
            raise InvalidInput(f"{where}: {item!r} is not an IPv4 address") from None
        targets.append(str(address))
    return targets


def _check_combinations(mode: str, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        # A zero interval or delay is "off" and needs nothing; arp_ip_target always does.
        if value == 0:
            continue
        for needed in _OPTIONS[name].requires:
            if not values.get(needed):
                wanted = "above 0" if _OPTIONS[needed].kind == INTEGER else "as well"
                raise InvalidInput(
                    f"Bonding option '{name}' (mode '{mode}') needs '{needed}' set {wanted}")
    if values.get("arp_interval") and values.get("miimon"):
        raise InvalidInput(
            f"Bonding options 'arp_interval' and 'miimon' (mode '{mode}') are two link "
            "monitors; use one of them (set the other to 0 or leave it out)")


def _warnings(mode: str, values: Mapping[str, Any], members: Sequence[Member]) -> list[str]:
    warnings = []
    if len(members) == 1:
        warnings.append(f"The bond (mode '{mode}') has one member port: it works, but gives "
                        "neither load sharing nor failover; add a second port")
    miimon = values.get("miimon")
    for name in ("updelay", "downdelay"):
        delay = values.get(name)
        if delay and miimon and delay % miimon:
            warnings.append(f"Bonding option '{name}' {delay} ms is not a multiple of miimon "
                            f"{miimon} ms; the kernel rounds it down to "
                            f"{delay // miimon * miimon} ms")
    if values.get("arp_ip_target"):
        warnings.append("Bonding option 'arp_ip_target': cloud-init's netplan renderer writes "
                        "it as 'arp-ip-target', a key netplan refuses, so guests configured "
                        "through netplan (Ubuntu) will not bring this bond up; miimon works "
                        "everywhere")
    if values.get("primary"):
        warnings.append("Bonding option 'primary': network_data.json cannot name the guest's "
                        "interfaces, so the primary port is listed first in bond_links; guests "
                        "enslave it first and start on it, but do not fail back to it")
    return warnings


def describe() -> list[dict[str, Any]]:
    """The table as data, for ``/api/bonding/modes/`` and the dashboard."""
    return [
        {
            "name": mode.name,
            "summary": mode.summary,
            "switch": mode.switch,
            "switch_help": mode.switch_help,
            "default": mode.name == DEFAULT_MODE,
            "options": [_describe_option(option) for option in options_for(mode.name)],
        }
        for mode in MODES
    ]


def _describe_option(option: Option) -> dict[str, Any]:
    return {
        "name": option.name,
        "kind": option.kind,
        "help": option.help,
        "choices": list(option.choices),
        "default": option.default,
        "unit": option.unit,
        "minimum": option.minimum,
        "maximum": option.maximum,
        "requires": list(option.requires),
    }
