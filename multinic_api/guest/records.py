"""Plain records the renderers take: no ORM objects, so renderers test without a database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SubnetRecord:
    id: str
    cidr: str
    ip_version: int
    gateway_ip: str | None = None
    enable_dhcp: bool = False
    dhcp_server: str | None = None
    dns_nameservers: Sequence[str] = ()
    host_routes: Sequence[Mapping[str, str]] = ()  # [{"destination": cidr, "nexthop": ip}]
    ipv6_address_mode: str | None = None


@dataclass(frozen=True)
class NetworkRecord:
    id: str
    name: str
    project_id: str
    mtu: int | None = None
    physical_network: str | None = None


@dataclass(frozen=True)
class VifRecord:
    """One VIF in NIC order, with the subnets it has addresses on (in allocation order)."""

    id: str
    mac: str
    network: NetworkRecord
    fixed_ips: Sequence[tuple[SubnetRecord, str]] = ()
    vif_type: str = "bridge"
    vnic_type: str = "normal"
    tag: str | None = None
    binding_host: str | None = None
    binding_profile: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PortRecord:
    """A physical port of a bare-metal node (Ironic's port)."""

    id: str
    mac: str


@dataclass(frozen=True)
class PortGroupRecord:
    """A bond of ports (Ironic's port group) with the mode and options it runs with.

    ``properties`` are bonding options by their kernel names (``miimon``,
    ``xmit_hash_policy``, ...); values keep their JSON types.
    """

    id: str
    mode: str
    ports: Sequence[PortRecord]
    mac: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)


#: What carries a VIF on bare metal, by VIF id: a single port or a port group.
Carrier = PortRecord | PortGroupRecord


@dataclass(frozen=True)
class KeyRecord:
    name: str
    data: str
    type: str = "ssh"


@dataclass(frozen=True)
class InstanceRecord:
    uuid: str
    name: str
    hostname: str
    project_id: str
    availability_zone: str = "nova"
    launch_index: int = 0
    #: Shared by the instances of one launch request (Nova's); empty: one of its own.
    reservation_id: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)
    key: KeyRecord | None = None
    user_data: bytes | None = None
    image_ref: str = ""
    flavor_name: str = ""
