"""``network_info``: what compute hands the virt driver at spawn.

Two renderings of the same VIFs:

- :func:`network_info`, Nova's network model (``nova/network/model.py``) as JSON: a list of
  VIF objects in NIC order, keys in Nova's order, every model object with its ``meta``;
- :func:`legacy_network_info`, nova-network's ``[network, info]`` pairs (Diablo's
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
#: Where Neutron's OVS agent has vhost-user sockets made (its ``vhostuser_socket_dir``
#: default, neutron-lib's ``VHOST_USER_SOCKET_DIR``).
VHOSTUSER_SOCKET_DIR = "/var/run/openvswitch"


def devname(vif_id: str) -> str:
    """The host-side device name of a VIF: ``tap`` + its UUID, cut as Neutron does.

    Nova's ``_build_vif_model`` writes this for every VIF type, vhost-user included (its
    ``vhu`` name is the socket's and the OVS port's: :func:`vhostuser_name`)."""
    return ("tap" + vif_id)[:NIC_NAME_LEN]


def vhostuser_name(vif_id: str) -> str:
    """A vhost-user VIF's socket and OVS port name: ``vhu`` + its UUID, cut to 14 (Neutron's
    ``agent_vhu_sockpath`` and Nova's ``os_vif_util._nova_to_osvif_vif_vhostuser``)."""
    return ("vhu" + vif_id)[:NIC_NAME_LEN]


def bridge_name(network_id: str) -> str:
    """The Linux bridge a network's VIFs plug into (Neutron's linuxbridge naming)."""
    return ("brq" + network_id)[:NIC_NAME_LEN]


def _network_bridge(network_id: str, vif_type: str) -> str | None:
    """``network.bridge`` as Nova's ``_nw_info_build_network`` sets it: the Linux bridge,
    the OVS integration bridge for OVS-plugged types, none for the rest (tap, bare metal)."""
    if vif_type == "bridge":
        return bridge_name(network_id)
    if vif_type in ("ovs", "vhostuser"):
        return OVS_BRIDGE
    return None


def vif_details(vif_id: str, vif_type: str) -> dict[str, Any]:
    """``binding:vif_details`` as Neutron's mechanism driver for the type writes them.

    ``port_filter`` says whether the backend applies security groups; nothing here does.
    OVS is Neutron's OVS agent on the kernel datapath without hybrid plugging (the
    openvswitch firewall's setup), so Nova has libvirt plug the port into ``br-int``;
    vhost-user is the same agent on OVS-DPDK, where OVS is the socket's client
    (``dpdkvhostuserclient``) and so QEMU its server."""
    if vif_type == "ovs":
        return {"port_filter": False, "connectivity": "l2", "ovs_hybrid_plug": False,
                "datapath_type": "system", "bridge_name": OVS_BRIDGE}
    if vif_type == "vhostuser":
        return {"port_filter": False, "ovs_hybrid_plug": False, "vhostuser_mode": "server",
                "vhostuser_ovs_plug": True,
                "vhostuser_socket": f"{VHOSTUSER_SOCKET_DIR}/{vhostuser_name(vif_id)}",
                "datapath_type": "netdev", "bridge_name": OVS_BRIDGE}
    # Neutron's linuxbridge driver (and the generic agents) say only these two.
    return {"port_filter": False, "connectivity": "l2"}


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


def _network(network: NetworkRecord, subnets: list[dict[str, Any]], vif_type: str
             ) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "injected": False,
        "tenant_id": network.project_id,
        "mtu": network.mtu,
        "physical_network": network.physical_network,
        "tunneled": network.physical_network is None,
    }
    if vif_type == "bridge":
        # Nova sets it for Linux bridge VIFs (the host makes the bridge on plugging). It
        # builds it beside ``meta``, but hydrating the stored model folds it into ``meta``,
        # where os-vif's converter reads it (``network.get_meta("should_create_bridge")``).
        meta["should_create_bridge"] = True
    return {
        "id": network.id,
        "bridge": _network_bridge(network.id, vif_type),
        "label": network.name,
        "subnets": subnets,
        "meta": meta,
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
    return {
        "id": vif.id,
        "address": vif.mac,
        "network": _network(vif.network, subnets, vif.vif_type),
        "type": vif.vif_type,
        "details": vif_details(vif.id, vif.vif_type),
        "devname": devname(vif.id),
        # The OVS port's iface-id, for the types plugged into OVS (Nova: ovs, and vhost-user
        # with vhostuser_ovs_plug).
        "ovs_interfaceid": vif.id if vif.vif_type in ("ovs", "vhostuser") else None,
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
    """nova-network's rendering: a ``[network, info]`` pair per VIF, as Diablo's network
    manager returned them to compute (``gateway6``, ``ips``/``ip6s`` with ``enabled: "1"``)."""
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
