"""``network_info``: what compute hands the virt driver at spawn (SPEC 3).

Two renderings of the same VIFs:

- :func:`network_info`, Nova's network model (``nova/network/model.py``) as JSON: a list of
  VIF objects in NIC order, keys in Nova's order, every model object with its ``meta``;
- :func:`legacy_network_info`, the seed's ``[network, info]`` pairs (Diablo's
  ``get_instance_nw_info``), one per VIF.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import netaddr

from .records import NetworkRecord, SubnetRecord, VifRecord

#: Linux interface names are at most 15 bytes; Nova and Neutron cut device names to 14.
NIC_NAME_LEN = 14
#: The integration bridge OVS VIFs plug into (Neutron's ``ovs_bridge`` default).
OVS_BRIDGE = "br-int"


def devname(vif_id: str) -> str:
    """The host-side device name of a VIF: ``tap`` + its UUID, cut as Neutron does."""
    return ("tap" + vif_id)[:NIC_NAME_LEN]


def bridge_name(network_id: str) -> str:
    """The Linux bridge a network's VIFs plug into (Neutron's linuxbridge naming)."""
    return ("brq" + network_id)[:NIC_NAME_LEN]


def _ip(address: str | None, type_: str) -> dict[str, Any]:
    version = netaddr.IPAddress(address).version if address else None
    return {"address": address, "type": type_, "version": version, "meta": {}}


def _subnet(subnet: SubnetRecord, addresses: Sequence[str]) -> dict[str, Any]:
    meta: dict[str, Any] = {"enable_dhcp": bool(subnet.enable_dhcp)}
    if subnet.dhcp_server:
        meta["dhcp_server"] = subnet.dhcp_server
    if subnet.ipv6_address_mode:
        meta["ipv6_address_mode"] = subnet.ipv6_address_mode
    return {
        "cidr": subnet.cidr,
        "dns": [_ip(server, "dns") for server in subnet.dns_nameservers],
        "gateway": _ip(subnet.gateway_ip, "gateway"),
        "ips": [{**_ip(address, "fixed"), "floating_ips": []} for address in addresses],
        "routes": [
            {"cidr": route["destination"], "gateway": _ip(route["nexthop"], "gateway"),
             "interface": None, "meta": {}}
            for route in subnet.host_routes
        ],
        "version": subnet.ip_version,
        "meta": meta,
    }


def _network(network: NetworkRecord, subnets: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": network.id,
        "bridge": bridge_name(network.id),
        "label": network.name,
        "subnets": subnets,
        "meta": {
            "injected": False,
            "tenant_id": network.project_id,
            "mtu": network.mtu,
            "physical_network": network.physical_network,
            "tunneled": network.physical_network is None,
        },
    }


def _grouped_addresses(vif: VifRecord) -> list[tuple[SubnetRecord, list[str]]]:
    """The VIF's subnets in allocation order, each with its addresses on it."""
    grouped: dict[str, tuple[SubnetRecord, list[str]]] = {}
    for subnet, address in vif.fixed_ips:
        grouped.setdefault(subnet.id, (subnet, []))[1].append(address)
    return list(grouped.values())


def vif_model(vif: VifRecord) -> dict[str, Any]:
    """One VIF in Nova's model shape."""
    subnets = [_subnet(subnet, addresses) for subnet, addresses in _grouped_addresses(vif)]
    network = _network(vif.network, subnets)
    details: dict[str, Any] = {"port_filter": False, "connectivity": "l2"}
    if vif.vif_type == "bridge":
        details["bridge_name"] = network["bridge"]
    elif vif.vif_type == "ovs":
        details["bridge_name"] = OVS_BRIDGE
    return {
        "id": vif.id,
        "address": vif.mac,
        "network": network,
        "type": vif.vif_type,
        "details": details,
        "devname": devname(vif.id),
        "ovs_interfaceid": vif.id if vif.vif_type == "ovs" else None,
        "qbh_params": None,
        "qbg_params": None,
        "active": True,
        "vnic_type": vif.vnic_type,
        "profile": dict(vif.binding_profile),
        "preserve_on_delete": False,
        "delegate_create": False,
        "meta": {},
    }


def network_info(vifs: Sequence[VifRecord]) -> list[dict[str, Any]]:
    """``network_info`` for an instance: one Nova VIF model per VIF, in NIC order."""
    return [vif_model(vif) for vif in vifs]


def legacy_network_info(vifs: Sequence[VifRecord]) -> list[list[dict[str, Any]]]:
    """The seed's rendering: a ``[network, info]`` pair per VIF, as Diablo's network manager
    returned them to compute (``gateway6``, ``ips``/``ip6s`` with ``enabled: "1"``)."""
    pairs = []
    for vif in vifs:
        grouped = _grouped_addresses(vif)
        v4 = [(s, a) for s, a in grouped if s.ip_version == 4]
        v6 = [(s, a) for s, a in grouped if s.ip_version == 6]
        first_v4 = v4[0][0] if v4 else None
        first_v6 = v6[0][0] if v6 else None
        network = {
            "id": vif.network.id,
            "bridge": bridge_name(vif.network.id),
            "bridge_interface": None,
            "cidr": first_v4.cidr if first_v4 else None,
            "cidr_v6": first_v6.cidr if first_v6 else None,
            "injected": False,
            "multi_host": False,
            "vlan": None,
            "mtu": vif.network.mtu,
            "project_id": vif.network.project_id,
        }
        broadcast = None
        if first_v4 is not None and netaddr.IPNetwork(first_v4.cidr).prefixlen < 31:
            broadcast = str(netaddr.IPNetwork(first_v4.cidr).broadcast)
        dns: list[str] = []
        for subnet, _addresses in grouped:
            dns.extend(server for server in subnet.dns_nameservers if server not in dns)
        info: dict[str, Any] = {
            "label": vif.network.name,
            "gateway": first_v4.gateway_ip if first_v4 else None,
            "dhcp_server": first_v4.dhcp_server if first_v4 else None,
            "broadcast": broadcast,
            "mac": vif.mac,
            "vif_uuid": vif.id,
            "rxtx_cap": 0,
            "dns": dns,
            "ips": [
                {"ip": address, "netmask": str(netaddr.IPNetwork(subnet.cidr).netmask),
                 "enabled": "1"}
                for subnet, addresses in v4 for address in addresses
            ],
            "should_create_bridge": vif.vif_type == "bridge",
            "should_create_vlan": False,
        }
        if v6:
            info["ip6s"] = [
                {"ip": address, "netmask": str(netaddr.IPNetwork(subnet.cidr).prefixlen),
                 "enabled": "1"}
                for subnet, addresses in v6 for address in addresses
            ]
            info["gateway6"] = first_v6.gateway_ip
        pairs.append([network, info])
    return pairs
